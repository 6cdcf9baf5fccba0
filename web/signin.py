"""Signing in once on the upload page, and CSRF protection of the pages' forms.

The ``/upload`` page asks for the admin token once (``POST /upload/sign-in``,
checked by :func:`web.admin.authorize`, so a wrong token counts toward the same
limit of wrong tokens and is answered the same way) and then keeps the reader
signed in with Flask's signed session cookie:

* named ``dari_session``, sent only to ``/upload`` and below, ``HttpOnly``,
  ``SameSite=Strict``, and ``Secure`` when the request came over HTTPS: from
  the server itself (``request.is_secure``) or from a reverse proxy in front
  that says so with ``X-Forwarded-Proto: https``.  That header can only *add*
  ``Secure``; nothing else is read from ``X-Forwarded-*`` (the client's address
  stays the connection's, so a client cannot forge it), and ``SESSION_COOKIE_SECURE``
  in the app's config makes the cookie ``Secure`` always;
* a sign-in lasts :data:`SESSION_LIFETIME` (``PERMANENT_SESSION_LIFETIME``) from
  the moment of signing in, however much the page is used, or until "Sign out";
* the session holds only that the reader signed in, when, and a fingerprint of the
  admin token (besides the random value behind the forms' CSRF tokens), compared
  with the token configured now on every request: a new token ends every session;
* the cookie is signed with ``SECRET_KEY``: the app's config may set one, otherwise
  it is derived from the admin token, so that a new token also makes every old
  cookie unreadable.  Without an admin token there is no key and no session.  The
  key and the fingerprint come from the token through scrypt (:func:`token_keys`):
  anyone can get a signed cookie from the upload page, and a plain hash would let
  them test guesses of a weak token offline at billions a second.

Every POST form of the pages carries a CSRF token (Flask-WTF's ``CSRFProtect``,
checked before the view; a missing, wrong or expired one is a 400 page, see
:mod:`web.errors`).  The JSON API is exempt: it takes the admin token in an
``Authorization`` header, which a browser never adds to a request by itself,
and sets no cookie.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import time
from datetime import timedelta
from typing import Any

from flask import Flask, current_app, request, session, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFProtect

from web import admin, api

__all__ = [
    "SESSION_COOKIE",
    "SESSION_KEY",
    "SESSION_CONFIG",
    "SESSION_LIFETIME",
    "SessionInterface",
    "came_over_https",
    "csrf",
    "init_app",
    "sign_in",
    "sign_out",
    "signed_in",
    "token_keys",
]

SESSION_COOKIE = "dari_session"
#: How long a sign-in lasts (counted from signing in, not renewed by use).
SESSION_LIFETIME = timedelta(hours=8)
#: The session's one entry: {"token": fingerprint of the admin token, "since": epoch seconds}.
SESSION_KEY = "admin"

#: A fixed salt: the key must be the same in every worker and after a restart.
_KEY_SALT = b"dari: session keys derived from the admin token, v1"

csrf = CSRFProtect()


@functools.lru_cache(maxsize=8)
def token_keys(token: str) -> tuple[bytes, str]:
    """The key that signs session cookies and the fingerprint kept in a session, for ``token``.

    Both come from one scrypt derivation of the token (about 50 ms, once per token
    and process), so that testing a guess of the token against a cookie's signature
    or fingerprint costs as much, not the nanoseconds of a plain hash.
    """
    root = hashlib.scrypt(token.encode("utf-8"), salt=_KEY_SALT, n=2**14, r=8, p=1, dklen=32)
    key = hmac.new(root, b"session cookie signing key", hashlib.sha256).digest()
    fingerprint = hmac.new(root, b"session token fingerprint", hashlib.sha256).hexdigest()
    return key, fingerprint[:32]


def came_over_https() -> bool:
    """True when the current request reached the server, or the proxy in front of it, over HTTPS."""
    if request.is_secure:
        return True
    forwarded = request.headers.get("X-Forwarded-Proto", "")
    return forwarded.split(",")[0].strip().lower() == "https"


def signed_in() -> bool:
    """True when the current request's session signed in with the admin token configured now,
    less than ``PERMANENT_SESSION_LIFETIME`` ago."""
    token = admin.admin_token()
    entry = session.get(SESSION_KEY)
    if token is None or not isinstance(entry, dict):
        return False
    fingerprint, since = entry.get("token"), entry.get("since")
    if not isinstance(fingerprint, str) or not isinstance(since, int | float):
        return False
    age = time.time() - since
    if not 0 <= age < current_app.permanent_session_lifetime.total_seconds():
        return False
    return hmac.compare_digest(fingerprint, token_keys(token)[1])


def sign_in() -> None:
    """Start a signed-in session (the caller has checked the token with :func:`admin.authorize`).

    Whatever the session held before is dropped, its CSRF token too: the page
    after signing in gets a new one.
    """
    token = admin.admin_token()
    assert token is not None  # authorize() refused otherwise
    session.clear()
    session[SESSION_KEY] = {"token": token_keys(token)[1], "since": int(time.time())}
    session.permanent = True  # the cookie expires with the sign-in, not with the browser


def sign_out() -> None:
    """End the session: the cookie is deleted."""
    session.clear()


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie, kept to ``/upload`` and ``Secure`` whenever the request came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(super().get_cookie_secure(app)) or came_over_https()

    def get_cookie_path(self, app: Flask) -> str:
        configured = app.config["SESSION_COOKIE_PATH"]
        return str(configured) if configured else url_for("pages.upload_form")


#: The session and CSRF settings, part of the app's defaults (``config`` may change them).
SESSION_CONFIG: dict[str, Any] = {
    "SESSION_COOKIE_NAME": SESSION_COOKIE,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Strict",
    "PERMANENT_SESSION_LIFETIME": SESSION_LIFETIME,
    # the cookie keeps the expiry of the sign-in instead of being renewed by each request
    "SESSION_REFRESH_EACH_REQUEST": False,
    # a form's CSRF token lasts as long as its session (else a page left open an hour fails)
    "WTF_CSRF_TIME_LIMIT": None,
}


def init_app(app: Flask) -> None:
    """Sessions and CSRF protection for ``app`` (its config has :data:`SESSION_CONFIG`).

    Call it after the before-request hooks that must answer first: the body limits
    (the CSRF check reads the form) and "adding documents is turned off" (403, not 400).
    """
    token = admin.configured_token(app.config)
    if not app.config.get("SECRET_KEY") and token is not None:
        app.config["SECRET_KEY"] = token_keys(token)[0]
    app.session_interface = SessionInterface()
    csrf.init_app(app)
    csrf.exempt(api.bp)
