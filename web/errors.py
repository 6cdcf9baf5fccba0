"""How errors become responses: one table of error kinds, and the handlers that use it.

Every refusal the app answers goes through :func:`error_response`: under
``/api`` (and ``/healthz``) the body is ``{"error": "..."}`` in English, elsewhere
an HTML page in the interface's language (a library message, a
:class:`~search.messages.Message`, is translated there).  The status of a library
error comes from :data:`ERROR_KINDS`, looked up along the exception's class
hierarchy (so ``search.uploads.DocumentExists``, an ``UploadRejected`` and a
:class:`~search.errors.Conflict`, is a 409); werkzeug's HTTP errors and the web
layer's own :class:`AdminError` carry their status.
Anything else is answered with a plain 500 without a traceback; the log gets its
traceback the first time, then a counted line now and then (:class:`_SeenErrors`).

This module imports nothing else of :mod:`web` but :mod:`web.i18n`, which imports
nothing of :mod:`web`, so every other module may use it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass

from flask import Flask, Response, has_app_context, jsonify, render_template, request
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from search.errors import (
    Busy,
    Conflict,
    DariError,
    NoSpace,
    NotFound,
    QueryError,
    ReadOnly,
    TooLarge,
    Unavailable,
    UserError,
)
from search.opensearch.client import ClusterUnavailable
from web.i18n import LANGUAGES, translate

__all__ = [
    "AdminError",
    "ERROR_KINDS",
    "ErrorKind",
    "HTTP_MESSAGES",
    "TITLES",
    "error_response",
    "http_error_response",
    "init_app",
    "kind_of",
    "message_of",
    "status_of",
    "title_of",
    "wants_json",
]

log = logging.getLogger(__name__)


class AdminError(Exception):
    """A refused admin request (web layer only): ``status`` and ``headers`` for the response.

    ``message`` is English text the pages translate (a :class:`~search.messages.Message`),
    or text in the page's language already (``gettext``)."""

    def __init__(self, status: int, message: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.headers = dict(headers or {})


@dataclass(frozen=True)
class ErrorKind:
    """How one kind of error is answered."""

    #: the HTTP status; None: the exception's own (``AdminError.status``, ``HTTPException.code``)
    status: int | None
    #: the error page's heading; None: the one of :data:`TITLES` for the status
    title: str | None = None
    #: shown instead of the exception's message, which may name server paths
    message: str | None = None
    #: the error is the server's trouble, worth a line in the log
    log: bool = False


#: Error kind → how it is answered.  An exception is answered by the first of its
#: classes (in method resolution order) found here; one found nowhere is a 500.
ERROR_KINDS: dict[type[Exception], ErrorKind] = {
    AdminError: ErrorKind(None),
    HTTPException: ErrorKind(None),
    # a page's form without its CSRF token, or with one of another or an ended session
    CSRFError: ErrorKind(
        400,
        _l("Form not accepted"),
        _l(
            "This form was not accepted, so nothing was changed: it came from a page that is "
            "too old (after signing in or out, or a restart of the server with a new admin "
            "token) or from another site. Open the page again and send the form from there."
        ),
    ),
    QueryError: ErrorKind(400, _l("Bad request")),
    NotFound: ErrorKind(404, _l("Not found")),
    Conflict: ErrorKind(409, _l("Conflict")),
    TooLarge: ErrorKind(413, _l("Too large")),
    UserError: ErrorKind(400, _l("Bad request")),
    Busy: ErrorKind(
        409,
        _l("Conflict"),
        _l("Another indexing run is in progress; try again when it has finished."),
    ),
    Unavailable: ErrorKind(
        503, _l("Unavailable"), _l("The search index is not available right now."), log=True
    ),
    # the log line names the cluster's address; the answer does not
    ClusterUnavailable: ErrorKind(
        503,
        _l("Unavailable"),
        _l("The search cluster is not answering right now; try again in a moment."),
        log=True,
    ),
    # the log line names the folder; the answer does not show server paths
    NoSpace: ErrorKind(
        507,
        _l("Disk full"),
        _l(
            "The server's disk is full, so nothing was changed. "
            "Ask its administrator to free some space, then try again."
        ),
        log=True,
    ),
    ReadOnly: ErrorKind(
        503,
        _l("Unavailable"),
        _l(
            "The server cannot write its files right now (a read-only disk), so nothing was "
            "changed. Ask its administrator to make it writable, then try again."
        ),
        log=True,
    ),
}

#: The heading of an error page by status, for errors that carry their own status.
TITLES: dict[int, str] = {
    400: _l("Bad request"),
    401: _l("Token needed"),
    403: _l("Turned off"),
    404: _l("Not found"),
    409: _l("Conflict"),
    413: _l("Too large"),
    414: _l("Address too long"),
    429: _l("Too many attempts"),
    503: _l("Unavailable"),
    507: _l("Disk full"),
}

#: What werkzeug's HTTP errors say (else their name).
HTTP_MESSAGES: dict[int, str] = {
    400: _l("The request could not be understood."),
    404: _l("There is nothing at this address."),
    405: _l("This address does not accept that method."),
    413: _l("The request is too large."),
    414: _l("The address is too long."),
}

_SERVER_ERROR = _l("Something went wrong on our side. Please try again.")
_SERVER_ERROR_TITLE = _l("Server error")


def kind_of(exc: BaseException) -> ErrorKind | None:
    """How ``exc`` is answered (see :data:`ERROR_KINDS`), or None for an unexpected error."""
    for cls in type(exc).__mro__:
        kind = ERROR_KINDS.get(cls)
        if kind is not None:
            return kind
    return None


def status_of(exc: BaseException) -> int:
    """The HTTP status that answers ``exc`` (500 for an unexpected error)."""
    kind = kind_of(exc)
    if kind is None:
        return 500
    if kind.status is not None:
        return kind.status
    if isinstance(exc, AdminError):
        return exc.status
    if isinstance(exc, HTTPException):
        return exc.code or 500
    return 500


def title_of(exc: BaseException) -> str | None:
    """The error page's heading for ``exc``."""
    kind = kind_of(exc)
    if kind is not None and kind.title is not None:
        return kind.title
    return TITLES.get(status_of(exc))


def message_of(exc: BaseException) -> str:
    """What the answer to ``exc`` says: its kind's fixed message, else its own message
    (a library error's :class:`~search.messages.Message` as raised, for pages to
    translate: see :func:`web.i18n.translate`)."""
    kind = kind_of(exc)
    if kind is not None and kind.message is not None:
        return kind.message
    if isinstance(exc, DariError | AdminError):
        return exc.message
    return str(exc)


def wants_json() -> bool:
    """True when the current request is answered with JSON (the API and the health check)."""
    path = request.path
    return path == "/api" or path.startswith("/api/") or path == "/healthz"


def english(message: object) -> str:
    """``message`` (a lazy string, a :class:`search.messages.Message`, text) in English, as
    JSON answers and job records carry it."""
    if not has_app_context():
        return str(message)
    with force_locale(LANGUAGES[0]):
        return str(message)


def error_response(
    status: int,
    message: str,
    title: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """``{"error": message}`` under ``/api``, else the error page; with ``status`` and ``headers``.

    The API's message is English (a lazy string too, whatever the interface's language);
    a page's is in the page's language (a Message translated: :func:`web.i18n.translate`).
    """
    title = None if title is None else str(title)  # lazy: translated now
    if wants_json():
        response = jsonify(error=english(message))
    else:
        message = translate(message)
        response = Response(
            render_template("error.html", status=status, title=title, message=message),
            mimetype="text/html",
        )
    response.status_code = status
    response.headers.update(headers or {})
    return response


def http_error_response(exc: HTTPException, message: str | None = None) -> Response:
    """The answer to one of werkzeug's HTTP errors (with ``Allow`` for a 405)."""
    code = exc.code or 500
    response = error_response(code, message or HTTP_MESSAGES.get(code, exc.name), exc.name)
    valid_methods = getattr(exc, "valid_methods", None)
    if code == 405 and valid_methods:
        response.headers["Allow"] = ", ".join(valid_methods)
    return response


def _known_error(exc: Exception) -> Response:
    kind = kind_of(exc)
    if kind is None:
        return _unexpected(exc)
    if isinstance(exc, HTTPException) and kind.message is None:
        return http_error_response(exc)
    if kind.log:
        log.error("%s on %s %s: %s", type(exc).__name__, request.method, request.path, exc)
    headers = exc.headers if isinstance(exc, AdminError) else None
    return error_response(status_of(exc), message_of(exc), title_of(exc), headers)


class _SeenErrors:
    """How often each unexpected error (its type and where it was raised) has been seen.

    Its traceback is logged the first time; after that one line with the count, at
    the 2nd, 4th, 8th … time, so that a request repeated a million times writes
    about twenty lines, not a million tracebacks.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[tuple[str, str, int], int] = {}

    def count(self, exc: BaseException) -> tuple[int, tuple[str, str, int]]:
        tb = exc.__traceback__
        while tb is not None and tb.tb_next is not None:
            tb = tb.tb_next
        where = (tb.tb_frame.f_code.co_filename, tb.tb_lineno) if tb is not None else ("?", 0)
        key = (type(exc).__qualname__, *where)
        with self._lock:
            seen = self._counts[key] = self._counts.get(key, 0) + 1
        return seen, key


_seen_errors = _SeenErrors()


def _unexpected(exc: Exception) -> Response:
    seen, (name, path, line) = _seen_errors.count(exc)
    if seen == 1:
        log.exception("unexpected error on %s %s", request.method, request.path)
    elif seen & (seen - 1) == 0:  # a power of two
        log.error(
            "unexpected error on %s %s: %s at %s:%d, seen %d times (traceback logged the first time)",
            request.method,
            request.path,
            name,
            path,
            line,
            seen,
        )
    return error_response(500, _SERVER_ERROR, _SERVER_ERROR_TITLE)


def init_app(app: Flask) -> None:
    """Answer every error of ``app`` as :data:`ERROR_KINDS` says, and anything else with 500."""
    for kind in ERROR_KINDS:
        app.register_error_handler(kind, _known_error)
    app.register_error_handler(Exception, _unexpected)
