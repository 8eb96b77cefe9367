"""Administration: practices, users, roles, practice grants, and revoking anyone's token."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.bounds import Cents, TokenId, UserId
from api.deps import CurrentUser, PracticeManager, State, UserManager
from api.routes.auth import TokenOut, token_out
from cbclassify.service import accounts as account_service
from cbclassify.store import accounts
from cbclassify.store.audit import AuditActor, append_audit
from cbclassify.store.models_auth import Practice, User
from cbclassify.workflow import ROLES, Permission, has_permission

router = APIRouter(tags=["admin"])


class PracticeIn(BaseModel):
    code: str = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9_-]*$")
    name: str = Field(min_length=1, max_length=200)
    refund_approval_threshold_cents: Cents | None = None


class PracticeOut(BaseModel):
    code: str
    name: str
    refund_approval_threshold_cents: int | None


class UserIn(BaseModel):
    username: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=accounts.MIN_PASSWORD_LENGTH, max_length=1000)
    roles: list[str] = Field(min_length=1, description=f"any of {', '.join(ROLES)}")
    practices: list[str] = Field(default_factory=list)


class UserPatch(BaseModel):
    roles: list[str] | None = None
    practices: list[str] | None = None
    is_active: bool | None = None
    password: str | None = Field(None, min_length=accounts.MIN_PASSWORD_LENGTH, max_length=1000)


class UserOut(BaseModel):
    id: int
    username: str
    is_active: bool
    roles: list[str]
    practices: list[str]


def _practice_out(p: Practice) -> PracticeOut:
    return PracticeOut(
        code=p.code, name=p.name, refund_approval_threshold_cents=p.refund_approval_threshold_cents
    )


def _user_out(user: User, codes: dict[int, str]) -> UserOut:
    return UserOut(
        id=user.id,
        username=user.username,
        is_active=user.is_active,
        roles=sorted(user.role_names),
        practices=sorted(codes[i] for i in user.practice_ids),
    )


@router.get("/practices", response_model=list[PracticeOut], summary="My practices")
def my_practices(state: State, user: CurrentUser) -> list[PracticeOut]:
    """The practices the caller is granted (all of them for a practice manager)."""
    every = has_permission(user.roles, Permission.PRACTICES_MANAGE)
    with state.db.read_session() as session:
        found = accounts.list_practices(session, None if every else user.practice_ids)
    return [_practice_out(p) for p in found]


@router.post(
    "/admin/practices", response_model=PracticeOut, status_code=201, summary="Create a practice"
)
def create_practice(body: PracticeIn, state: State, user: PracticeManager) -> PracticeOut:
    """A new client practice."""
    with state.db.transaction() as session:
        practice = accounts.create_practice(
            session, body.code, body.name, body.refund_approval_threshold_cents
        )
        append_audit(
            session,
            AuditActor(user.user_id, user.username),
            "practice.create",
            practice_id=practice.id,
            after=body.model_dump(),
        )
        return _practice_out(practice)


@router.get("/admin/users", response_model=list[UserOut], summary="All users")
def list_users(state: State, user: UserManager) -> list[UserOut]:
    """Every user with roles and practices."""
    with state.db.read_session() as session:
        codes = accounts.practice_codes(session)
        users = accounts.list_users(session)
    return [_user_out(u, codes) for u in users]


@router.post("/admin/users", response_model=UserOut, status_code=201, summary="Create a user")
def create_user(body: UserIn, state: State, user: UserManager) -> UserOut:
    """A new user with roles and practice grants."""
    with state.db.transaction() as session:
        created = account_service.create_user(
            session,
            AuditActor(user.user_id, user.username),
            body.username,
            body.password,
            body.roles,
            body.practices,
        )
        return _user_out(created, accounts.practice_codes(session))


@router.patch("/admin/users/{user_id}", response_model=UserOut, summary="Change a user")
def update_user(user_id: UserId, body: UserPatch, state: State, user: UserManager) -> UserOut:
    """Replace roles or practice grants, (de)activate, or set a new password. A new password
    or a deactivation revokes all of the user's web sessions and API tokens."""
    with state.db.transaction() as session:
        target = account_service.update_user(
            session,
            AuditActor(user.user_id, user.username),
            user_id,
            roles=body.roles,
            practices=body.practices,
            is_active=body.is_active,
            password=body.password,
        )
        return _user_out(target, accounts.practice_codes(session))


@router.delete("/admin/tokens/{token_id}", response_model=TokenOut, summary="Revoke any token")
def revoke_any(token_id: TokenId, state: State, user: UserManager) -> TokenOut:
    """Revoke a token of any user (e.g. a leaked one)."""
    with state.db.transaction() as session:
        token = accounts.revoke_token(session, user.user_id, token_id, any_user=True)
        append_audit(
            session,
            AuditActor(user.user_id, user.username),
            "token.revoke",
            after={"token_id": token.id, "owner_id": token.user_id},
        )
        return token_out(token)
