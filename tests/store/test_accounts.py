"""Users, argon2 passwords, hashed revocable tokens and web sessions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from cbclassify.store.accounts import (
    authenticate,
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
from cbclassify.store.errors import AccountError, DuplicateError, NotFound
from cbclassify.store.models_auth import ApiToken, User

from .helpers import PASSWORD


def test_passwords_are_argon2_and_checked(db: Database) -> None:
    with db.transaction() as s:
        create_practice(s, "a", "A")
        user = create_user(s, "ann", PASSWORD, ["biller", "auditor"], ["a"])
        assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash
        assert user.role_names == {"biller", "auditor"}
    with db.transaction() as s:
        assert authenticate(s, "ann", PASSWORD) is not None
        assert authenticate(s, "ann", PASSWORD + "x") is None
        assert authenticate(s, "nobody", PASSWORD) is None
        set_user_access(s, s.scalars(select(User)).one(), is_active=False)
    with db.transaction() as s:
        assert authenticate(s, "ann", PASSWORD) is None


@pytest.mark.parametrize(
    ("username", "password", "roles", "practices", "error"),
    [
        ("ann", "short", ["biller"], [], AccountError),
        ("ann", PASSWORD, ["root"], [], AccountError),
        ("ann", PASSWORD, [], [], AccountError),
        ("ann", PASSWORD, ["biller"], ["zz"], NotFound),
        ("dup", PASSWORD, ["biller"], [], DuplicateError),
    ],
)
def test_bad_accounts_are_refused(
    db: Database, username, password, roles, practices, error
) -> None:
    with db.transaction() as s:
        create_user(s, "dup", PASSWORD, ["admin"])
    with pytest.raises(error), db.transaction() as s:
        create_user(s, username, password, roles, practices)


def test_tokens_are_stored_hashed_and_revocable(db: Database) -> None:
    with db.transaction() as s:
        user = create_user(s, "ann", PASSWORD, ["biller"])
        token, plaintext = issue_token(s, user, "laptop")
        other = create_user(s, "bob", PASSWORD, ["biller"])
    with db.transaction() as s:
        stored = s.scalars(select(ApiToken)).one()
        assert (
            plaintext not in (stored.token_hash, stored.token_prefix)
            and len(stored.token_hash) == 64
        )
        assert user_for_token(s, plaintext).username == "ann"  # type: ignore[union-attr]
        assert user_for_token(s, plaintext + "x") is None
        with pytest.raises(NotFound):
            revoke_token(s, other.id, token.id)
        revoke_token(s, user.id, token.id)
    with db.transaction() as s:
        assert user_for_token(s, plaintext) is None


def test_expired_token_is_refused(db: Database) -> None:
    with db.transaction() as s:
        user = create_user(s, "ann", PASSWORD, ["biller"])
        _, plaintext = issue_token(s, user, "old", expires_at=utcnow() - timedelta(seconds=1))
    with db.transaction() as s:
        assert user_for_token(s, plaintext) is None


def test_sessions_expire_and_end(db: Database) -> None:
    with db.transaction() as s:
        user = create_user(s, "ann", PASSWORD, ["biller"])
        live = start_session(s, user, timedelta(hours=1))
        dead = start_session(s, user, timedelta(seconds=-1))
    with db.transaction() as s:
        assert user_for_session(s, live) is not None
        assert user_for_session(s, dead) is None
        end_session(s, live)
    with db.transaction() as s:
        assert user_for_session(s, live) is None
