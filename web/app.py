"""The Flask application factory: one :class:`~search.engine.Engine` per app, two blueprints.

* ``pages`` — the HTML front end (``/``, ``/search``, ``/doc/<id>``, ``/upload``);
* ``api`` — the JSON API under ``/api``;
* ``/healthz`` — liveness and index size, for monitoring.

Adding and removing documents over HTTP (:mod:`web.admin`) is on only when an
admin token is configured: ``DARI_ADMIN_TOKEN`` in the environment, or
``ADMIN_TOKEN`` in ``config`` (which wins; ``None`` turns it off).

A search may run for ``SEARCH_TIME_LIMIT`` seconds (``DARI_SEARCH_TIME_LIMIT``
in the environment, or ``config``; 5 by default), the page of hits, its facet
counts and the "did you mean" together; past it the answer holds what was
found until then and says so.  Addresses longer than ``MAX_URL_LENGTH`` bytes
get 414 and request bodies above ``MAX_CONTENT_LENGTH`` 413.

Error handling is the same everywhere: a :class:`~search.query.QueryError` is
the user's mistake (400), unknown addresses and methods get 404/405, and any
other exception is logged and answered with a plain 500 page or JSON body
without a traceback.  Under ``/api`` (and ``/healthz``) errors are
``{"error": "..."}``; elsewhere they are HTML pages.  Every response carries
the security headers of :data:`SECURITY_HEADERS`.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, Response, current_app, jsonify, render_template, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from search.bilingual.expansion import load_glossary
from search.bilingual.glossary import Glossary, GlossaryError
from search.engine import DEFAULT_TIME_LIMIT, Engine
from search.indexing import IndexMissing, build_index
from search.query import MAX_QUERY_CHARS, QueryError
from search.uploads import UploadRejected
from web.admin import (
    ADMIN_EXTENSION,
    TOO_LARGE_MESSAGE,
    UPLOAD_REQUEST_LIMIT,
    AdminError,
    FailureLimiter,
    admin_enabled,
)
from web.params import MAX_URL_LENGTH
from web.service import EXTENSION, DariState, get_engine

__all__ = ["ConfigError", "SECURITY_HEADERS", "create_app"]

log = logging.getLogger(__name__)

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}

DEFAULT_CONFIG: dict[str, Any] = {
    # seconds a search (with its facets and "did you mean") may take; DARI_SEARCH_TIME_LIMIT
    "SEARCH_TIME_LIMIT": DEFAULT_TIME_LIMIT,
    # bytes of path plus query string (414 above)
    "MAX_URL_LENGTH": MAX_URL_LENGTH,
    # Only the upload endpoints need a body (see UPLOAD_ENDPOINTS), so refuse big ones early.
    "MAX_CONTENT_LENGTH": 64 * 1024,
    "MAX_FORM_MEMORY_SIZE": 64 * 1024,
    "MAX_FORM_PARTS": 100,
    # the largest request to an upload endpoint: a 5 MB file plus multipart overhead
    "MAX_UPLOAD_REQUEST_LENGTH": UPLOAD_REQUEST_LIMIT,
    # a glossary TSV whose entries add to the shipped ones (DARI_GLOSSARY); None: shipped only
    "GLOSSARY": None,
    # admin endpoints: off unless a token is set (DARI_ADMIN_TOKEN or config)
    "ADMIN_TOKEN": None,
    "ADMIN_MAX_FAILURES": 10,  # wrong tokens per client address …
    "ADMIN_FAILURE_WINDOW": 60.0,  # … within this many seconds, then 429
}
#: Endpoints that take a file; they may receive MAX_UPLOAD_REQUEST_LENGTH bytes.
UPLOAD_ENDPOINTS = frozenset({"api.add_document", "pages.upload_submit"})

_TITLES = {
    400: "Bad request",
    401: "Token needed",
    403: "Turned off",
    404: "Not found",
    409: "Conflict",
    413: "Too large",
    414: "Address too long",
    429: "Too many attempts",
    503: "Unavailable",
}

_HTTP_MESSAGES = {
    400: "The request could not be understood.",
    404: "There is nothing at this address.",
    405: "This address does not accept that method.",
    413: "The request is too large.",
    414: "The address is too long.",
}


def create_app(
    index_dir: Path | str,
    docs_dir: Path | str | None = None,
    config: Mapping[str, Any] | None = None,
) -> Flask:
    """A Dari web app over the index in ``index_dir``.

    If there is no index yet and ``docs_dir`` is given, it is built from there
    first; without ``docs_dir`` a missing index raises
    :class:`search.indexing.IndexMissing`.
    """
    app = Flask(__name__)
    app.json = HtmlSafeJSONProvider(app)
    app.config.update(DEFAULT_CONFIG)
    app.config["DARI_INDEX"] = str(index_dir)
    app.config["DARI_DOCS"] = str(docs_dir) if docs_dir is not None else None
    env_token = os.environ.get("DARI_ADMIN_TOKEN", "")
    if env_token.strip():
        app.config["ADMIN_TOKEN"] = env_token
    env_limit = os.environ.get("DARI_SEARCH_TIME_LIMIT", "")
    if env_limit.strip():
        app.config["SEARCH_TIME_LIMIT"] = env_limit
    env_glossary = os.environ.get("DARI_GLOSSARY", "")
    if env_glossary.strip():
        app.config["GLOSSARY"] = env_glossary
    if config:
        app.config.update(config)
    app.config["SEARCH_TIME_LIMIT"] = _seconds(app.config["SEARCH_TIME_LIMIT"])
    glossary = _glossary(app.config["GLOSSARY"])

    engine = _open_engine(Path(index_dir), docs_dir, app.config["SEARCH_TIME_LIMIT"], glossary)
    app.extensions[EXTENSION] = DariState(engine)
    app.extensions[ADMIN_EXTENSION] = FailureLimiter(
        limit=int(app.config["ADMIN_MAX_FAILURES"]),
        window=float(app.config["ADMIN_FAILURE_WINDOW"]),
    )

    # "/doc//x" is a document id with a slash (so: none), not a redirect to "/doc/x"
    app.url_map.merge_slashes = False

    from web import api, pages

    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp, url_prefix="/api")
    app.add_url_rule("/healthz", "healthz", healthz, methods=["GET"])
    app.context_processor(lambda: {"admin_enabled": admin_enabled()})
    _register_error_handlers(app)
    app.before_request(_refuse_long_addresses)
    app.before_request(_refuse_large_bodies)
    app.after_request(_add_security_headers)
    return app


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


class ConfigError(ValueError):
    """A setting (from the environment or ``config``) that cannot be used; says which and why."""


def _seconds(value: Any) -> float:
    """The search time limit as a number of seconds, or :class:`ConfigError`."""
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        seconds = float("nan")
    if not 0 < seconds <= 3600:  # also refuses NaN
        raise ConfigError(
            f"DARI_SEARCH_TIME_LIMIT (SEARCH_TIME_LIMIT) must be a number of seconds above 0 "
            f"and at most 3600, not {str(value)[:40]!r}."
        )
    return seconds


def _glossary(path: Any) -> Glossary:
    """The shipped glossary plus the configured file's entries, or :class:`ConfigError`."""
    try:
        return load_glossary(path) if path else load_glossary()
    except GlossaryError as exc:
        raise ConfigError(f"DARI_GLOSSARY (GLOSSARY): {exc}") from None


