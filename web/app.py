"""The Flask application factory: one :class:`~search.engine.Engine` per app, two blueprints.

* ``pages`` — the HTML front end (``/``, ``/search``, ``/doc/<id>``, ``/upload``);
* ``api`` — the JSON API under ``/api``;
* ``/healthz`` — liveness and index size, for monitoring.

The configuration starts from :class:`search.settings.Settings` (by default
:func:`search.settings.from_env`, the ``DARI_*`` variables) and ``config``
overrides it: ``SEARCH_TIME_LIMIT`` (seconds a search may take, with its facets
and "did you mean"; 5 by default), ``GLOSSARY`` (a TSV whose entries add to the
shipped glossary) and ``ADMIN_TOKEN`` (turns on adding and removing documents
over HTTP, :mod:`web.admin`; ``None`` turns it off), plus the limits of
:mod:`web.limits` and the session settings of :mod:`web.signin` (``SECRET_KEY``,
derived from the admin token unless given).  A setting that cannot be used raises
:class:`~search.errors.ConfigError` naming it.

The rest is in small modules, each with an ``init_app``: :mod:`web.errors`
(how every error is answered), :mod:`web.limits` (414 and 413),
:mod:`web.signin` (the upload page's session and CSRF protection) and
:mod:`web.security` (the headers every response carries).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, Response, jsonify
from flask.json.provider import DefaultJSONProvider

from search.bilingual.glossary import GlossaryError
from search.engine import Engine
from search.errors import ConfigError
from search.indexing.build import ensure_index
from search.settings import ENVIRONMENT, Settings, from_env, parse_time_limit
from web import admin, api, errors, i18n, limits, pages, security, signin, status
from web.security import SECURITY_HEADERS
from web.service import EXTENSION, DariState, get_engine

__all__ = ["ConfigError", "DEFAULT_CONFIG", "SECURITY_HEADERS", "create_app"]

log = logging.getLogger(__name__)

#: The app's own config keys with their defaults (the settings and ``config`` may change them).
DEFAULT_CONFIG: dict[str, Any] = {
    **limits.DEFAULT_LIMITS,
    # seconds a search (with its facets and "did you mean") may take; DARI_SEARCH_TIME_LIMIT
    "SEARCH_TIME_LIMIT": Settings().search_time_limit,
    # a glossary TSV whose entries add to the shipped ones (DARI_GLOSSARY); None: shipped only
    "GLOSSARY": None,
    # admin endpoints: off unless a token is set (DARI_ADMIN_TOKEN or config)
    "ADMIN_TOKEN": None,
    "ADMIN_MAX_FAILURES": 10,  # wrong tokens per client address …
    "ADMIN_FAILURE_WINDOW": 60.0,  # … within this many seconds, then 429
    # the /upload page's sign-in: cookie, lifetime, CSRF tokens (web/signin.py); SECRET_KEY
    # is derived from the admin token unless config sets one
    **signin.SESSION_CONFIG,
}


def create_app(
    index_dir: Path | str | None = None,
    docs_dir: Path | str | None = None,
    config: Mapping[str, Any] | None = None,
    settings: Settings | None = None,
) -> Flask:
    """A Dari web app over the index in ``index_dir`` (over the cluster's when the
    settings name one: ``index_dir`` then keeps only the engine's caches).

    ``settings`` (by default :func:`~search.settings.from_env`) give the
    configuration and ``config`` overrides it.  Without ``index_dir`` the
    folders are the settings' (``DARI_INDEX``, ``DARI_DOCS``); an
    ``index_dir`` given alone has no documents folder.  If there is no index
    yet and there is a documents folder, it is built from there first; without
    one a missing index raises :class:`search.indexing.IndexMissing`.
    """
    settings = from_env() if settings is None else settings
    if index_dir is None:
        index_dir = settings.index_dir
        docs_dir = settings.docs_dir if docs_dir is None else docs_dir

    app = Flask(__name__)
    app.json = HtmlSafeJSONProvider(app)
    app.config.from_mapping(DEFAULT_CONFIG)
    app.config.from_mapping(
        DARI_INDEX=str(index_dir),
        DARI_DOCS=str(docs_dir) if docs_dir is not None else None,
        SEARCH_TIME_LIMIT=settings.search_time_limit,
        GLOSSARY=settings.glossary,
        ADMIN_TOKEN=settings.admin_token,
    )
    if config:
        app.config.update(config)
    app.config["SEARCH_TIME_LIMIT"] = parse_time_limit(
        app.config["SEARCH_TIME_LIMIT"], _label("SEARCH_TIME_LIMIT")
    )

    if not settings.opensearch_url:  # the cluster's index is built by `dari index`
        ensure_index(Path(docs_dir) if docs_dir is not None else None, Path(index_dir))
    glossary = app.config["GLOSSARY"]
    try:
        engine = Engine.from_settings(
            dataclasses.replace(
                settings,
                search_time_limit=app.config["SEARCH_TIME_LIMIT"],
                glossary=Path(glossary) if glossary else None,
            ),
            index_dir=Path(index_dir),
        )
    except GlossaryError as exc:
        raise ConfigError(f"{_label('GLOSSARY')}: {exc}") from None
    app.extensions[EXTENSION] = DariState(engine)
    app.extensions[admin.ADMIN_EXTENSION] = admin.FailureLimiter(
        limit=int(app.config["ADMIN_MAX_FAILURES"]),
        window=float(app.config["ADMIN_FAILURE_WINDOW"]),
    )

    # "/doc//x" is a document id with a slash (so: none), not a redirect to "/doc/x"
    app.url_map.merge_slashes = False

    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp, url_prefix="/api")
    app.register_blueprint(status.bp)
    app.add_url_rule("/healthz", "healthz", healthz, methods=["GET"])
    app.context_processor(lambda: {"admin_enabled": admin.admin_enabled()})
    i18n.init_app(app)
    errors.init_app(app)
    limits.init_app(app)
    # before the CSRF check: a form sent while adding documents is off gets 403, not 400
    app.before_request(pages.refuse_when_uploads_are_off)
    signin.init_app(app)  # after the body limits too: the CSRF check reads the form
    security.init_app(app)
    return app


def _label(config_key: str) -> str:
    """How a message names the setting of ``config_key``: "DARI_X (X)"."""
    return next(s.label for s in ENVIRONMENT if s.config_key == config_key)


class HtmlSafeJSONProvider(DefaultJSONProvider):
    """JSON with readable Korean, keys in our order, and ``<``, ``>``, ``&`` as ``\\u`` escapes.

    The escapes decode to the same strings; they only make sure that no JSON
    body ever contains markup, even if a client renders one as HTML.
    """

    ensure_ascii = False
    sort_keys = False

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        text = super().dumps(obj, **kwargs)
        return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def healthz() -> tuple[Response, int]:
    """``{"status": "ok", ...}`` with the index's size, or 503 when it cannot be read."""
    try:
        stats = get_engine().stats()
    except Exception as exc:  # the index vanished or cannot be read
        log.exception("health check failed")
        return jsonify(status="error", error=f"The index cannot be read: {exc}"), 503
    return jsonify(status="ok", documents=stats["documents"], paragraphs=stats["paragraphs"]), 200
