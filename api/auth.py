"""Who is calling: bearer API tokens, or a session cookie with CSRF protection for web forms.

- API clients send ``Authorization: Bearer cbc_...`` (per-user tokens, stored hashed, revocable).
- Browsers sign in at ``/api/v1/auth/login`` and get an HttpOnly ``cbc_session`` cookie. Every
  unsafe request (POST, PUT, PATCH, DELETE) made with the cookie must carry the session's CSRF
  token in the ``X-CSRF-Token`` header or a ``csrf_token`` form field. Bearer requests need no
  CSRF token (browsers never attach them on their own).
- The web sign-in form is protected against login CSRF (a foreign page signing the browser in
  as someone else): ``GET /login`` sets a random ``cbc_login`` cookie and embeds its HMAC in the
  form; ``POST /login`` needs both.
- Cookies are ``Secure`` unless the request came over plain HTTP to a loopback host
  (``CBCLASSIFY_COOKIE_SECURE=auto``, the default; ``true``/``false`` force it).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets

from fastapi import Request

from api.config import ServiceConfig
from api.errors import ApiError
from api.state import ServiceState
from cbclassify.store import identity
from cbclassify.store.cases import ActingUser

SESSION_COOKIE = "cbc_session"
LOGIN_CSRF_COOKIE = "cbc_login"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_UNAUTHENTICATED = {"WWW-Authenticate": "Bearer"}


def csrf_token(secret: bytes, session_id: str) -> str:
    """The CSRF token bound to one session (HMAC of its id; nothing to store)."""
    return hmac.new(secret, b"csrf:" + session_id.encode("utf-8"), hashlib.sha256).hexdigest()


def new_login_nonce() -> str:
    """A random value for the sign-in form's ``cbc_login`` cookie."""
    return secrets.token_urlsafe(32)


def login_csrf_token(secret: bytes, nonce: str) -> str:
    """The sign-in form's CSRF token, bound to its ``cbc_login`` cookie (HMAC of the nonce)."""
    return hmac.new(secret, b"login-csrf:" + nonce.encode("utf-8"), hashlib.sha256).hexdigest()


def login_csrf_ok(secret: bytes, nonce: str | None, sent: str | None) -> bool:
    """True when the sign-in form carries the token of the browser's ``cbc_login`` cookie."""
    if not nonce or not sent:
        return False
    return hmac.compare_digest(sent, login_csrf_token(secret, nonce))


def _loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def cookie_secure(config: ServiceConfig, request: Request) -> bool:
    """Whether cookies get the ``Secure`` flag: as configured, or (``auto``) always except
    over plain HTTP to a loopback host (``127.0.0.1``, ``::1``, ``localhost``)."""
    if config.cookie_secure != "auto":
        return bool(config.cookie_secure)
    if request.url.scheme == "https":
        return True
    return not _loopback((request.url.hostname or "").lower())


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


async def _csrf_sent(request: Request) -> str | None:
    sent = request.headers.get(CSRF_HEADER)
    if sent:
        return sent
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()  # Starlette caches the parsed form for the endpoint
        value = form.get(CSRF_FIELD)
        return value if isinstance(value, str) else None
    return None


def _user_for_token(state: ServiceState, token: str) -> ActingUser | None:
    with state.db.connect() as connection:
        found = identity.token_identity(connection, token)
    if found is None:
        return None
    if found.touch_due:  # last_used_at moves on (at most every few minutes)
        with state.db.transaction() as session:
            identity.touch_token(session.connection(), token)
    return found.user


def _user_for_session(state: ServiceState, session_id: str) -> ActingUser | None:
    with state.db.connect() as connection:
        return identity.session_identity(connection, session_id)


async def authenticate(request: Request, state: ServiceState) -> ActingUser:
    """The calling user, or a 401; a cookie-authenticated unsafe request also needs CSRF."""
    token = _bearer(request)
    if token is not None:
        user = _user_for_token(state, token)
        if user is None:
            raise ApiError(
                401,
                "unauthenticated",
                "invalid, expired or revoked API token",
                headers=_UNAUTHENTICATED,
            )
        return user
    session_id = request.cookies.get(SESSION_COOKIE)
    if session_id:
        user = _user_for_session(state, session_id)
        if user is None:
            raise ApiError(
                401, "unauthenticated", "session expired; sign in again", headers=_UNAUTHENTICATED
            )
        if request.method not in SAFE_METHODS:
            sent = await _csrf_sent(request)
            if not sent or not hmac.compare_digest(sent, csrf_token(state.secret, session_id)):
                raise ApiError(403, "csrf_failed", f"missing or wrong CSRF token ({CSRF_HEADER})")
        return user
    raise ApiError(
        401,
        "unauthenticated",
        "sign in or send an API token (Authorization: Bearer)",
        headers=_UNAUTHENTICATED,
    )
