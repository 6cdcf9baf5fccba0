"""The interface in Korean and in English (Flask-Babel with gettext catalogues).

The language of a page is, first to last: the one the reader chose with the
switch in the header (``/lang/<code>``, remembered in a cookie for a year),
then the best match of the browser's ``Accept-Language`` among
:data:`LANGUAGES`, then English.  Pages vary by both, so responses say
``Vary: Accept-Language, Cookie``.  Every string of the pages is in
``web/translations/<code>/LC_MESSAGES/messages.po`` (compiled to ``.mo``);
``tests/web/test_i18n.py`` checks that each one has its Korean translation.

The library's messages for people (query errors, notes shown with results,
upload refusals, why a file was skipped) are English
:class:`~search.messages.Message` objects; :func:`translate` (the ``tr`` filter
in templates) puts them into the page's language.  Their templates are in the
same catalogue: ``pybabel extract`` reads ``search`` too, with ``Message`` as a
keyword.  The JSON API and the CLI answer in English.

To add or change strings (``web/babel.cfg`` says where they are)::

    .venv/bin/pybabel extract -F web/babel.cfg -k _l -k Message --no-location --sort-output -o web/translations/messages.pot web search
    .venv/bin/pybabel update -w 100 -i web/translations/messages.pot -d web/translations
    # translate the new entries in web/translations/ko/LC_MESSAGES/messages.po, then
    .venv/bin/pybabel compile -d web/translations
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from flask import Blueprint, Flask, Response, redirect, request
from flask_babel import Babel, get_locale, gettext
from werkzeug.wrappers import Response as BaseResponse

from search.messages import Message

__all__ = ["COOKIE", "LANGUAGES", "bp", "current_language", "init_app", "translate"]

#: The interface languages, the first the default.
LANGUAGES = ("en", "ko")
#: Their names, each in its own language (what the switch shows).
LANGUAGE_NAMES = {"en": "English", "ko": "한국어"}
COOKIE = "dari_lang"
COOKIE_MAX_AGE = 365 * 24 * 3600
TRANSLATIONS = Path(__file__).resolve().parent / "translations"

bp = Blueprint("i18n", __name__)


def select_language() -> str:
    """The interface language of this request (see the module's description)."""
    chosen = request.cookies.get(COOKIE, "")
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(LANGUAGES) or LANGUAGES[0]


def current_language() -> str:
    """The interface language of the page being made ("en" or "ko")."""
    return str(get_locale() or LANGUAGES[0])


def translate(text: object) -> str:
    """``text`` in the interface's language: a :class:`~search.messages.Message` by its
    template (each value that is a Message itself translated too); other text as it is
    (a lazy string made text)."""
    if isinstance(text, Message):
        params = {
            name: translate(value) if isinstance(value, Message) else value
            for name, value in text.params.items()
        }
        return gettext(text.template, **params)
    if isinstance(text, str):
        return text
    return str(text)


@bp.get("/lang/<code>")
def choose(code: str) -> BaseResponse:
    """Remember ``code`` as the interface language and go back to the page it was chosen on."""
    target = _local(request.args.get("next", "/"))
    response = redirect(target, code=303)
    if code in LANGUAGES:
        response.set_cookie(
            COOKIE,
            code,
            max_age=COOKIE_MAX_AGE,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure,
        )
    return response


def _local(target: str) -> str:
    """``target`` if it is a path on this site, else ``/`` (never a redirect elsewhere)."""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    if "\\" in target or any(ord(c) < 32 for c in target):
        return "/"
    return target


def _vary(response: Response) -> Response:
    if response.mimetype == "text/html":
        response.vary.add("Accept-Language")
        response.vary.add("Cookie")
    return response


def init_app(app: Flask) -> None:
    """Babel for ``app``: the language of each request, the catalogues, ``_`` in templates."""
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    app.config.setdefault("BABEL_DEFAULT_LOCALE", LANGUAGES[0])
    Babel(app, locale_selector=select_language)
    app.register_blueprint(bp)
    app.after_request(_vary)
    app.add_template_filter(translate, "tr")

    @app.context_processor
    def _language() -> dict[str, object]:
        return {
            "ui_lang": current_language(),
            "ui_languages": LANGUAGE_NAMES,
        }
