"""Who a token or web session belongs to (one Core query): roles and practices as the ORM
relationships load them; revoked, expired and inactive are nobody."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from cbclassify.store.accounts import (
    create_practice,
    create_user,
    end_session,
    issue_token,
    revoke_token,
    set_user_access,
    start_session,
    user_for_session,
    user_for_token,
)
from cbclassify.store.base import utcnow
from cbclassify.store.db import Database
from cbclassify.store.identity import LAST_USED_RESOLUTION, session_identity, token_identity
from cbclassify.store.models_auth import ApiToken, User

from .helpers import PASSWORD


def _token_user(db: Database, plaintext: str):
    with db.connect() as connection:
        found = token_identity(connection, plaintext)
    return None if found is None else found.user


def _orm_token_user(db: Database, plaintext: str):
    with db.read_session() as s:
        user = user_for_token(s, plaintext)
        return None if user is None else (user.id, user.role_names, user.practice_ids)


def _session_user(db: Database, plaintext: str):
    with db.connect() as connection:
        return session_identity(connection, plaintext)


def test_token_identity_carries_every_role_and_practice(db: Database) -> None:
    with db.transaction() as s:
        for code in ("a", "b", "c"):
            create_practice(s, code, code.upper())
        ann = create_user(s, "ann", PASSWORD, ["biller", "manager"], ["a", "c"])
        _, ann_token = issue_token(s, ann, "laptop")
        bob = create_user(s, "bob", PASSWORD, ["auditor"], [])
        _, bob_token = issue_token(s, bob, "laptop")
    user = _token_user(db, ann_token)
    assert user is not None and user.username == "ann"
    assert user.roles == {"biller", "manager"}
    assert (user.user_id, user.roles, user.practice_ids) == _orm_token_user(db, ann_token)
    bob_user = _token_user(db, bob_token)
    assert bob_user is not None
    assert (bob_user.roles, bob_user.practice_ids) == ({"auditor"}, frozenset())
    assert _token_user(db, ann_token + "x") is None


def test_revoked_expired_and_inactive_are_nobody(db: Database) -> None:
    with db.transaction() as s:
        ann = create_user(s, "ann", PASSWORD, ["biller"])
        revoked, revoked_token = issue_token(s, ann, "old")
        _, expired_token = issue_token(s, ann, "exp", expires_at=utcnow() - timedelta(seconds=1))
        _, live_token = issue_token(s, ann, "live", expires_at=utcnow() + timedelta(hours=1))
        revoke_token(s, ann.id, revoked.id)
    assert _token_user(db, revoked_token) is None and _orm_token_user(db, revoked_token) is None
    assert _token_user(db, expired_token) is None and _orm_token_user(db, expired_token) is None
    assert _token_user(db, live_token) is not None
    with db.transaction() as s:
        set_user_access(s, s.scalars(select(User)).one(), is_active=False)
    assert _token_user(db, live_token) is None and _orm_token_user(db, live_token) is None


def test_last_used_is_due_a_write_only_when_stale(db: Database) -> None:
    with db.transaction() as s:
        ann = create_user(s, "ann", PASSWORD, ["biller"])
        _, plaintext = issue_token(s, ann, "laptop")
    with db.connect() as connection:
        assert token_identity(connection, plaintext).touch_due  # type: ignore[union-attr]
    with db.transaction() as s:
        s.execute(update(ApiToken).values(last_used_at=utcnow() - timedelta(seconds=5)))
    with db.connect() as connection:
        assert not token_identity(connection, plaintext).touch_due  # type: ignore[union-attr]
    with db.transaction() as s:
        stale = utcnow() - LAST_USED_RESOLUTION - timedelta(seconds=5)
        s.execute(update(ApiToken).values(last_used_at=stale))
    with db.connect() as connection:
        assert token_identity(connection, plaintext).touch_due  # type: ignore[union-attr]


def test_session_identity_expires_and_ends(db: Database) -> None:
    with db.transaction() as s:
        create_practice(s, "a", "A")
        ann = create_user(s, "ann", PASSWORD, ["manager"], ["a"])
        live = start_session(s, ann, timedelta(hours=1))
        dead = start_session(s, ann, timedelta(seconds=-1))
    user = _session_user(db, live)
    assert user is not None and user.roles == {"manager"} and len(user.practice_ids) == 1
    with db.read_session() as s:
        assert user_for_session(s, dead) is None
    assert _session_user(db, dead) is None
    with db.transaction() as s:
        end_session(s, live)
    assert _session_user(db, live) is None
