"""Persist an analysed ledger as credit cases of a practice: idempotent and history-keeping.

The same credit (practice + claim_id) is always the same case. Each ingest adds a batch and one
observation per case it saw; a case whose credit is gone from a later ledger is marked
(``credit_present`` false), never deleted. Every change bumps the case's version, so a user
acting on what they saw before the ingest gets a conflict instead of overwriting it; a pending
proposal whose credit or verification the ingest changed goes back to review (audited).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.orm import Session

from cbclassify.store.audit import AuditActor, append_audit
from cbclassify.store.base import utcnow
from cbclassify.store.models_auth import Practice
from cbclassify.store.models_cases import CaseObservation, CreditCase, LedgerBatch, ModelVersion
from cbclassify.store.proposals import pending_proposals, review_outdated_proposals

#: What the worklist shows of each credit balance, from the ledger (the first columns of a case).
CASE_FACTS: tuple[str, ...] = (
    "claim_id",
    "patient_id",
    "payer_id",
    "payer_name",
    "payer_type",
    "location_id",
    "credit_amount_cents",
    "credit_since",
)
#: Columns of ``AnalysedLedger.cases`` (one row per credit balance).
CASE_COLUMNS: tuple[str, ...] = (
    *CASE_FACTS,
    "predicted_source",
    "confidence",
    "probabilities",
    "verification",
    "verified_source",
    "explained_amount_cents",
    "evidence",
    "verification_detail",
    "recommended_action",
    "due_date",
    "top_reasons",
    "ledger_history",
)
#: Analysis columns copied onto the case at every ingest.
_ANALYSIS = tuple(c for c in CASE_COLUMNS if c != "claim_id")
_OBSERVED = (
    "credit_amount_cents",
    "predicted_source",
    "confidence",
    "verification",
    "recommended_action",
    "due_date",
)


@dataclass(frozen=True)
class ModelRef:
    """The registered model version that produced the predictions."""

    name: str
    version: str
    run_id: str | None = None


@dataclass(frozen=True)
class AnalysedLedger:
    """A ledger's credits with their analysis, ready to store (see CASE_COLUMNS)."""

    as_of: date
    cases: pd.DataFrame
    model: ModelRef | None = None


@dataclass(frozen=True)
class BatchSummary:
    """What one ingest did."""

    batch_id: int
    as_of: date
    n_credits: int
    n_new: int
    n_updated: int
    n_cleared: int
    duplicate_of: int | None


