"""Exports: done cases as contract ``resolutions`` rows (retraining labels) and audit trail CSV."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time, timedelta
from typing import IO

import pandas as pd
from sqlalchemy import or_, select
from sqlalchemy.orm import Session, aliased

from cbclassify.contract.ledger import coerce_frame
from cbclassify.contract.schema import TABLES
from cbclassify.ledger_io.write import to_contract_frame
from cbclassify.store.models_audit import AuditEvent
from cbclassify.store.models_auth import User
from cbclassify.store.models_cases import CreditCase

RESOLUTION_COLUMNS: tuple[str, ...] = TABLES["resolutions"].column_names
AUDIT_CSV_COLUMNS: tuple[str, ...] = (
    "seq", "occurred_at", "actor", "actor_id", "action", "practice_id", "case_id",
    "before", "after", "details", "prev_hash", "hash",
)  # fmt: skip


def resolutions_frame(session: Session, practice_id: int) -> pd.DataFrame:
    """Done cases of a practice as a typed ``resolutions`` table (memory names, cents).

    source and action are what the biller proposed and completed; amount is the resolved
    amount; identified_date is when the credit was first ingested (training reads the claim's
    history as of that date).
    """
    resolver = aliased(User)
    rows = session.execute(
        select(CreditCase.claim_id, CreditCase.proposed_source, CreditCase.proposed_action,
               CreditCase.proposed_amount_cents, CreditCase.resolved_date, resolver.username,
               CreditCase.identified_date)
        .join(resolver, resolver.id == CreditCase.resolved_by_id)
        .where(CreditCase.practice_id == practice_id, CreditCase.state == "done")
        .order_by(CreditCase.resolved_date, CreditCase.id)
    ).all()  # fmt: skip
    memory = ["claim_id", "source", "action", "amount_cents", "resolved_date", "resolved_by",
              "identified_date"]  # fmt: skip
    frame = pd.DataFrame([tuple(r) for r in rows], columns=memory)
    for col in ("resolved_date", "identified_date"):
        frame[col] = pd.to_datetime(frame[col])
    return coerce_frame("resolutions", frame)


def write_resolutions_csv(frame: pd.DataFrame, out: IO[str]) -> int:
    """Write a resolutions frame in contract form (money as 12.34, ISO dates); returns rows."""
    to_contract_frame(TABLES["resolutions"], frame).to_csv(out, index=False, lineterminator="\n")
    return len(frame)


def audit_events(
    session: Session,
    practice_ids: Iterable[int] | None,
    *,
    case_id: int | None = None,
    start: date | None = None,
    end: date | None = None,
    include_system: bool = True,
) -> Iterator[AuditEvent]:
    """Audit rows, oldest first, of the given practices (None = all), one case, and/or the
    days ``start``..``end`` inclusive (UTC). System rows (no practice, e.g. logins) are
    included unless a case is asked for or ``include_system`` is false."""
    stmt = select(AuditEvent).order_by(AuditEvent.seq)
    if practice_ids is not None:
        scoped = AuditEvent.practice_id.in_(list(practice_ids))
        if include_system and case_id is None:
            scoped = or_(scoped, AuditEvent.practice_id.is_(None))
        stmt = stmt.where(scoped)
    if case_id is not None:
        stmt = stmt.where(AuditEvent.case_id == case_id)
    if start is not None:
        stmt = stmt.where(AuditEvent.occurred_at >= datetime.combine(start, time()).isoformat())
    if end is not None:
        stop = datetime.combine(end + timedelta(days=1), time()).isoformat()
        stmt = stmt.where(AuditEvent.occurred_at < stop)
    yield from session.scalars(stmt.execution_options(yield_per=1000))


def write_audit_csv(rows: Iterable[AuditEvent], out: IO[str]) -> int:
    """Write audit rows as CSV (before/after/details stay canonical JSON); returns rows."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(AUDIT_CSV_COLUMNS)
    count = 0
    for row in rows:
        writer.writerow(
            ["" if getattr(row, c) is None else getattr(row, c) for c in AUDIT_CSV_COLUMNS]
        )
        count += 1
    return count