def _open_engine(
    index_dir: Path, docs_dir: Path | str | None, time_limit: float, glossary: Glossary
) -> Engine:
    try:
        return Engine(index_dir, time_limit=time_limit, glossary=glossary)
    except IndexMissing:
        if docs_dir is None:
            raise
    build_index(Path(docs_dir), index_dir)
    return Engine(index_dir, time_limit=time_limit, glossary=glossary)


def healthz() -> tuple[Response, int]:
    try:
        stats = get_engine().stats()
    except Exception as exc:  # the index vanished or cannot be read
        log.exception("health check failed")
        return jsonify(status="error", error=f"The index cannot be read: {exc}"), 503
    return jsonify(status="ok", documents=stats["documents"], paragraphs=stats["paragraphs"]), 200


# --- errors ---------------------------------------------------------------------------


def wants_json() -> bool:
    path = request.path
    return path == "/api" or path.startswith("/api/") or path == "/healthz"


def error_response(
    status: int,
    message: str,
    title: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    if wants_json():
        response = jsonify(error=message)
    else:
        response = Response(
            render_template("error.html", status=status, title=title, message=message),
            mimetype="text/html",
        )
    response.status_code = status
    response.headers.update(headers or {})
    return response


def _register_error_handlers(app: Flask) -> None:
    @app.errorhandler(QueryError)
    def bad_query(exc: QueryError) -> Response:
        return error_response(400, str(exc), "Bad request")

    @app.errorhandler(AdminError)
    def admin_refused(exc: AdminError) -> Response:
        return error_response(exc.status, str(exc), _TITLES.get(exc.status), exc.headers)

    @app.errorhandler(UploadRejected)
    def upload_refused(exc: UploadRejected) -> Response:
        return error_response(exc.status, str(exc), _TITLES.get(exc.status))

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        code = exc.code or 500
        message = _HTTP_MESSAGES.get(code, exc.name)
        if code == 413 and request.endpoint in UPLOAD_ENDPOINTS:
            message = TOO_LARGE_MESSAGE
        response = error_response(code, message, exc.name)
        if code == 405 and getattr(exc, "valid_methods", None):
            response.headers["Allow"] = ", ".join(exc.valid_methods)
        return response

    @app.errorhandler(IndexMissing)
    def no_index(exc: IndexMissing) -> Response:
        log.error("index missing: %s", exc)
        return error_response(503, "The search index is not available right now.", "Unavailable")

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.path)
        return error_response(
            500, "Something went wrong on our side. Please try again.", "Server error"
        )


def _refuse_long_addresses() -> Response | None:
    """414 for a path plus query string above MAX_URL_LENGTH bytes, on every address.

    Below the limit, a query over the query limit gets its own clear 400.
    """
    limit = current_app.config["MAX_URL_LENGTH"]
    environ = request.environ
    # PATH_INFO holds one character per byte (WSGI); QUERY_STRING is still percent-encoded
    size = len(environ.get("PATH_INFO", "")) + len(environ.get("QUERY_STRING", ""))
    if limit is None or size <= limit:
        return None
    return error_response(
        414,
        f"The address is too long ({size:,} bytes; the limit is {limit:,}). "
        f"A query may have at most {MAX_QUERY_CHARS:,} characters.",
        _TITLES[414],
    )


def _refuse_large_bodies() -> None:
    """413 for a declared body above the endpoint's limit, whether or not a view reads it.

    The limit is MAX_CONTENT_LENGTH, except for the upload endpoints, which may
    receive MAX_UPLOAD_REQUEST_LENGTH (and werkzeug enforces it while reading a
    body of unknown length).
    """
    if request.endpoint in UPLOAD_ENDPOINTS:
        request.max_content_length = current_app.config["MAX_UPLOAD_REQUEST_LENGTH"]
    limit = request.max_content_length
    if limit is not None and (request.content_length or 0) > limit:
        raise RequestEntityTooLarge()


def _add_security_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response