def _plain(value: Any) -> object:
    """NA -> None, Timestamp -> date, numpy scalars -> Python (for the database driver)."""
    if isinstance(value, list | dict):
        return value
    if isinstance(value, np.ndarray):
        return [_plain(v) for v in value.tolist()]
    if value is None or pd.isna(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if hasattr(value, "item"):
        return value.item()
    return value


def case_records(cases: pd.DataFrame) -> list[dict[str, Any]]:
    """The analysed frame as plain dicts (one per credit), checked for the expected columns."""
    missing = [c for c in CASE_COLUMNS if c not in cases.columns]
    if missing:
        raise ValueError(f"analysed cases lack columns {missing}")
    if cases["claim_id"].duplicated().any():
        raise ValueError("analysed cases must have one row per claim_id")
    records = cases.loc[:, list(CASE_COLUMNS)].astype(object).to_dict("records")
    return [{str(k): _plain(v) for k, v in row.items()} for row in records]


def _model_version_id(session: Session, model: ModelRef | None) -> int | None:
    if model is None:
        return None
    found = session.scalar(
        select(ModelVersion).where(
            ModelVersion.name == model.name, ModelVersion.version == model.version
        )
    )
    if found is None:
        found = ModelVersion(name=model.name, version=model.version, run_id=model.run_id)
        session.add(found)
        session.flush()
    return found.id


def _new_batch(
    session: Session,
    practice: Practice,
    kind: str,
    digest: str,
    analysed: AnalysedLedger,
    user_id: int | None,
) -> LedgerBatch:
    earlier = session.scalar(
        select(LedgerBatch.id)
        .where(LedgerBatch.practice_id == practice.id, LedgerBatch.content_sha256 == digest)
        .order_by(LedgerBatch.id)
        .limit(1)
    )
    batch = LedgerBatch(
        practice_id=practice.id,
        kind=kind,
        content_sha256=digest,
        as_of=analysed.as_of,
        uploaded_by_id=user_id,
        model_version_id=_model_version_id(session, analysed.model),
        duplicate_of_id=earlier,
    )
    session.add(batch)
    session.flush()
    return batch


def _bulk_update(session: Session, rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> None:
    """UPDATE credit_cases by id for many rows, bumping each row's version."""
    if not rows:
        return
    table: Table = CreditCase.metadata.tables[CreditCase.__tablename__]
    stmt = (
        update(table)
        .where(table.c.id == bindparam("b_id"))
        .values({**{c: bindparam(f"b_{c}") for c in columns}, "version": table.c.version + 1})
    )
    params = [{f"b_{k}": v for k, v in row.items()} for row in rows]
    session.connection().execute(stmt, params)


def _update_row(
    rec: dict[str, Any], case_id: int, batch: LedgerBatch, now: datetime
) -> dict[str, Any]:
    """Column values refreshing an existing case from this batch's analysis."""
    row = {c: rec[c] for c in _ANALYSIS}
    row.update(
        id=case_id,
        last_batch_id=batch.id,
        model_version_id=batch.model_version_id,
        credit_present=True,
        cleared_batch_id=None,
        updated_at=now,
    )
    return row


def _new_row(
    rec: dict[str, Any], practice_id: int, batch: LedgerBatch, now: datetime
) -> dict[str, Any]:
    """Column values of a case first seen in this batch (identified on its as-of date)."""
    row = dict(rec)
    row.update(
        practice_id=practice_id,
        identified_date=batch.as_of,
        first_batch_id=batch.id,
        last_batch_id=batch.id,
        model_version_id=batch.model_version_id,
        credit_present=True,
        state="open",
        version=1,
        created_at=now,
        updated_at=now,
        suspended_days=0,
        approval_required=False,
    )
    return row


def ingest_cases(
    session: Session,
    practice: Practice,
    analysed: AnalysedLedger,
    *,
    kind: str,
    content_sha256: str,
    actor: AuditActor,
) -> BatchSummary:
    """Store ``analysed`` for ``practice`` as one batch (in the caller's transaction)."""
    records = case_records(analysed.cases)
    batch = _new_batch(session, practice, kind, content_sha256, analysed, actor.user_id)
    existing = {
        claim: (case_id, present)
        for case_id, claim, present in session.execute(
            select(CreditCase.id, CreditCase.claim_id, CreditCase.credit_present).where(
                CreditCase.practice_id == practice.id
            )
        )
    }
    pending = pending_proposals(session, practice.id)
    now = utcnow()
    updates = [
        _update_row(r, existing[r["claim_id"]][0], batch, now)
        for r in records
        if r["claim_id"] in existing
    ]
    new_rows = [
        _new_row(r, practice.id, batch, now) for r in records if r["claim_id"] not in existing
    ]
    seen = {r["claim_id"] for r in records}
    cleared: list[dict[str, Any]] = [
        {"id": case_id, "credit_present": False, "cleared_batch_id": batch.id, "updated_at": now}
        for claim, (case_id, present) in existing.items()
        if present and claim not in seen
    ]
    if new_rows:
        session.execute(insert(CreditCase), new_rows)
    if updates:
        _bulk_update(session, updates, [c for c in updates[0] if c != "id"])
    _bulk_update(session, cleared, ["credit_present", "cleared_batch_id", "updated_at"])
    _record_observations(session, practice.id, batch.id, records, [c["id"] for c in cleared])
    review_outdated_proposals(session, pending, batch.id, actor)
    batch.n_credits, batch.n_new_cases, batch.n_cleared = len(records), len(new_rows), len(cleared)
    summary = BatchSummary(
        batch.id,
        analysed.as_of,
        len(records),
        len(new_rows),
        len(updates),
        len(cleared),
        batch.duplicate_of_id,
    )
    append_audit(
        session,
        actor,
        "batch.ingest",
        practice_id=practice.id,
        after={
            "batch_id": batch.id,
            "kind": kind,
            "as_of": analysed.as_of,
            "credits": summary.n_credits,
            "new_cases": summary.n_new,
            "updated_cases": summary.n_updated,
            "cleared_cases": summary.n_cleared,
            "duplicate_of": summary.duplicate_of,
        },
    )
    return summary


def _record_observations(
    session: Session,
    practice_id: int,
    batch_id: int,
    records: list[dict[str, Any]],
    cleared_ids: list[int],
) -> None:
    """One observation per case this batch saw (present) or no longer saw (cleared)."""
    ids = dict(
        session.execute(
            select(CreditCase.claim_id, CreditCase.id).where(CreditCase.practice_id == practice_id)
        )
        .tuples()
        .all()
    )
    now = utcnow()
    blank = {c: None for c in _OBSERVED}
    rows = [
        {
            **{c: r[c] for c in _OBSERVED},
            "case_id": ids[r["claim_id"]],
            "batch_id": batch_id,
            "credit_present": True,
            "created_at": now,
        }
        for r in records
    ] + [
        {
            **blank,
            "credit_amount_cents": 0,
            "case_id": i,
            "batch_id": batch_id,
            "credit_present": False,
            "created_at": now,
        }
        for i in cleared_ids
    ]
    if rows:
        session.execute(insert(CaseObservation), rows)
