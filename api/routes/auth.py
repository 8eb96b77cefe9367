"""Sign in and out (session cookie + CSRF token), who am I, and personal API tokens."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from pydantic import BaseModel, Field

from api.auth import SESSION_COOKIE, cookie_secure, csrf_token
from api.deps import CurrentUser, State
from api.errors import ApiError
from api.state import ServiceState
from cbclassify.service.accounts import SignInPolicy, sign_in
from cbclassify.store import accounts
from cbclassify.store.audit import AuditActor, append_audit
from cbclassify.store.base import as_utc, utcnow
from cbclassify.store.models_auth import ApiToken
from cbclassify.workflow import permissions_of

router = APIRouter(prefix="/auth", tags=["auth"])


class MeOut(BaseModel):
    id: int
    username: str
    roles: list[str]
    practices: list[str]
    permissions: list[str]


class LoginOut(BaseModel):
    user: MeOut
    csrf_token: str = Field(description="send as X-CSRF-Token (or form field csrf_token)")


class TokenIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    expires_in_days: int | None = Field(None, ge=1, le=3650)


class TokenOut(BaseModel):
    id: int
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


class NewTokenOut(TokenOut):
    token: str = Field(description="shown once; store it now")


def me_out(
    state: ServiceState,
    user_id: int,
    username: str,
    roles: frozenset[str],
    practice_ids: frozenset[int],
) -> MeOut:
    """The caller's identity, roles, practices and resulting permissions."""
    with state.db.read_session() as session:
        codes = accounts.practice_codes(session, practice_ids).values()
    return MeOut(
        id=user_id,
        username=username,
        roles=sorted(roles),
        practices=sorted(codes),
        permissions=sorted(p.value for p in permissions_of(roles)),
    )


def sign_in_policy(state: ServiceState) -> SignInPolicy:
    """The configured lock-out and session length."""
    return SignInPolicy(
        max_failures=state.config.max_failed_logins,
        window=timedelta(minutes=state.config.failed_login_window_minutes),
        session_ttl=timedelta(hours=state.config.session_hours),
    )


@router.post("/login", response_model=LoginOut, summary="Sign in (web session)")
def login(
    username: Annotated[str, Form(max_length=100)],
    password: Annotated[str, Form(max_length=1000)],
    state: State,
    request: Request,
    response: Response,
) -> LoginOut:
    """Check the password, start a session cookie and return its CSRF token. Every attempt
    is audited; repeated failures lock the username (compared stripped and case-folded) for
    a while."""
    with state.db.transaction() as session:
        outcome = sign_in(session, state.secret, username, password, sign_in_policy(state))
        user = outcome.user
        found = (
            None if user is None else (user.id, user.username, user.role_names, user.practice_ids)
        )
    if outcome.locked:
        raise ApiError(429, "locked", "too many failed sign-ins; try again later")
    if found is None or outcome.session_id is None:
        raise ApiError(401, "bad_credentials", "wrong username or password")
    response.set_cookie(
        SESSION_COOKIE,
        outcome.session_id,
        max_age=int(state.config.session_hours * 3600),
        httponly=True,
        samesite="lax",
        secure=cookie_secure(state.config, request),
        path="/",
    )
    return LoginOut(
        user=me_out(state, *found), csrf_token=csrf_token(state.secret, outcome.session_id)
    )


@router.post("/logout", status_code=204, summary="Sign out")
def logout(request: Request, state: State, user: CurrentUser, response: Response) -> Response:
    """End the web session (API tokens are revoked separately)."""
    session_id = request.cookies.get(SESSION_COOKIE)
    with state.db.transaction() as session:
        if session_id:
            accounts.end_session(session, session_id)
        append_audit(session, AuditActor(user.user_id, user.username), "auth.logout")
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.status_code = 204
    return response


@router.get("/me", response_model=MeOut, summary="Who am I")
def me(state: State, user: CurrentUser) -> MeOut:
    """The caller's roles, practices and permissions."""
    return me_out(state, user.user_id, user.username, user.roles, user.practice_ids)


@router.get("/csrf", summary="The CSRF token of the current web session")
def csrf(request: Request, state: State, user: CurrentUser) -> dict[str, str]:
    """For pages that need to embed the token again."""
    session_id = request.cookies.get(SESSION_COOKIE)
    if not session_id:
        raise ApiError(400, "no_session", "CSRF tokens belong to web sessions; you used a token")
    return {"csrf_token": csrf_token(state.secret, session_id)}


def token_out(token: ApiToken) -> TokenOut:
    """A token's public facts (never its secret or hash)."""
    return TokenOut(
        id=token.id,
        name=token.name,
        prefix=token.token_prefix,
        created_at=as_utc(token.created_at),
        expires_at=as_utc(token.expires_at),
        last_used_at=as_utc(token.last_used_at),
        revoked_at=as_utc(token.revoked_at),
    )


@router.get("/tokens", response_model=list[TokenOut], summary="My API tokens")
def list_tokens(state: State, user: CurrentUser) -> list[TokenOut]:
    """The caller's tokens, newest first."""
    with state.db.read_session() as session:
        tokens = accounts.user_tokens(session, user.user_id)
    return [token_out(t) for t in tokens]


@router.post("/tokens", response_model=NewTokenOut, status_code=201, summary="New API token")
def create_token(body: TokenIn, state: State, user: CurrentUser) -> NewTokenOut:
    """A new bearer token for the caller; its secret is shown only in this answer."""
    expires = utcnow() + timedelta(days=body.expires_in_days) if body.expires_in_days else None
    with state.db.transaction() as session:
        owner = accounts.user_by_id(session, user.user_id)
        token, plaintext = accounts.issue_token(session, owner, body.name, expires)
        append_audit(
            session,
            AuditActor(user.user_id, user.username),
            "token.create",
            after={"token_id": token.id, "name": token.name},
        )
        return NewTokenOut(**token_out(token).model_dump(), token=plaintext)


@router.delete("/tokens/{token_id}", response_model=TokenOut, summary="Revoke my API token")
def revoke(token_id: int, state: State, user: CurrentUser) -> TokenOut:
    """Revoke one of the caller's tokens (effective immediately)."""
    with state.db.transaction() as session:
        token = accounts.revoke_token(session, user.user_id, token_id)
        append_audit(
            session,
            AuditActor(user.user_id, user.username),
            "token.revoke",
            after={"token_id": token.id},
        )
        return token_out(token)
