"""User administration for administrators (``users.manage``): list users, add one, change roles
and practice grants, deactivate or reactivate, reset a password, revoke every sign-in and API
token. Every change goes through ``service.accounts`` (audited; a new password or a
deactivation also revokes the user's sessions and tokens); forms carry the CSRF token."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from api.bounds import MAX_ID
from api.deps import State
from api.state import ServiceState
from api.web.pages import WebError, WebUser, render_page, require
from cbclassify.service import accounts as account_service
from cbclassify.store import accounts
from cbclassify.store.base import as_utc
from cbclassify.store.cases import ActingUser
from cbclassify.store.errors import AccountError, DuplicateError, NotFound
from cbclassify.workflow import ROLES, Permission

router = APIRouter(include_in_schema=False)
DOING = "Managing users"
DONE = {
    "create": "The user was added.",
    "access": "Roles and practices were saved.",
    "deactivate": "The user was deactivated; their sessions and API tokens were revoked.",
    "activate": "The user was reactivated (they sign in with a new password or token).",
    "password": "The password was reset; the user's sessions and API tokens were revoked.",
    "revoke": "Every session and API token of the user was revoked.",
}


@dataclass(frozen=True)
class UserLine:
    """A user as the page lists it."""

    id: int
    username: str
    is_active: bool
    roles: list[str]
    practices: list[str]
    last_sign_in: datetime | None
    sessions: int
    tokens: int


def _lines(state: ServiceState) -> tuple[list[UserLine], list[Any]]:
    with state.db.read_session() as session:
        practices = accounts.list_practices(session)
        codes = {p.id: p.code for p in practices}
        last = accounts.last_sign_ins(session)
        live = accounts.live_credentials(session)
        users = accounts.list_users(session)
        lines = [
            UserLine(
                u.id,
                u.username,
                u.is_active,
                sorted(u.role_names),
                sorted(codes[i] for i in u.practice_ids if i in codes),
                as_utc(last[u.id]) if u.id in last else None,
                *live.get(u.id, (0, 0)),
            )
            for u in users
        ]
    return lines, practices


def _page(
    request: Request,
    state: ServiceState,
    user: ActingUser,
    *,
    problem: str | None = None,
    form: dict[str, Any] | None = None,
    focus_user: int | None = None,
    status: int = 200,
) -> Response:
    lines, practices = _lines(state)
    done = request.query_params.get("done") if status == 200 else None
    return render_page(
        request,
        state,
        user,
        "users.html",
        {
            "title": "Users",
            "lines": lines,
            "all_practices": practices,
            "all_roles": ROLES,
            "problem": problem,
            "form": form or {},
            "focus_user": focus_user,
            "done": DONE.get(done or ""),
            "done_user": request.query_params.get("who", ""),
            "min_password": accounts.MIN_PASSWORD_LENGTH,
        },
        status,
    )


@router.get("/users")
def users_page(request: Request, state: State, user: WebUser) -> Response:
    """Every user with roles, practices, state, last sign-in and live credentials."""
    require(user, Permission.USERS_MANAGE, DOING)
    return _page(request, state, user)


async def _form(request: Request) -> tuple[dict[str, str], list[str], list[str]]:
    form = await request.form()
    text = {k: v for k, v in form.items() if isinstance(v, str)}
    roles = [r for r in form.getlist("roles") if isinstance(r, str)]
    practices = [p for p in form.getlist("practices") if isinstance(p, str)]
    return text, roles, practices


def _done(step: str, username: str) -> Response:
    return RedirectResponse(f"/users?{urlencode({'done': step, 'who': username})}", 303)


@router.post("/users")
async def add_user(request: Request, state: State, user: WebUser) -> Response:
    """Add a user (the password policy and role names are the store's rules)."""
    require(user, Permission.USERS_MANAGE, DOING)
    text, roles, practices = await _form(request)
    keep = {"username": text.get("username", ""), "roles": roles, "practices": practices}
    if not roles:
        return _page(
            request, state, user, problem="Choose at least one role.", form=keep, status=422
        )
    try:
        with state.db.transaction() as session:
            created = account_service.create_user(
                session,
                user.audit,
                text.get("username", ""),
                text.get("password", ""),
                roles,
                practices,
            )
            name = created.username
    except (AccountError, DuplicateError, NotFound) as err:
        return _page(request, state, user, problem=_sentence(err), form=keep, status=422)
    return _done("create", name)


def _user_id(user_id: int) -> int:
    if not 1 <= user_id <= MAX_ID:
        raise WebError(404, "Not found", f"There is no user {user_id}.")
    return user_id


def _existing(session: Any, user_id: int) -> None:
    """A 404 page for a user id nobody has (before any change is tried)."""
    try:
        accounts.user_by_id(session, user_id)
    except NotFound:
        raise WebError(404, "Not found", f"There is no user {user_id}.") from None


def _sentence(err: Exception) -> str:
    text = str(err).strip("'\"")
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


@router.post("/users/{user_id}/{step}")
async def change_user(
    user_id: int, step: str, request: Request, state: State, user: WebUser
) -> Response:
    """One change to a user: ``access`` (roles and practices), ``deactivate``, ``activate``,
    ``password`` (reset) or ``revoke`` (every session and token)."""
    require(user, Permission.USERS_MANAGE, DOING)
    _user_id(user_id)
    if step not in DONE or step == "create":
        raise WebError(404, "Not found", f"There is no user change called {step!r}.")
    text, roles, practices = await _form(request)
    actor = user.audit
    changes: dict[str, Any] = {}
    if step == "access":
        if not roles:
            return _page(request, state, user, problem="Choose at least one role.",
                         focus_user=user_id, status=422)  # fmt: skip
        changes = {"roles": roles, "practices": practices}
    elif step in ("deactivate", "activate"):
        changes = {"is_active": step == "activate"}
    lockout = account_service.self_lockout_problem(
        actor, user_id, changes.get("roles"), changes.get("is_active")
    )
    if lockout:
        return _page(request, state, user, problem=lockout, focus_user=user_id, status=422)
    try:
        with state.db.transaction() as session:
            _existing(session, user_id)
            if step == "password":
                target = account_service.reset_password(
                    session, actor, user_id, text.get("password", "")
                )
            elif step == "revoke":
                account_service.revoke_user_credentials(session, actor, user_id)
                target = accounts.user_by_id(session, user_id)
            elif step == "deactivate":
                target = account_service.deactivate_user(session, actor, user_id)
            else:
                target = account_service.update_user(session, actor, user_id, **changes)
            name = target.username
    except (AccountError, DuplicateError, NotFound) as err:
        return _page(request, state, user, problem=_sentence(err), focus_user=user_id, status=422)
    return _done(step, name)
