"""Practices, users, argon2 passwords, hashed API tokens and web sessions: created, changed and
read here (the callers own the transaction)."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any, Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import CursorResult, Result, func, select, update
from sqlalchemy.orm import Session

from cbclassify.password_policy import MIN_LENGTH, normalize_username, password_problem
from cbclassify.store.base import utcnow
from cbclassify.store.errors import AccountError, DuplicateError, NotFound
from cbclassify.store.identity import (
    session_identity,
    sha256_hex,
    token_identity,
    touch_token,
)
from cbclassify.store.models_auth import (
    ApiToken,
    Practice,
    User,
    UserPractice,
    UserRole,
    WebSession,
)
from cbclassify.workflow.states import ROLES

MIN_PASSWORD_LENGTH = MIN_LENGTH
TOKEN_PREFIX = "cbc_"
_CODE_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


def _hasher() -> PasswordHasher:
    return PasswordHasher()  # argon2id with the library's recommended parameters


def hash_password(password: str) -> str:
    """An argon2id hash of ``password``."""
    return _hasher().hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    """True when ``password`` matches ``stored_hash``."""
    try:
        return _hasher().verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def create_practice(
    session: Session, code: str, name: str, refund_threshold_cents: int | None = None
) -> Practice:
    """A new practice; ``code`` is a short lowercase slug used in URLs and the CLI."""
    if not _CODE_RE.match(code):
        raise AccountError("practice code: lowercase letters, digits, '-' or '_' (max 64)")
    if session.scalar(select(Practice.id).where(Practice.code == code)) is not None:
        raise DuplicateError(f"practice {code!r} exists already")
    practice = Practice(
        code=code, name=name, refund_approval_threshold_cents=refund_threshold_cents
    )
    session.add(practice)
    session.flush()
    return practice


def find_practice(session: Session, code: str) -> Practice | None:
    """The practice with ``code``, if there is one."""
    return session.scalar(select(Practice).where(Practice.code == code))


def practice_by_code(session: Session, code: str) -> Practice:
    """The practice with ``code``; NotFound otherwise."""
    practice = find_practice(session, code)
    if practice is None:
        raise NotFound(f"no practice {code!r}")
    return practice


def practice_by_id(session: Session, practice_id: int) -> Practice:
    """The practice with id ``practice_id`` (it exists: cases and grants refer to it)."""
    return session.get_one(Practice, practice_id)


def list_practices(
    session: Session,
    ids: Iterable[int] | None = None,
    *,
    order_by: Literal["code", "name"] = "code",
) -> list[Practice]:
    """The practices with the given ids (None: all of them), by code or by name."""
    stmt = select(Practice).order_by(Practice.code if order_by == "code" else Practice.name)
    if ids is not None:
        stmt = stmt.where(Practice.id.in_(list(ids)))
    return list(session.scalars(stmt))


def practice_codes(session: Session, ids: Iterable[int] | None = None) -> dict[int, str]:
    """Practice id -> code, of the given ids (None: all practices)."""
    stmt = select(Practice.id, Practice.code)
    if ids is not None:
        stmt = stmt.where(Practice.id.in_(list(ids)))
    return dict(session.execute(stmt).tuples().all())


def _check_roles(roles: Iterable[str]) -> list[str]:
    chosen = sorted(set(roles))
    unknown = [r for r in chosen if r not in ROLES]
    if unknown or not chosen:
        raise AccountError(f"roles must be one or more of {', '.join(ROLES)}; got {unknown or '-'}")
    return chosen


def _check_password(password: str, username: str) -> None:
    problem = password_problem(password, username)
    if problem is not None:
        raise AccountError(problem)


def create_user(
    session: Session,
    username: str,
    password: str,
    roles: Iterable[str],
    practice_codes: Iterable[str] = (),
) -> User:
    """A new active user with ``roles`` and grants on ``practice_codes``; the username is
    stored normalized (``normalize_username``), so ``" Bob"`` and ``"bob"`` are one user."""
    name = normalize_username(username)
    if not name or len(name) > 100:
        raise AccountError("username must have 1 to 100 characters")
    if session.scalar(select(User.id).where(User.username == name)) is not None:
        raise DuplicateError(f"user {name!r} exists already")
    _check_password(password, name)
    user = User(username=name, password_hash=hash_password(password))
    user.roles = [UserRole(role=r) for r in _check_roles(roles)]
    user.practices = [
        UserPractice(practice_id=practice_by_code(session, c).id)
        for c in sorted(set(practice_codes))
    ]
    session.add(user)
    session.flush()
    return user


def find_user(session: Session, username: str) -> User | None:
    """The user called ``username`` (compared normalized), if there is one."""
    return session.scalar(select(User).where(User.username == normalize_username(username)))


def user_by_id(session: Session, user_id: int) -> User:
    """The user with id ``user_id``; NotFound otherwise."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"no user {user_id}")
    return user


def list_users(session: Session) -> list[User]:
    """Every user (with roles and practice grants), by username."""
    return list(session.scalars(select(User).order_by(User.username)))


def usernames(session: Session, ids: Iterable[int]) -> dict[int, str]:
    """User id -> username, of the given ids."""
    wanted = set(ids)
    if not wanted:
        return {}
    stmt = select(User.id, User.username).where(User.id.in_(wanted))
    return dict(session.execute(stmt).tuples().all())


