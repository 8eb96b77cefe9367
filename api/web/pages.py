"""What every page shares: the signed-in user (the API's own session cookie + CSRF check),
permission checks that answer with a page explaining the role needed, and rendering."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from api.auth import SESSION_COOKIE, authenticate, csrf_token
from api.deps import State
from api.errors import ApiError
from api.state import ServiceState
from api.web import formatting, views
from cbclassify.store.accounts import list_practices
from cbclassify.store.cases import ActingUser
from cbclassify.store.models_auth import Practice
from cbclassify.workflow import ROLE_PERMISSIONS, Permission, has_permission

TEMPLATE_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"
LOGIN_PATH = "/login"
#: Pages only load our own CSS and JS; nothing may frame them.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


class LoginRequired(Exception):
    """The page needs a signed-in user: answered with a redirect to the sign-in page."""

    def __init__(self, next_path: str) -> None:
        super().__init__("sign in first")
        self.next_path = next_path


class WebError(Exception):
    """A page-level refusal or problem, shown as an error page with a status."""

    def __init__(self, status: int, title: str, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.status, self.title, self.message, self.hint = status, title, message, hint


def roles_granting(permission: Permission) -> list[str]:
    """The roles whose permissions include ``permission`` (in the matrix's order)."""
    return [role.value for role, granted in ROLE_PERMISSIONS.items() if permission in granted]


def forbidden(user: ActingUser, permission: Permission, doing: str) -> WebError:
    """A 403 page saying which role ``doing`` needs and which roles the user has."""
    needed = " or ".join(formatting.ROLE_LABELS[r] for r in roles_granting(permission))
    mine = ", ".join(formatting.ROLE_LABELS.get(r, r) for r in sorted(user.roles)) or "no role"
    return WebError(
        403,
        "You are not allowed to do this",
        f"{doing} needs the {needed} role. You are signed in as {user.username} ({mine}).",
        "Ask an administrator for the role if your work needs it.",
    )


def require(user: ActingUser, permission: Permission, doing: str) -> None:
    """Raise the 403 page unless one of the user's roles grants ``permission``."""
    if not has_permission(user.roles, permission):
        raise forbidden(user, permission, doing)


def _here(request: Request) -> str:
    query = f"?{request.url.query}" if request.url.query and request.method == "GET" else ""
    return request.url.path + query


async def web_user(request: Request, state: State) -> ActingUser:
    """The signed-in user (the API's authentication: session cookie, CSRF on every form post)."""
    try:
        return await authenticate(request, state)
    except ApiError as err:
        if err.status == 401:
            raise LoginRequired(_here(request)) from None
        if err.code == "csrf_failed":
            raise WebError(
                403,
                "This form has expired",
                "The form was sent without this session's security token (CSRF), so nothing "
                "was changed.",
                "Go back, reload the page and try again.",
            ) from None
        raise


WebUser = Annotated[ActingUser, Depends(web_user)]


def login_redirect_target(next_path: str) -> str:
    """The sign-in URL that comes back to ``next_path``."""
    return f"{LOGIN_PATH}?next={quote(next_path, safe='/')}"


def safe_next(next_path: str | None) -> str:
    """A local path to go to after signing in (never another site)."""
    if next_path and next_path.startswith("/") and not next_path.startswith(("//", "/\\")):
        return next_path
    return "/"


@lru_cache(maxsize=1)
def templates() -> Jinja2Templates:
    """The page templates with the formatting filters (built on first use)."""
    found = Jinja2Templates(directory=TEMPLATE_DIR)
    env = found.env
    env.filters.update(
        usd=formatting.usd,
        usd_text=formatting.usd_text,
        label=formatting.label,
        day=formatting.day,
        moment=formatting.moment,
        local_moment=formatting.local_moment,
        percent=formatting.percent,
        audit_label=formatting.audit_label,
    )
    env.globals.update(
        source_badge=views.source_badge,
        confidence_badge=views.confidence_badge,
        verification_badge=views.verification_badge,
        state_badge=views.state_badge,
        due_badge=views.due_badge,
        role_labels=formatting.ROLE_LABELS,
    )
    return found


def user_practices(state: ServiceState, user: ActingUser) -> list[Practice]:
    """The practices the user is granted, by name."""
    with state.db.read_session() as session:
        return list_practices(session, user.practice_ids, order_by="name")


def nav_context(request: Request, state: ServiceState, user: ActingUser) -> dict[str, Any]:
    """What the page frame needs: the user, their practices, the CSRF token, the menu."""
    session_id = request.cookies.get(SESSION_COOKIE)
    roles = user.roles
    return {
        "user": user,
        "practices": user_practices(state, user),
        "csrf": csrf_token(state.secret, session_id) if session_id else "",
        "can": {p.value: has_permission(roles, p) for p in Permission},
        "path": request.url.path,
    }


def render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    """Render a template with the security headers every page carries."""
    response = templates().TemplateResponse(request, name, context, status_code=status)
    response.headers.update(SECURITY_HEADERS)
    return response


def render_page(
    request: Request,
    state: ServiceState,
    user: ActingUser,
    name: str,
    context: dict[str, Any],
    status: int = 200,
) -> HTMLResponse:
    """Render a signed-in page (frame context added)."""
    return render(request, name, {**nav_context(request, state, user), **context}, status)
