"""Reads of credit cases: the filtered, sorted, paginated worklist and its filter choices, a
case's history, the approval queue, practice summaries, de-identified outcomes and done cases
as resolutions. Every query is scoped to practices the caller was granted (the caller checks
the grant; these functions take the practice ids)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Literal

import pandas as pd
from sqlalchemy import Select, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from cbclassify.contract.ledger import coerce_frame
from cbclassify.store.accounts import usernames
from cbclassify.store.models_auth import Practice, User
from cbclassify.store.models_cases import (
    Approval,
    CaseEvent,
    CaseObservation,
    CreditCase,
    LedgerBatch,
    ModelVersion,
)

SortKey = Literal["due_date", "amount", "age", "payer", "updated", "id"]
_SORT_COLUMNS = {
    "due_date": CreditCase.due_date,
    "amount": CreditCase.credit_amount_cents,
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
    equal = {
        c.predicted_source: f.source,
        c.verified_source: f.verified_source,
        c.verification: f.verification,
        c.payer_id: f.payer_id,
        c.payer_type: f.payer_type,
        c.location_id: f.location_id,
        c.credit_present: f.credit_present,
    }
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
        stmt = stmt.where(c.credit_amount_cents >= f.min_amount_cents)
    if f.max_amount_cents is not None:
        stmt = stmt.where(c.credit_amount_cents <= f.max_amount_cents)
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
    ids |= set(case_user_ids(case))
    history.usernames.update(usernames(session, ids))
    return history


def case_user_ids(case: CreditCase) -> list[int]:
    """Ids of the users who proposed, approved and resolved the case (where set)."""
    return [i for i in (case.proposed_by_id, case.approved_by_id, case.resolved_by_id) if i]


def model_version_label(session: Session, model_version_id: int | None) -> str | None:
    """``name vN`` of the model version that made a case's prediction (None: no model)."""
    if model_version_id is None:
        return None
    version = session.get(ModelVersion, model_version_id)
    return f"{version.name} v{version.version}" if version else None


def practice_summary(session: Session, practice_id: int, today: date) -> dict[str, Any]:
    """Counts and amounts per state and per predicted source, and overdue open cases (the
    amounts under the API's published key ``credit_cents``)."""
    c = CreditCase
    scoped = select(c).where(c.practice_id == practice_id, c.credit_present.is_(True)).subquery()
    by_state = session.execute(
        select(
            scoped.c.state, func.count(), func.coalesce(func.sum(scoped.c.credit_amount_cents), 0)
        ).group_by(scoped.c.state)
    ).all()
    by_source = session.execute(
        select(
            scoped.c.predicted_source,
            func.count(),
            func.coalesce(func.sum(scoped.c.credit_amount_cents), 0),
        ).group_by(scoped.c.predicted_source)
    ).all()
    overdue = session.execute(
        select(func.count(), func.coalesce(func.sum(scoped.c.credit_amount_cents), 0)).where(
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


@dataclass(frozen=True)
class FilterChoices:
    """Distinct payers and locations among a practice's cases."""

    payers: list[str]
    locations: list[str]


def _distinct(
    session: Session, column: InstrumentedAttribute[str | None], practice_id: int
) -> list[str]:
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
    ledger is ingested, so they are kept per (database, practice, latest batch): the batch
    lookup is far cheaper than the two distinct scans over every case."""
    latest = session.scalar(
        select(func.max(LedgerBatch.id)).where(LedgerBatch.practice_id == practice_id)
    )
    key = (str(session.get_bind().engine.url), practice_id, latest)
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
    """Proposals needing approval in the given practices, most urgent due date first, and how
    many there are in all."""
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
        # instead of walking the whole practice in due-date order.
        .order_by(CreditCase.due_date.is_(None), CreditCase.due_date, CreditCase.id)
        .offset(offset)
        .limit(limit)
    ).all()
    return [QueueItem(case, code, name) for case, code, name in rows], total


def practice_cases(session: Session, practice_id: int, limit: int) -> list[CreditCase]:
    """The practice's first ``limit`` cases by id (present or cleared, any state)."""
    stmt = (
        select(CreditCase)
        .where(CreditCase.practice_id == practice_id)
        .order_by(CreditCase.id)
        .limit(limit)
    )
    return list(session.scalars(stmt))


_RESOLUTION_MEMORY_COLUMNS = [
    "claim_id",
    "source",
    "action",
    "amount_cents",
    "resolved_date",
    "resolved_by",
    "identified_date",
]


def resolutions_frame(session: Session, practice_id: int) -> pd.DataFrame:
    """Done cases of a practice as a typed ``resolutions`` table (memory names, cents).

    source and action are what the biller proposed and completed; amount is the resolved
    amount; identified_date is when the credit was first ingested (training reads the claim's
    history as of that date).
    """
    resolver = aliased(User)
    rows = session.execute(
        select(
            CreditCase.claim_id,
            CreditCase.proposed_source,
            CreditCase.proposed_action,
            CreditCase.proposed_amount_cents,
            CreditCase.resolved_date,
            resolver.username,
            CreditCase.identified_date,
        )
        .join(resolver, resolver.id == CreditCase.resolved_by_id)
        .where(CreditCase.practice_id == practice_id, CreditCase.state == "done")
        .order_by(CreditCase.resolved_date, CreditCase.id)
    ).all()
    frame = pd.DataFrame([tuple(r) for r in rows], columns=_RESOLUTION_MEMORY_COLUMNS)
    for col in ("resolved_date", "identified_date"):
        frame[col] = pd.to_datetime(frame[col])
    return coerce_frame("resolutions", frame)
