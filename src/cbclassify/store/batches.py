"""Reads of a practice's ingests (ledger batches): the newest first, and an earlier ingest of
the same content."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from cbclassify.store.ingest import BatchSummary
from cbclassify.store.models_cases import LedgerBatch


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
