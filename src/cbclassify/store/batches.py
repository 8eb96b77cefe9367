"""Reads of a practice's ingests (ledger batches): the newest first, an earlier ingest of the
same content; and the per-practice ingest lock under which the merge base is read."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from cbclassify.store.errors import NotFound
from cbclassify.store.ingest import BatchSummary
from cbclassify.store.models_auth import Practice
from cbclassify.store.models_cases import LedgerBatch


def lock_practice_for_ingest(session: Session, code: str) -> Practice:
    """The practice ``code``, locked for the rest of the caller's write transaction: ingests of
    one practice run one at a time, each reading the merge base the previous one left.

    PostgreSQL: ``SELECT ... FOR NO KEY UPDATE`` on the practice row (it serializes ingests of
    that practice only; rows that merely refer to the practice are not blocked). SQLite: the
    write session began with ``BEGIN IMMEDIATE``, so the database write lock is already held.
    NotFound when there is no such practice.
    """
    practice = session.scalar(_locked(Practice.code == code))
    if practice is None:
        raise NotFound(f"no practice {code!r}")
    return practice


def lock_practice_id_for_ingest(session: Session, practice_id: int) -> Practice | None:
    """As ``lock_practice_for_ingest``, by id (None when there is no such practice)."""
    return session.scalar(_locked(Practice.id == practice_id))


def _locked(where: Any) -> Select[Practice]:
    return select(Practice).where(where).with_for_update(key_share=True)


def newest_batch_id(session: Session, practice_id: int) -> int | None:
    """The id of the practice's latest ingest (the merge base of the next 835), if any."""
    stmt = (
        select(LedgerBatch.id)
        .where(LedgerBatch.practice_id == practice_id)
        .order_by(LedgerBatch.id.desc())
        .limit(1)
    )
    return session.scalar(stmt)


def latest_as_of(session: Session, practice_ids: Iterable[int]) -> dict[int, date]:
    """Per practice, the ledger as-of date of its latest ingest (practices never ingested are
    left out)."""
    ids = list(practice_ids)
    if not ids:
        return {}
    newest = (
        select(func.max(LedgerBatch.id))
        .where(LedgerBatch.practice_id.in_(ids))
        .group_by(LedgerBatch.practice_id)
    )
    rows = session.execute(
        select(LedgerBatch.practice_id, LedgerBatch.as_of).where(LedgerBatch.id.in_(newest))
    )
    return {practice_id: as_of for practice_id, as_of in rows}


def list_batches(session: Session, practice_id: int, limit: int = 100) -> list[LedgerBatch]:
    """The practice's most recent ingests, newest first."""
    stmt = (
        select(LedgerBatch)
        .where(LedgerBatch.practice_id == practice_id)
        .order_by(LedgerBatch.id.desc())
        .limit(limit)
    )
    return list(session.scalars(stmt))


def batch_ids(session: Session, practice_id: int) -> list[int]:
    """Ids of all the practice's ingests, newest first."""
    stmt = (
        select(LedgerBatch.id)
        .where(LedgerBatch.practice_id == practice_id)
        .order_by(LedgerBatch.id.desc())
    )
    return list(session.scalars(stmt))


def earlier_ingest(
    session: Session, practice_id: int, kind: str, content_sha256: str
) -> BatchSummary | None:
    """The practice's ingest of the same kind and content, if any, as a summary of an ingest
    that posted nothing new (``duplicate_of`` is that batch)."""
    batch = session.scalar(
        select(LedgerBatch)
        .where(
            LedgerBatch.practice_id == practice_id,
            LedgerBatch.kind == kind,
            LedgerBatch.content_sha256 == content_sha256,
        )
        .order_by(LedgerBatch.id)
        .limit(1)
    )
    if batch is None:
        return None
    return BatchSummary(batch.id, batch.as_of, batch.n_credits, 0, 0, 0, batch.id)
