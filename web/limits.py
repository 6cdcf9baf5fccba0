"""Request limits: address length (414) and body size (413), with the endpoints that take files.

Addresses longer than ``MAX_URL_LENGTH`` bytes (path plus query string) get
414 on every address; request bodies above ``MAX_CONTENT_LENGTH`` get 413,
except on the upload endpoints, which may receive ``MAX_UPLOAD_REQUEST_LENGTH``.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, current_app, request
from werkzeug.exceptions import RequestEntityTooLarge

from search.request import MAX_QUERY_CHARS
from search.uploads import MAX_UPLOAD_BYTES
from web.errors import TITLES, error_response, http_error_response

__all__ = [
    "DEFAULT_LIMITS",
    "MAX_URL_LENGTH",
    "TOO_LARGE_MESSAGE",
    "UPLOAD_ENDPOINTS",
    "UPLOAD_REQUEST_LIMIT",
    "init_app",
]

#: Bytes of path plus query string an address may have (414 above): a 1,000-character
#: Korean query is about 9 KB percent-encoded, 20,000 Latin letters 20 KB.
MAX_URL_LENGTH = 32 * 1024
#: What a request to an upload endpoint may be: the file plus multipart overhead.
UPLOAD_REQUEST_LIMIT = MAX_UPLOAD_BYTES + 64 * 1024
TOO_LARGE_MESSAGE = f"The file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB."
#: Endpoints that take a file; they may receive MAX_UPLOAD_REQUEST_LENGTH bytes.
UPLOAD_ENDPOINTS = frozenset({"api.add_document", "pages.upload_submit"})

#: The app's config keys for the limits, with their defaults.
DEFAULT_LIMITS: dict[str, Any] = {
    # bytes of path plus query string (414 above)
    "MAX_URL_LENGTH": MAX_URL_LENGTH,
    # Only the upload endpoints need a body (see UPLOAD_ENDPOINTS), so refuse big ones early.
    "MAX_CONTENT_LENGTH": 64 * 1024,
    # More than werkzeug's 64 KB read size: its multipart parser checks this limit against
    # each chunk plus the few bytes it holds back at a line break (a possible boundary),
    # so at 64 KB a file with a line break near a chunk's end was refused as too large.
    "MAX_FORM_MEMORY_SIZE": 128 * 1024,
    "MAX_FORM_PARTS": 100,
    # the largest request to an upload endpoint: a 5 MB file plus multipart overhead
    "MAX_UPLOAD_REQUEST_LENGTH": UPLOAD_REQUEST_LIMIT,
}


def refuse_long_addresses() -> Response | None:
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
        TITLES[414],
    )


def refuse_large_bodies() -> None:
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


def too_large(exc: RequestEntityTooLarge) -> Response:
    """413; on an upload endpoint it says how large a file may be."""
    message = TOO_LARGE_MESSAGE if request.endpoint in UPLOAD_ENDPOINTS else None
    return http_error_response(exc, message)


def init_app(app: Flask) -> None:
    """Apply the limits in ``app.config`` (see :data:`DEFAULT_LIMITS`) to every request."""
    app.before_request(refuse_long_addresses)
    app.before_request(refuse_large_bodies)
    app.register_error_handler(RequestEntityTooLarge, too_large)
