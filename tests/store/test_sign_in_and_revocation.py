"""The shared account rules of ``service.accounts`` on every backend: sign-in with normalized
usernames and an atomic lock-out, failed sign-ins that store no typed name, and password
resets and deactivations that revoke sessions and tokens (``store.accounts.revoke_credentials``);
migration 0003 normalizing existing usernames."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import insert, inspect, select

from cbclassify.service.accounts import (
    UNKNOWN_USER,
    SignInPolicy,
    deactivate_user,
    reset_password,
    sign_in,
    username_key,
)
from cbclassify.store.accounts import (
    create_practice,
    create_user,
    issue_token,
    start_session,
    user_for_session,
    user_for_token,
)
from cbclassify.store.audit import AuditActor
from cbclassify.store.audit_queries import audit_events
from cbclassify.store.db import Database
from cbclassify.store.errors import AccountError, DuplicateError
from cbclassify.store.migrate import downgrade, upgrade
from cbclassify.store.models_auth import SignInThrottle, User

from .helpers import PASSWORD

SECRET = b"test-secret"
POLICY = SignInPolicy(3, timedelta(minutes=15), timedelta(hours=1))
ADMIN = AuditActor(None, "cli:test")


def _user(db: Database, name: str = "Bill ") -> int:
    with db.transaction() as s:
        create_practice(s, "a", "A")
        return create_user(s, name, PASSWORD, ["biller"], ["a"]).id


def _attempt(db: Database, username: str, password: str) -> str:
    with db.transaction() as s:
        outcome = sign_in(s, SECRET, username, password, POLICY)
    return "locked" if outcome.locked else "ok" if outcome.user else "failed"


def test_usernames_are_stored_and_compared_normalized(db: Database) -> None:
    _user(db, "  Bill ")
    with db.read_session() as s:
        assert s.scalar(select(User.username)) == "bill"
    with db.transaction() as s, pytest.raises(DuplicateError):
        create_user(s, "BILL", PASSWORD, ["biller"], ["a"])
    assert _attempt(db, " BiLL\t", PASSWORD) == "ok"


def test_lock_out_is_per_normalized_username_and_a_success_clears_it(db: Database) -> None:
    _user(db)
    assert [_attempt(db, n, "wrong password!") for n in ("bill", " BILL", "Bill ")] == [
        "failed"
    ] * 3
    assert _attempt(db, "bill", PASSWORD) == "locked"
    with db.transaction() as s:  # the window passes
        row = s.get_one(SignInThrottle, username_key(SECRET, "bill"))
        row.window_start -= timedelta(minutes=16)
    assert _attempt(db, "bill", "wrong password!") == "failed"
    assert _attempt(db, "bill", PASSWORD) == "ok"
    with db.read_session() as s:
        assert s.get(SignInThrottle, username_key(SECRET, "bill")) is None


def test_failed_sign_ins_store_no_unknown_username(db: Database) -> None:
    _user(db)
    assert _attempt(db, "my-Password-typed-here", "x") == "failed"
    assert _attempt(db, "BILL", "wrong password!") == "failed"
    with db.read_session() as s:
        rows = [e for e in audit_events(s, None) if e.action == "auth.login_failed"]
        keys = list(s.scalars(select(SignInThrottle.key)))
    assert [r.actor for r in rows] == [UNKNOWN_USER, "bill"]
    everything = " ".join(f"{r.actor} {r.details}" for r in rows) + " ".join(keys)
    assert "password-typed" not in everything.lower()
    assert username_key(SECRET, "my-password-typed-here")[:16] in rows[0].details


def test_reset_password_and_deactivate_user_revoke_sessions_and_tokens(db: Database) -> None:
    user_id = _user(db)
    with db.transaction() as s:
        user = s.get_one(User, user_id)
        _, token = issue_token(s, user, "laptop")
        session_id = start_session(s, user, timedelta(hours=1))
    with db.transaction() as s:
        changed = reset_password(s, ADMIN, user_id, "a fresh pass phrase")
        assert changed.is_active
    with db.read_session() as s:
        assert user_for_token(s, token) is None and user_for_session(s, session_id) is None
        event = [e for e in audit_events(s, None) if e.action == "user.password_reset"][-1]
    assert '"sessions_revoked":1' in event.after and '"tokens_revoked":1' in event.after
    assert _attempt(db, "bill", "a fresh pass phrase") == "ok"
    with db.transaction() as s:
        _, token = issue_token(s, s.get_one(User, user_id), "again")
        deactivate_user(s, ADMIN, user_id)
    with db.transaction() as s:  # reactivated: the old token stays revoked
        s.get_one(User, user_id).is_active = True
    with db.read_session() as s:
        assert user_for_token(s, token) is None
    with db.transaction() as s, pytest.raises(AccountError, match="commonly used"):
        reset_password(s, ADMIN, user_id, "password1234")


def test_migration_0003_normalizes_existing_usernames_and_refuses_clashes(db: Database) -> None:
    downgrade(db.engine, "0002")
    assert "sign_in_throttles" not in inspect(db.engine).get_table_names()
    users = User.__table__
    row = {"password_hash": "x", "is_active": True}
    with db.engine.begin() as c:
        c.execute(insert(users), [{**row, "username": " Alice"}, {**row, "username": "Bob"}])
    upgrade(db.engine)
    with db.read_session() as s:
        assert sorted(s.scalars(select(User.username))) == ["alice", "bob"]
    downgrade(db.engine, "0002")
    with db.engine.begin() as c:
        c.execute(insert(users), [{**row, "username": "ALICE"}])
    with pytest.raises(RuntimeError, match="'ALICE' / 'alice'"):
        upgrade(db.engine)
    with db.read_session() as s:  # nothing changed
        assert sorted(s.scalars(select(User.username))) == ["ALICE", "alice", "bob"]
