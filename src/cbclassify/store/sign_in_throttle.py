"""The per-username lock-out counter, judged atomically.

``claim_attempt`` locks the username's counter row for the rest of the caller's transaction
(PostgreSQL: ``INSERT .. ON CONFLICT DO NOTHING`` then ``SELECT .. FOR UPDATE``; SQLite: write
transactions begin with ``BEGIN IMMEDIATE`` and so are serialized already), so parallel attempts
for one username are judged one after the other and never get more tries than allowed. Keys are
keyed hashes of the normalized username (the caller makes them); nothing typed is stored.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from cbclassify.store.base import as_utc
from cbclassify.store.models_auth import SignInThrottle


def _locked_row(session: Session, key: str, now: datetime) -> SignInThrottle:
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    session.execute(
        insert(SignInThrottle)
        .values(key=key, failures=0, window_start=now)
        .on_conflict_do_nothing(index_elements=["key"])
    )
    stmt = select(SignInThrottle).where(SignInThrottle.key == key).with_for_update()
    return session.execute(stmt.execution_options(populate_existing=True)).scalar_one()


def claim_attempt(
    session: Session, key: str, max_failures: int, window: timedelta, now: datetime
) -> SignInThrottle | None:
    """Lock ``key``'s counter; the row when another attempt may be judged, None when the
    username is locked out (``max_failures`` failures since a window start less than
    ``window`` ago). An expired window starts again at ``now``."""
    row = _locked_row(session, key, now)
    if (as_utc(row.window_start) or now) <= now - window:
        row.failures, row.window_start = 0, now
    if row.failures >= max_failures:
        return None
    return row


def record_failure(session: Session, row: SignInThrottle) -> None:
    """Count one more failed attempt on a claimed counter."""
    row.failures += 1
    session.flush()


def clear_failures(session: Session, key: str) -> None:
    """Forget a username's failures (after a successful sign-in)."""
    session.execute(delete(SignInThrottle).where(SignInThrottle.key == key))
