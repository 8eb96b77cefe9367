"""Sign in and out through the API's own login and logout (same lock-out, audit rows and
session cookie), and the home page that sends each user where their work is."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from api.auth import (
    CSRF_FIELD,
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    authenticate,
    cookie_secure,
    login_csrf_ok,
    login_csrf_token,
    new_login_nonce,
)
from api.deps import State
from api.errors import ApiError
from api.routes import auth as api_auth
from api.web.pages import (
    LOGIN_PATH,
    WebError,
    WebUser,
    render,
    render_page,
    safe_next,
    user_practices,
)
from cbclassify.workflow import Permission, has_permission

router = APIRouter(include_in_schema=False)
_SIGNED_OUT = "You are signed out."
_FORM_EXPIRED = "The sign-in form had expired; please sign in again."


def _login_form(
    request: Request, state: State, context: dict[str, object], status: int = 200
) -> Response:
    """The sign-in page with its login-CSRF token, bound to the browser's ``cbc_login`` cookie
    (kept when it has one, set anew otherwise)."""
    nonce = request.cookies.get(LOGIN_CSRF_COOKIE) or new_login_nonce()
    context = {**context, "csrf_token": login_csrf_token(state.secret, nonce)}
    response = render(request, "login.html", context, status)
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        nonce,
        httponly=True,
        samesite="lax",
        secure=cookie_secure(state.config, request),
        path=LOGIN_PATH,
    )
    return response


def _with_cookies(target: str, source: Response) -> RedirectResponse:
    """A 303 redirect carrying the Set-Cookie headers the API's handler produced."""
    redirect = RedirectResponse(target, 303)
    redirect.raw_headers.extend(h for h in source.raw_headers if h[0] == b"set-cookie")
    return redirect


async def _signed_in(request: Request, state: State) -> bool:
    if not request.cookies.get(SESSION_COOKIE):
        return False
    try:
        await authenticate(request, state)
    except ApiError:
        return False
    return True


@router.get(LOGIN_PATH)
async def login_page(
    request: Request,
    state: State,
    next: Annotated[str | None, Query(max_length=500)] = None,
    signed_out: bool = False,
) -> Response:
    """The sign-in form (straight to ``next`` when already signed in)."""
    if await _signed_in(request, state):
        return RedirectResponse(safe_next(next), 303)
    notice = _SIGNED_OUT if signed_out else None
    return _login_form(request, state, {"next": safe_next(next), "notice": notice})


@router.post(LOGIN_PATH)
def login(
    request: Request,
    state: State,
    username: Annotated[str, Form(max_length=100)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    next: Annotated[str, Form(max_length=500)] = "/",
    csrf_token: Annotated[str, Form(alias=CSRF_FIELD, max_length=200)] = "",
) -> Response:
    """Check the password with the API's login; on success go on to ``next``. The form must
    carry the login-CSRF token of the browser's ``cbc_login`` cookie (else 403, nothing
    checked)."""
    target = safe_next(next)
    if not login_csrf_ok(state.secret, request.cookies.get(LOGIN_CSRF_COOKIE), csrf_token):
        return _login_form(
            request, state, {"next": target, "username": username, "error": _FORM_EXPIRED}, 403
        )
    if not username.strip() or not password:
        return _login_form(
            request,
            state,
            {"next": target, "username": username, "error": "Enter your username and password."},
            422,
        )
    probe = Response()
    try:
        api_auth.login(username, password, state, request, probe)
    except ApiError as err:
        message = (
            "Wrong username or password."
            if err.status == 401
            else "Too many failed sign-ins for this username; wait a few minutes and try again."
            if err.status == 429
            else err.detail
        )
        return _login_form(
            request, state, {"next": target, "username": username, "error": message}, err.status
        )
    return _with_cookies(target, probe)


@router.post("/logout")
def logout(request: Request, state: State, user: WebUser) -> Response:
    """End the session (the form carries the CSRF token) and show the sign-in page."""
    probe = Response()
    api_auth.logout(request, state, user, probe)
    return _with_cookies(f"{LOGIN_PATH}?signed_out=1", probe)


@router.get("/")
def home(request: Request, state: State, user: WebUser) -> Response:
    """Billers, managers and auditors go to the worklist of their first practice; others see
    what the web pages offer them."""
    practices = user_practices(state, user)
    if has_permission(user.roles, Permission.CASE_LIST) and practices:
        return RedirectResponse(f"/practices/{practices[0].code}/worklist", 303)
    return render_page(request, state, user, "home.html", {"title": "Home"})


@router.get("/switch")
def switch_practice(
    state: State, user: WebUser, practice: Annotated[str, Query(max_length=64)]
) -> Response:
    """The practice chooser's target: that practice's worklist (only the user's practices)."""
    codes = {p.code for p in user_practices(state, user)}
    if practice not in codes:
        raise WebError(404, "Not found", f"No practice {practice!r} among yours.")
    return RedirectResponse(f"/practices/{practice}/worklist", 303)