def set_user_access(
    session: Session,
    user: User,
    roles: Iterable[str] | None = None,
    practice_codes: Iterable[str] | None = None,
    is_active: bool | None = None,
) -> User:
    """Replace a user's roles and/or practice grants, or (de)activate the user."""
    if roles is not None:
        user.roles = [UserRole(role=r) for r in _check_roles(roles)]
    if practice_codes is not None:
        ids = [practice_by_code(session, c).id for c in sorted(set(practice_codes))]
        user.practices = [UserPractice(practice_id=i) for i in ids]
    if is_active is not None:
        user.is_active = is_active
    session.flush()
    return user


def set_password(session: Session, user: User, password: str) -> None:
    """Change a user's password (the store write only: ``service.accounts.reset_password``
    also revokes the user's sessions and tokens, and audits)."""
    _check_password(password, user.username)
    user.password_hash = hash_password(password)
    session.flush()


def revoke_credentials(session: Session, user_id: int) -> tuple[int, int]:
    """Revoke every live web session and API token of the user; returns (sessions, tokens)
    revoked. Used on a password reset and a deactivation, so that neither a stolen session
    nor a token outlives them (and a reactivated user starts with none)."""
    now = utcnow()
    sessions = _rowcount(
        session.execute(
            update(WebSession)
            .where(WebSession.user_id == user_id, WebSession.revoked_at.is_(None))
            .values(revoked_at=now)
            .execution_options(synchronize_session=False)
        )
    )
    tokens = _rowcount(
        session.execute(
            update(ApiToken)
            .where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
            .values(revoked_at=now)
            .execution_options(synchronize_session=False)
        )
    )
    session.expire_all()
    return sessions, tokens


def _rowcount(result: Result[Any]) -> int:
    """Rows an UPDATE matched (its result is a CursorResult; 0 when the driver cannot tell)."""
    assert isinstance(result, CursorResult)
    return result.rowcount or 0


_DUMMY_HASH: list[str] = []


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user with these credentials, else None (same work either way). The
    username is compared normalized (stripped, case-folded)."""
    user = find_user(session, username)
    if user is None or not user.is_active:
        if not _DUMMY_HASH:
            _DUMMY_HASH.append(hash_password(secrets.token_hex(8)))
        verify_password(_DUMMY_HASH[0], password)
        return None
    if not verify_password(user.password_hash, password):
        return None
    if _hasher().check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def issue_token(
    session: Session, user: User, name: str, expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """A new API token for ``user``; returns the row and the plaintext (shown once)."""
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        name=name.strip()[:100] or "token",
        token_prefix=plaintext[:10],
        token_hash=sha256_hex(plaintext),
        expires_at=expires_at,
    )
    session.add(token)
    session.flush()
    return token, plaintext


def user_for_token(session: Session, plaintext: str) -> User | None:
    """The active user owning a valid (unrevoked, unexpired) token, else None; moves the
    token's ``last_used_at`` on when it is due (``identity.token_identity`` judges both)."""
    found = token_identity(session.connection(), plaintext)
    if found is None:
        return None
    if found.touch_due:
        touch_token(session.connection(), plaintext)
    return session.get(User, found.user.user_id)


def user_tokens(session: Session, user_id: int) -> list[ApiToken]:
    """The user's API tokens, newest first."""
    stmt = select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id.desc())
    return list(session.scalars(stmt))


def revoke_token(session: Session, user_id: int, token_id: int, any_user: bool = False) -> ApiToken:
    """Revoke a token of ``user_id`` (or anyone's when ``any_user``, for admins)."""
    token = session.get(ApiToken, token_id)
    if token is None or (token.user_id != user_id and not any_user):
        raise NotFound("no such token")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
    session.flush()
    return token


def start_session(session: Session, user: User, ttl: timedelta) -> str:
    """A new web session for ``user``; returns the plaintext id for the cookie."""
    plaintext = secrets.token_urlsafe(32)
    session.add(
        WebSession(user_id=user.id, session_hash=sha256_hex(plaintext), expires_at=utcnow() + ttl)
    )
    session.flush()
    return plaintext


def user_for_session(session: Session, plaintext: str) -> User | None:
    """The active user of a valid web session id, else None (``identity.session_identity``)."""
    found = session_identity(session.connection(), plaintext)
    return None if found is None else session.get(User, found.user_id)


def end_session(session: Session, plaintext: str) -> None:
    """Revoke a web session (logout)."""
    row = session.scalar(select(WebSession).where(WebSession.session_hash == sha256_hex(plaintext)))
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()
        session.flush()


def last_sign_ins(session: Session) -> dict[int, datetime]:
    """User id -> when the user last signed in (the newest web session started)."""
    stmt = select(WebSession.user_id, func.max(WebSession.created_at)).group_by(WebSession.user_id)
    return {int(u): at for u, at in session.execute(stmt).tuples() if at is not None}


def live_credentials(session: Session) -> dict[int, tuple[int, int]]:
    """User id -> (live web sessions, live API tokens): not revoked and not expired."""
    now = utcnow()
    sessions = (
        select(WebSession.user_id, func.count())
        .where(WebSession.revoked_at.is_(None), WebSession.expires_at > now)
        .group_by(WebSession.user_id)
    )
    tokens = (
        select(ApiToken.user_id, func.count())
        .where(
            ApiToken.revoked_at.is_(None),
            ApiToken.expires_at.is_(None) | (ApiToken.expires_at > now),
        )
        .group_by(ApiToken.user_id)
    )
    counts: dict[int, list[int]] = {}
    for slot, stmt in enumerate((sessions, tokens)):
        for user_id, n in session.execute(stmt).tuples():
            counts.setdefault(int(user_id), [0, 0])[slot] = int(n)
    return {u: (c[0], c[1]) for u, c in counts.items()}
