"""Read-side queries: the filtered, sorted, paginated worklist, a case's history, batches and
practice summaries. Every query is scoped to one practice the caller was granted."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Literal

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from cbclassify.store.models_auth import User
from cbclassify.store.models_cases import (
    Approval,
    CaseEvent,
    CaseObservation,
    CreditCase,
    LedgerBatch,
)

SortKey = Literal["due_date", "amount", "age", "payer", "updated", "id"]
_SORT_COLUMNS = {
    "due_date": CreditCase.due_date,
    "amount": CreditCase.credit_cents,
    "age": CreditCase.credit_since,
    "payer": CreditCase.payer_id,
    "updated": CreditCase.updated_at,
    "id": CreditCase.id,
}
#: States in which a case still needs work.
OPEN_STATES = ("open", "in_review", "action_proposed", "approved", "on_hold", "reopened")


@dataclass(frozen=True)
class CaseFilter:
    """Worklist filters; None means "any". Age is counted in days up to ``today``."""

    states: tuple[str, ...] = ()
    source: str | None = None  # predicted source
    verified_source: str | None = None
    verification: str | None = None
    payer_id: str | None = None
    payer_type: str | None = None
    location_id: str | None = None
    min_age_days: int | None = None
    max_age_days: int | None = None
    due_before: date | None = None
    due_after: date | None = None
    overdue: bool | None = None
    min_amount_cents: int | None = None
    max_amount_cents: int | None = None
    credit_present: bool | None = True
    today: date = field(default_factory=date.today)


def _where(stmt: Select[Any], f: CaseFilter) -> Select[Any]:
    c = CreditCase
    equal = {c.predicted_source: f.source, c.verified_source: f.verified_source,
             c.verification: f.verification, c.payer_id: f.payer_id,
             c.payer_type: f.payer_type, c.location_id: f.location_id,
             c.credit_present: f.credit_present}  # fmt: skip
    for column, value in equal.items():
        if value is not None:
            stmt = stmt.where(column == value)
    if f.states:
        stmt = stmt.where(c.state.in_(f.states))
    if f.min_age_days is not None:
        stmt = stmt.where(c.credit_since <= f.today - timedelta(days=f.min_age_days))
    if f.max_age_days is not None:
        stmt = stmt.where(c.credit_since >= f.today - timedelta(days=f.max_age_days))
    if f.due_before is not None:
        stmt = stmt.where(c.due_date <= f.due_before)
    if f.due_after is not None:
        stmt = stmt.where(c.due_date >= f.due_after)
    if f.overdue is not None:
        late = (c.due_date < f.today) & c.state.in_(OPEN_STATES)
        stmt = stmt.where(late if f.overdue else ~late | c.due_date.is_(None))
    if f.min_amount_cents is not None:
        stmt = stmt.where(c.credit_cents >= f.min_amount_cents)
    if f.max_amount_cents is not None:
        stmt = stmt.where(c.credit_cents <= f.max_amount_cents)
    return stmt


def list_cases(
    session: Session,
    practice_id: int,
    filters: CaseFilter,
    sort: SortKey = "due_date",
    descending: bool = False,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[CreditCase], int]:
    """One page of a practice's cases and the total number matching the filters."""
    base = _where(select(CreditCase).where(CreditCase.practice_id == practice_id), filters)
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    column = _SORT_COLUMNS[sort]
    order = column.desc() if descending else column.asc()
    nulls_last = order.nulls_last()
    page = session.scalars(base.order_by(nulls_last, CreditCase.id).offset(offset).limit(limit))
    return list(page), total


@dataclass(frozen=True)
class CaseHistory:
    """Everything that happened to a case: observations per batch, steps, approvals."""

    observations: list[CaseObservation]
    events: list[CaseEvent]
    approvals: list[Approval]
    usernames: dict[int, str]


def case_history(session: Session, case: CreditCase) -> CaseHistory:
    """The case's observations, workflow events and approval decisions, oldest first."""
    obs = session.scalars(
        select(CaseObservation)
        .where(CaseObservation.case_id == case.id)
        .order_by(CaseObservation.id)
    )
    events = session.scalars(
        select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)
    )
    approvals = session.scalars(
        select(Approval).where(Approval.case_id == case.id).order_by(Approval.id)
    )
    history = CaseHistory(list(obs), list(events), list(approvals), {})
    ids = {e.actor_id for e in history.events if e.actor_id}
    ids |= {a.approver_id for a in history.approvals} | {
        a.proposed_by_id for a in history.approvals
    }
    ids |= {i for i in (case.proposed_by_id, case.approved_by_id, case.resolved_by_id) if i}
    if ids:
        history.usernames.update(
            session.execute(select(User.id, User.username).where(User.id.in_(ids))).tuples().all()
        )
    return history


def list_batches(session: Session, practice_id: int, limit: int = 100) -> list[LedgerBatch]:
    """The practice's most recent ingests, newest first."""
    stmt = (
        select(LedgerBatch)
        .where(LedgerBatch.practice_id == practice_id)
        .order_by(LedgerBatch.id.desc())
        .limit(limit)
    )
    return list(session.scalars(stmt))


def practice_summary(session: Session, practice_id: int, today: date) -> dict[str, Any]:
    """Counts and amounts per state and per predicted source, and overdue open cases."""
    c = CreditCase
    scoped = select(c).where(c.practice_id == practice_id, c.credit_present.is_(True)).subquery()
    by_state = session.execute(
        select(scoped.c.state, func.count(), func.coalesce(func.sum(scoped.c.credit_cents), 0))
        .group_by(scoped.c.state)
    ).all()  # fmt: skip
    by_source = session.execute(
        select(scoped.c.predicted_source, func.count(),
               func.coalesce(func.sum(scoped.c.credit_cents), 0))
        .group_by(scoped.c.predicted_source)
    ).all()  # fmt: skip
    overdue = session.execute(
        select(func.count(), func.coalesce(func.sum(scoped.c.credit_cents), 0)).where(
            scoped.c.due_date < today, scoped.c.state.in_(OPEN_STATES)
        )
    ).one()
    return {
        "by_state": {s: {"cases": n, "credit_cents": int(a)} for s, n, a in by_state},
        "by_source": {
            (s or "unknown"): {"cases": n, "credit_cents": int(a)} for s, n, a in by_source
        },
        "overdue": {"cases": overdue[0], "credit_cents": int(overdue[1])},
    }
