"""The security headers every response carries (see SECURITY.md)."""

from __future__ import annotations

from flask import Flask, Response

__all__ = ["SECURITY_HEADERS", "init_app"]

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def add_security_headers(response: Response) -> Response:
    """``response`` with each of :data:`SECURITY_HEADERS` it does not set itself."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def init_app(app: Flask) -> None:
    """Add :data:`SECURITY_HEADERS` to every response of ``app``, error pages included."""
    app.after_request(add_security_headers)
