"""The HTML pages: home, search results, documents, and adding documents (``/upload``)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response as BaseResponse

from search.errors import DariError, QueryError
from search.formats import SUFFIXES
from search.request import MAX_PAGE, SearchRequest, clean_text, parse_flag
from search.results import CORRECTION_KINDS, EXPANSION_LABELS
from search.uploads import MAX_UPLOAD_BYTES, DocumentExists, UploadRejected
from web import admin, signin
from web.errors import AdminError, error_response, kind_of, message_of, status_of
from web.jobs import Handed
from web.service import get_engine, group_by_document, paragraph_lang, run_search, state

__all__ = ["bp"]

bp = Blueprint("pages", __name__)

#: Shown on the home page; each one shows off part of the query language.
EXAMPLES = [
    ('"freedom of inquiry"', _l("an English phrase")),
    ("다자협약체", _l("a Korean compound")),
    ("Gretchen Campbell", _l("a name")),
    ('"신뢰받는 글로벌 시장"', _l("a Korean phrase")),
    ("양자기술 lang:ko", _l("Korean paragraphs only")),
    ("quantum -Korea", _l("excluding a word")),
    ("Daejeon OR 대전", _l("either word")),
]

#: The results-per-page links under the results.
PER_PAGE_CHOICES = (10, 20, 50)

#: The languages of paragraphs, as the interface names them.
LANGUAGE_NAMES = {"ko": _l("Korean"), "en": _l("English"), "mixed": _l("Mixed")}


@bp.app_context_processor
def _template_globals() -> dict[str, Any]:
    return {
        "language_names": LANGUAGE_NAMES,
        "paragraph_lang": paragraph_lang,
        "expansion_labels": EXPANSION_LABELS,
        "correction_kinds": CORRECTION_KINDS,
    }


@bp.get("/")
def home() -> str:
    engine = get_engine()
    return render_template(
        "home.html",
        examples=EXAMPLES,
        stats=engine.stats(),
        documents=engine.documents(),
        autofocus=True,
    )


@bp.get("/search")
def search() -> Response | str | tuple[str, int]:
    raw_q = clean_text(request.args.get("q", ""))
    if not raw_q.strip():
        return render_template("search.html", q="", outcome=None, error=None)
    try:
        search_request = SearchRequest.from_params(request.args, strict=False)
        outcome = run_search(search_request, page_facets=True)
    except QueryError as exc:
        return render_template("search.html", q=raw_q, outcome=None, error=exc.message), 400
    results = outcome.results

    def link(**changes: object) -> str:
        params: dict[str, Any] = search_request.to_params(**changes)
        return url_for("pages.search", **params)

    return render_template(
        "search.html",
        q=search_request.q,
        outcome=outcome,
        results=results,
        groups=group_by_document(results),
        titles=state().titles(),
        link=link,
        pages=_page_window(search_request.page, min(results.pages, MAX_PAGE)),
        per_page_choices=PER_PAGE_CHOICES,
        json_url=_url("api.search", search_request.to_params()),
        csv_url=_url("api.search_csv", search_request.to_params()),
        error=None,
    )


@bp.get("/doc/<doc_id>")
def document(doc_id: str) -> Response | str:
    doc_id = clean_text(doc_id)
    q = clean_text(request.args.get("q", "")).strip()
    # a page never refuses a stray parameter: anything but a clear "off" keeps
    # translations and corrections on
    xlang, typo = _flag("xlang"), _flag("typo")
    view = get_engine().document(doc_id, q or None, xlang=xlang, typo=typo)
    if view is None:
        return error_response(
            404, _("There is no document with the id “%(id)s”.", id=doc_id), _("Not found")
        )
    matches = [p.n for p in view.paragraphs if "<mark>" in p.html]
    # side by side only where there is something to put side by side; any other
    # view value is the ordinary page (a page never refuses a stray parameter)
    parallel = request.args.get("view") == "parallel" and view.aligned
    # a set for the template's per-paragraph test: a list made a 40,000-paragraph page quadratic
    return render_template(
        "document.html",
        doc=view,
        q=q,
        xlang=None if xlang else 0,
        typo=None if typo else 0,
        matches=matches,
        matched=frozenset(matches),
        parallel=parallel,
        rows=view.parallel_rows() if parallel else [],
        page_starts=view.page_starts,  # once: the template asks for every paragraph
    )


def _url(endpoint: str, params: dict[str, Any]) -> str:
    """The address of ``endpoint`` with query parameters ``params``."""
    return url_for(endpoint, **params)


def _flag(name: str) -> bool:
    """A yes/no parameter of a page, on unless clearly off."""
    try:
        return parse_flag(request.args.get(name), name, True, strict=False)
    except QueryError:
        return True


def _page_window(current: int, last: int, around: int = 2) -> list[int | None]:
    """Page numbers to link: first, last and a few around the current one; None is a gap."""
    shown = {1, last, *range(max(1, current - around), min(last, current + around) + 1)}
    out: list[int | None] = []
    previous = 0
    for n in sorted(shown):
        if n - previous > 1:
            out.append(None)
        out.append(n)
        previous = n
    return out


# --- adding and removing documents (signed in once with the admin token) ---------------

#: The upload page and its forms: 403 while adding documents is turned off.
UPLOAD_PAGES = frozenset(
    {
        "pages.upload_form",
        "pages.upload_submit",
        "pages.remove_submit",
        "pages.sign_in",
        "pages.sign_out",
    }
)


def refuse_when_uploads_are_off() -> Response | None:
    """403 for the upload page and its forms while adding documents is turned off.

    A before-request hook of the app (see :func:`web.create_app`), so that it
    answers before the forms' CSRF token is checked.
    """
    if request.endpoint in UPLOAD_PAGES and not admin.admin_enabled():
        return _uploads_off()
    return None


@bp.get("/upload")
def upload_form() -> str:
    return _upload_page()


@bp.post("/upload/sign-in")
def sign_in() -> BaseResponse | tuple[str, int, dict[str, str]]:
    given = request.form.get("token", "")
    try:
        admin.authorize(given)  # a wrong token counts toward the limit, as in the API
    except AdminError as exc:
        if exc.status == 401 and not given:  # the API's "Authorization: Bearer" in page words
            exc = AdminError(401, _("Enter the admin token to sign in."))
        return _refused(exc)
    signin.sign_in()
    return redirect(url_for("pages.upload_form"), code=303)


@bp.post("/upload/sign-out")
def sign_out() -> BaseResponse:
    signin.sign_out()
    return redirect(url_for("pages.upload_form"), code=303)


@bp.post("/upload")
def upload_submit() -> tuple[str, int, dict[str, str]] | str:
    try:
        _require_sign_in()
        storage = request.files.get("file")
        if storage is None or not storage.filename:
            raise UploadRejected(_("Choose a file to upload."))
        data = storage.stream.read(MAX_UPLOAD_BYTES + 1)
        replace = parse_flag(request.form.get("replace"), "replace", False, strict=False)
        change = admin.add_document(storage.filename, data, replace=replace)
    except (AdminError, DariError) as exc:
        return _refused(exc)
    return _upload_page(change=change)


@bp.post("/upload/remove")
def remove_submit() -> tuple[str, int, dict[str, str]] | str:
    try:
        _require_sign_in()
        doc_id = request.form.get("doc_id", "").strip()  # refused as it is, not cleaned
        if not doc_id:
            raise UploadRejected(_("Choose a document to remove."))
        change = admin.remove_document(doc_id)
    except (AdminError, DariError) as exc:
        return _refused(exc)
    return _upload_page(change=change)


def _require_sign_in() -> None:
    """:class:`AdminError` 401 unless the session signed in with the current admin token."""
    if not signin.signed_in():
        raise AdminError(
            401,
            _(
                "You are not signed in (a sign-in lasts %(hours)s hours and ends when the "
                "admin token changes). Sign in with the admin token, then send the form again.",
                hours=_hours(current_app.permanent_session_lifetime),
            ),
        )


def _hours(lifetime: timedelta) -> str:
    """``lifetime`` in hours, as the page says it ("8", "0.5")."""
    return f"{lifetime.total_seconds() / 3600:g}"


def _upload_page(
    change: admin.DocumentChange | Handed[admin.DocumentChange] | None = None,
    error: str | None = None,
) -> str:
    handed = change if isinstance(change, Handed) else None
    signed_in = signin.signed_in()
    return render_template(
        "upload.html",
        signed_in=signed_in,
        session_hours=_hours(current_app.permanent_session_lifetime),
        change=None if handed else change,
        handed=handed,
        error=error,
        documents=get_engine().documents() if signed_in else [],
        max_mb=MAX_UPLOAD_BYTES // (1024 * 1024),
        suffixes=SUFFIXES,
    )


def _refused(exc: AdminError | DariError) -> tuple[str, int, dict[str, str]]:
    """The upload page with the reason ``exc`` was refused, and its status (and headers)."""
    kind = kind_of(exc)
    if kind is None or kind.log:
        raise exc  # the server's trouble: the error handlers log it and answer
    headers = exc.headers if isinstance(exc, AdminError) else {}
    message = message_of(exc)
    if isinstance(exc, DocumentExists):  # the API's "add replace=1" in the page's words
        message = _(
            "That document exists already. Tick “Replace a document with the same name” "
            "to upload this file in its place."
        )
    return _upload_page(error=message), status_of(exc), headers


def _uploads_off() -> Response:
    return error_response(
        403,
        _(
            "Adding documents over the web is turned off on this server. Whoever runs it can "
            "turn it on by starting it with an admin token: DARI_ADMIN_TOKEN=<a long secret> "
            "dari serve. Documents can also be added by copying them into its documents "
            "folder and running dari reindex."
        ),
        _("Adding documents is turned off"),
    )
