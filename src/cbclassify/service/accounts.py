"""Signing in and changing accounts: the rules every front end (API, web pages, CLI) shares.

- ``sign_in``: one attempt, judged under the username's lock-out counter (atomic: parallel
  attempts never get more tries than allowed); usernames compared normalized; every attempt
  audited, and a failed attempt for a username that does not exist stores a keyed hash of it,
  never what was typed (a password typed into the username field stays secret).
- ``update_user`` / ``reset_password`` / ``deactivate_user``: account changes that revoke every
  session and API token of the user when the password changes or the user is deactivated
  (``store.accounts.revoke_credentials``), audited with what was revoked.

The caller owns the transaction (``Database.transaction()``) and commits it, failed attempts
included: the failure count and the audit row must be kept.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from cbclassify.password_policy import normalize_username
from cbclassify.store import accounts
from cbclassify.store.audit import AuditActor, append_audit
from cbclassify.store.base import utcnow
from cbclassify.store.models_auth import User
from cbclassify.store.sign_in_throttle import claim_attempt, clear_failures, record_failure

#: The audit actor name of a failed sign-in for a username that does not exist.
UNKNOWN_USER = "(unknown user)"


def username_key(secret: bytes, username: str) -> str:
    """A keyed, non-reversible key of a username (HMAC-SHA256 of its normalized form, hex)."""
    message = b"username:" + normalize_username(username).encode("utf-8")
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class SignInPolicy:
    """The lock-out: at most ``max_failures`` failed attempts per username in ``window``."""

    max_failures: int
    window: timedelta
    session_ttl: timedelta


@dataclass(frozen=True)
class SignIn:
    """The outcome of one attempt: ``user`` and the new ``session_id`` on success; ``locked``
    when the username is locked out (the password was not even checked)."""

    user: User | None = None
    session_id: str | None = None
    locked: bool = False


def sign_in(
    session: Session, secret: bytes, username: str, password: str, policy: SignInPolicy
) -> SignIn:
    """One sign-in attempt, in the caller's transaction (commit it whatever the outcome)."""
    key = username_key(secret, username)
    counter = claim_attempt(session, key, policy.max_failures, policy.window, utcnow())
    if counter is None:
        return SignIn(locked=True)
    user = accounts.authenticate(session, username, password)
    if user is None:
        record_failure(session, counter)
        known = accounts.find_user(session, username)
        actor = AuditActor(None, known.username if known else UNKNOWN_USER)
        details = None if known else {"username_key": key[:16]}
        append_audit(session, actor, "auth.login_failed", details=details)
        return SignIn()
    clear_failures(session, key)
    session_id = accounts.start_session(session, user, policy.session_ttl)
    append_audit(
        session, AuditActor(user.id, user.username), "auth.login", details={"method": "password"}
    )
    return SignIn(user=user, session_id=session_id)


def user_facts(session: Session, user: User) -> dict[str, Any]:
    """A user's id, name, state, roles and practice codes (as the admin API shows them)."""
    codes = accounts.practice_codes(session, user.practice_ids)
    return {
        "id": user.id,
        "username": user.username,
        "is_active": user.is_active,
        "roles": sorted(user.role_names),
        "practices": sorted(codes[i] for i in user.practice_ids),
    }


def update_user(
    session: Session,
    actor: AuditActor,
    user_id: int,
    *,
    roles: Iterable[str] | None = None,
    practices: Iterable[str] | None = None,
    is_active: bool | None = None,
    password: str | None = None,
    action: str = "user.update",
) -> User:
    """Change a user's roles, practice grants, active flag and/or password, audited. A new
    password or a deactivation revokes every web session and API token of the user."""
    target = accounts.user_by_id(session, user_id)
    before = user_facts(session, target)
    accounts.set_user_access(session, target, roles, practices, is_active)
    if password is not None:
        accounts.set_password(session, target, password)
    revoked = (0, 0)
    if password is not None or is_active is False:
        revoked = accounts.revoke_credentials(session, target.id)
    after = {
        **user_facts(session, target),
        "password_changed": password is not None,
        "sessions_revoked": revoked[0],
        "tokens_revoked": revoked[1],
    }
    append_audit(session, actor, action, before=before, after=after)
    return target


def create_user(
    session: Session,
    actor: AuditActor,
    username: str,
    password: str,
    roles: Iterable[str],
    practices: Iterable[str] = (),
) -> User:
    """A new active user (the password policy checked by the store), audited."""
    roles, practices = sorted(set(roles)), sorted(set(practices))
    created = accounts.create_user(session, username, password, roles, practices)
    append_audit(
        session,
        actor,
        "user.create",
        after={
            "user_id": created.id,
            "username": created.username,
            "roles": roles,
            "practices": practices,
        },
    )
    return created


def revoke_user_credentials(session: Session, actor: AuditActor, user_id: int) -> tuple[int, int]:
    """Sign a user out everywhere: revoke every web session and API token (audited).
    Returns (sessions, tokens) revoked."""
    target = accounts.user_by_id(session, user_id)
    revoked = accounts.revoke_credentials(session, target.id)
    append_audit(
        session,
        actor,
        "user.revoke_credentials",
        after={
            "user_id": target.id,
            "username": target.username,
            "sessions_revoked": revoked[0],
            "tokens_revoked": revoked[1],
        },
    )
    return revoked


def self_lockout_problem(
    actor: AuditActor, user_id: int, roles: Iterable[str] | None, is_active: bool | None
) -> str | None:
    """Why an administrator may not make this change to their own account (removing their own
    administrator role or deactivating themselves would lock the last door), else None."""
    if actor.user_id != user_id:
        return None
    if is_active is False:
        return "You cannot deactivate your own account; another administrator can."
    if roles is not None and "admin" not in set(roles):
        return "You cannot remove your own administrator role; another administrator can."
    return None


def reset_password(session: Session, actor: AuditActor, user_id: int, password: str) -> User:
    """Set a new password (policy-checked) and revoke the user's sessions and tokens."""
    return update_user(session, actor, user_id, password=password, action="user.password_reset")


def deactivate_user(session: Session, actor: AuditActor, user_id: int) -> User:
    """Deactivate a user and revoke their sessions and tokens (reactivating gives none back)."""
    return update_user(session, actor, user_id, is_active=False, action="user.deactivate")
