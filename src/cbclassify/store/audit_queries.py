"""Reads of the audit trail: the rows an export streams and a page of the trail.

One scoping rule for both: the rows of the caller's practices; rows of no practice (global
events: sign-ins, users, roles, grants, tokens, model reloads) only for readers who see global
events (``sees_global_events``: user administrators), and never when one case is asked for.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from cbclassify.store.models_audit import AuditEvent
from cbclassify.store.models_cases import CreditCase
from cbclassify.workflow import Permission, has_permission

#: The audit page's "what" filter: each choice is a set of action names.
AUDIT_KINDS: dict[str, tuple[str, ...]] = {
    "workflow": (
        "case.start_review",
        "case.propose",
        "case.withdraw",
        "case.approve",
        "case.reject",
        "case.hold",
        "case.release",
        "case.complete",
        "case.reopen",
        "case.override",
        "case.assign",
    ),
    "reads": ("case.read",),
    "signins": ("auth.login", "auth.login_failed", "auth.logout"),
    "data": ("batch.ingest", "export.audit", "export.resolutions", "export.worklist"),
    "documents": ("document.refund_letter", "document.patient_refund_form"),
    "users": (
        "user.create",
        "user.update",
        "user.deactivate",
        "user.password_reset",
        "user.revoke_credentials",
        "token.revoke",
    ),
}


def sees_global_events(roles: Iterable[str]) -> bool:
    """Whether a reader of the audit trail also sees global events (rows of no practice:
    sign-ins, user accounts, roles, grants, tokens): only user administrators do, since
    those rows concern users of every practice."""
    return has_permission(frozenset(roles), Permission.USERS_MANAGE)


@dataclass(frozen=True)
class AuditQuery:
    """Which audit rows: one case, the UTC days ``start``..``end`` inclusive, one kind of
    action (a key of ``AUDIT_KINDS``), the cases of one claim number (``case_ids``, from
    ``case_ids_of_claim``; an empty tuple matches nothing); None means any."""

    case_id: int | None = None
    start: date | None = None
    end: date | None = None
    kind: str | None = None
    case_ids: tuple[int, ...] | None = None


def _where(
    practice_ids: Iterable[int] | None, q: AuditQuery, include_system: bool
) -> list[ColumnElement[bool]]:
    """The conditions of ``q`` within ``practice_ids`` (None = every practice)."""
    where: list[ColumnElement[bool]] = []
    if practice_ids is not None:
        scoped: ColumnElement[bool] = AuditEvent.practice_id.in_(list(practice_ids))
        if include_system and q.case_id is None and q.case_ids is None:
            scoped = or_(scoped, AuditEvent.practice_id.is_(None))
        where.append(scoped)
    if q.case_id is not None:
        where.append(AuditEvent.case_id == q.case_id)
    if q.case_ids is not None:
        where.append(AuditEvent.case_id.in_(list(q.case_ids)))
    if q.start is not None:
        where.append(AuditEvent.occurred_at >= datetime.combine(q.start, time()).isoformat())
    if q.end is not None:
        stop = datetime.combine(q.end + timedelta(days=1), time()).isoformat()
        where.append(AuditEvent.occurred_at < stop)
    if q.kind in AUDIT_KINDS:
        where.append(AuditEvent.action.in_(AUDIT_KINDS[q.kind]))
    return where


def case_ids_of_claim(session: Session, practice_ids: Iterable[int], claim_id: str) -> list[int]:
    """Ids of the cases of one claim number in the given practices (one per practice)."""
    stmt = (
        select(CreditCase.id)
        .where(CreditCase.claim_id == claim_id, CreditCase.practice_id.in_(list(practice_ids)))
        .order_by(CreditCase.id)
    )
    return list(session.scalars(stmt))


def audit_events(
    session: Session,
    practice_ids: Iterable[int] | None,
    *,
    case_id: int | None = None,
    start: date | None = None,
    end: date | None = None,
    include_system: bool = False,
    case_ids: Iterable[int] | None = None,
) -> Iterator[AuditEvent]:
    """Audit rows, oldest first, of the given practices (None = all rows), one case, the
    cases ``case_ids`` (e.g. of one claim: ``case_ids_of_claim``; empty matches nothing),
    and/or the days ``start``..``end`` inclusive (UTC), streamed. With a list of practices,
    global rows (no practice, e.g. sign-ins) come only with ``include_system`` and no case."""
    ids = None if case_ids is None else tuple(case_ids)
    where = _where(practice_ids, AuditQuery(case_id, start, end, case_ids=ids), include_system)
    stmt = select(AuditEvent).where(*where).order_by(AuditEvent.seq)
    yield from session.scalars(stmt.execution_options(yield_per=1000))


def audit_page(
    session: Session,
    practice_ids: Iterable[int],
    q: AuditQuery,
    offset: int,
    limit: int,
    *,
    include_system: bool = False,
) -> tuple[list[AuditEvent], int]:
    """Audit rows matching ``q`` in the given practices (global rows only with
    ``include_system``), newest first, and how many match."""
    where = _where(practice_ids, q, include_system=include_system)
    total = session.scalar(select(func.count()).select_from(AuditEvent).where(*where)) or 0
    stmt = select(AuditEvent).where(*where).order_by(AuditEvent.seq.desc())
    return list(session.scalars(stmt.offset(offset).limit(limit))), total
