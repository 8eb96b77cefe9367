"""The few read queries the pages need beyond the store's worklist query: the choices of the
worklist's filters, the managers' approval queue and a page of the audit trail. Each is scoped
to the caller's practices and paginated in the database (LIMIT/OFFSET), never in Python."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session

from cbclassify.store.models_audit import AuditEvent
from cbclassify.store.models_auth import Practice, User
from cbclassify.store.models_cases import CreditCase, LedgerBatch


@dataclass(frozen=True)
class FilterChoices:
    """Distinct payers and locations among a practice's present credits."""

    payers: list[str]
    locations: list[str]


def _distinct(session: Session, column: Any, practice_id: int) -> list[str]:
    stmt = (
        select(column)
        .distinct()
        .where(CreditCase.practice_id == practice_id, column.is_not(None))
        .order_by(column)
    )
    return [v for v in session.scalars(stmt) if v]


_CHOICES: dict[tuple[str, int, int | None], FilterChoices] = {}
_CHOICES_KEPT = 256


def filter_choices(session: Session, practice_id: int) -> FilterChoices:
    """The values the worklist's payer and location filters offer. They change only when a
    ledger is ingested, so they are kept per (database, practice, latest batch): two distinct
    scans of 50,000 cases cost ~300 ms, the batch lookup well under 1 ms."""
    latest = session.scalar(
        select(func.max(LedgerBatch.id)).where(LedgerBatch.practice_id == practice_id)
    )
    key = (str(session.get_bind().url), practice_id, latest)
    found = _CHOICES.get(key)
    if found is None:
        found = FilterChoices(
            _distinct(session, CreditCase.payer_id, practice_id),
            _distinct(session, CreditCase.location_id, practice_id),
        )
        if len(_CHOICES) >= _CHOICES_KEPT:
            _CHOICES.clear()
        _CHOICES[key] = found
    return found


@dataclass(frozen=True)
class QueueItem:
    """One proposal waiting for a manager."""

    case: CreditCase
    practice_code: str
    proposed_by: str | None


def approval_queue(
    session: Session, practice_ids: Iterable[int], offset: int, limit: int
) -> tuple[list[QueueItem], int]:
    """Proposals needing approval in the given practices, most urgent due date first."""
    where = (
        CreditCase.practice_id.in_(list(practice_ids)),
        CreditCase.state == "action_proposed",
        CreditCase.approval_required.is_(True),
    )
    total = session.scalar(select(func.count()).select_from(CreditCase).where(*where)) or 0
    rows = session.execute(
        select(CreditCase, Practice.code, User.username)
        .join(Practice, Practice.id == CreditCase.practice_id)
        .outerjoin(User, User.id == CreditCase.proposed_by_id)
        .where(*where)
        # "no due date last" as an expression: the planner then filters on the state index
        # instead of walking the whole practice in due-date order (measured: 130 ms -> 7 ms).
        .order_by(CreditCase.due_date.is_(None), CreditCase.due_date, CreditCase.id)
        .offset(offset)
        .limit(limit)
    ).all()
    return [QueueItem(case, code, name) for case, code, name in rows], total


#: The audit page's "what" filter: each choice is a set of action names or prefixes.
AUDIT_KINDS: dict[str, tuple[str, ...]] = {
    "workflow": ("case.start_review", "case.propose", "case.withdraw", "case.approve",
                 "case.reject", "case.hold", "case.release", "case.complete", "case.reopen",
                 "case.override"),
    "reads": ("case.read",),
    "signins": ("auth.login", "auth.login_failed", "auth.logout"),
    "data": ("batch.ingest", "export.audit", "export.resolutions"),
}  # fmt: skip


@dataclass(frozen=True)
class AuditQuery:
    """Filters of the audit page (dates are UTC days, inclusive)."""

    case_id: int | None = None
    start: date | None = None
    end: date | None = None
    kind: str | None = None


def _audit_scope(practice_ids: Iterable[int], q: AuditQuery) -> list[ColumnElement[bool]]:
    """The export's scoping rule: the caller's practices, plus rows of no practice (sign-ins)
    unless one case is asked for."""
    ids = list(practice_ids)
    scoped: ColumnElement[bool] = AuditEvent.practice_id.in_(ids)
    if q.case_id is None:
        scoped = or_(scoped, AuditEvent.practice_id.is_(None))
    where = [scoped]
    if q.case_id is not None:
        where.append(AuditEvent.case_id == q.case_id)
    if q.start is not None:
        where.append(AuditEvent.occurred_at >= datetime.combine(q.start, time()).isoformat())
    if q.end is not None:
        stop = datetime.combine(q.end + timedelta(days=1), time()).isoformat()
        where.append(AuditEvent.occurred_at < stop)
    if q.kind in AUDIT_KINDS:
        where.append(AuditEvent.action.in_(AUDIT_KINDS[q.kind]))
    return where


def audit_page(
    session: Session, practice_ids: Iterable[int], q: AuditQuery, offset: int, limit: int
) -> tuple[list[AuditEvent], int]:
    """Audit rows matching ``q``, newest first, and how many match in all."""
    where = _audit_scope(practice_ids, q)
    total = session.scalar(select(func.count()).select_from(AuditEvent).where(*where)) or 0
    stmt: Select[tuple[AuditEvent]] = (
        select(AuditEvent).where(*where).order_by(AuditEvent.seq.desc()).offset(offset).limit(limit)
    )
    return list(session.scalars(stmt)), total


def practice_codes(session: Session, ids: Iterable[int]) -> dict[int, str]:
    """Practice id -> code."""
    rows = session.execute(select(Practice.id, Practice.code).where(Practice.id.in_(list(ids))))
    return dict(rows.tuples().all())
