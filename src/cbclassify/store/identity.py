"""Who an API token or a web session belongs to, answered by one Core query.

Every authenticated request asks this, so it is plain SQL over a connection (0.16 ms on
SQLite, against 1.2 ms for loading the token, user, roles and practices as ORM objects). The
rules live here only: a revoked token or session, an inactive user or an expiry at or before
now is nobody. ``accounts.user_for_token`` and ``user_for_session`` build on these functions.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Row, Select, bindparam, null, select, update

from cbclassify.store.base import as_utc, utcnow
from cbclassify.store.cases import ActingUser
from cbclassify.store.models_auth import ApiToken, User, UserPractice, UserRole, WebSession

#: Write a token's last_used_at at most this often (avoids a write per API request).
LAST_USED_RESOLUTION = timedelta(minutes=5)


def sha256_hex(text: str) -> str:
    """SHA-256 of a high-entropy secret (tokens, session ids), hex."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class TokenIdentity:
    """The user behind a valid token, and whether its ``last_used_at`` is due a write."""

    user: ActingUser
    touch_due: bool


def _identity_query(credential: Any) -> Select[Any]:
    """User, roles and practices of the unrevoked credential (a token or web session row
    class) whose hash is ``:credential_hash``, if its user is active; one row per role x
    practice."""
    hash_column = credential.token_hash if credential is ApiToken else credential.session_hash
    last_used = credential.last_used_at if credential is ApiToken else null()
    return (
        select(
            credential.expires_at,
            last_used,
            User.id,
            User.username,
            UserRole.role,
            UserPractice.practice_id,
        )
        .join(User, User.id == credential.user_id)
        .outerjoin(UserRole, UserRole.user_id == User.id)
        .outerjoin(UserPractice, UserPractice.user_id == User.id)
        .where(
            hash_column == bindparam("credential_hash"),
            credential.revoked_at.is_(None),
            User.is_active.is_(True),
        )
    )


_TOKEN_QUERY = _identity_query(ApiToken)
_SESSION_QUERY = _identity_query(WebSession)


def _acting_user(rows: Sequence[Row[*tuple[Any, ...]]]) -> ActingUser:
    first = rows[0]
    return ActingUser(
        user_id=first[2],
        username=first[3],
        roles=frozenset(r[4] for r in rows if r[4] is not None),
        practice_ids=frozenset(r[5] for r in rows if r[5] is not None),
    )


def _live(expires_at: datetime | None, now: datetime) -> bool:
    expires = as_utc(expires_at)
    return expires is None or expires > now


def token_identity(connection: Connection, plaintext: str) -> TokenIdentity | None:
    """The active user owning the valid (unrevoked, unexpired) API token, else None."""
    rows = connection.execute(_TOKEN_QUERY, {"credential_hash": sha256_hex(plaintext)}).all()
    now = utcnow()
    if not rows or not _live(rows[0][0], now):
        return None
    last = as_utc(rows[0][1])
    return TokenIdentity(_acting_user(rows), last is None or now - last > LAST_USED_RESOLUTION)


def session_identity(connection: Connection, plaintext: str) -> ActingUser | None:
    """The active user of the valid (unrevoked, unexpired) web session, else None."""
    rows = connection.execute(_SESSION_QUERY, {"credential_hash": sha256_hex(plaintext)}).all()
    if not rows or rows[0][0] is None or not _live(rows[0][0], utcnow()):
        return None
    return _acting_user(rows)


def touch_token(connection: Connection, plaintext: str) -> None:
    """Record that the token was used now (callers write it when ``touch_due``)."""
    connection.execute(
        update(ApiToken)
        .where(ApiToken.token_hash == sha256_hex(plaintext))
        .values(last_used_at=utcnow())
    )
