"""Reads of credit cases: the filtered, sorted, paginated worklist and its filter choices, a
case's history, the approval queue, practice summaries, de-identified outcomes and done cases
as resolutions. Every query is scoped to practices the caller was granted (the caller checks
the grant; these functions take the practice ids)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any, Literal, cast

import pandas as pd
from sqlalchemy import Row, Select, func, or_, select
from sqlalchemy import case as sql_case
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from cbclassify.contract.ledger import coerce_frame
from cbclassify.store.accounts import usernames
from cbclassify.store.ingest import CASE_FACTS
from cbclassify.store.models_auth import Practice, User, UserPractice, UserRole
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
    #: A claim number or patient id, or the start of one (case-insensitive).
    search: str | None = None
    #: Cases assigned to this user id; ``unassigned`` True: cases assigned to nobody.
    assigned_to_id: int | None = None
    unassigned: bool | None = None
    #: Only these cases (a search resolved once, see ``resolve_search``).
    case_ids: tuple[int, ...] | None = None
    today: date = field(default_factory=date.today)


def assignee_filter(choice: str | None, user_id: int) -> tuple[int | None, bool | None]:
    """``CaseFilter``'s (assigned_to_id, unassigned) for an "assigned to" choice: ``me`` (the
    cases of ``user_id``), ``none`` (unassigned), a user id as digits, or nothing (anyone)."""
    if choice == "me":
        return user_id, None
    if choice == "none":
        return None, True
    return (int(choice) if choice and choice.isdigit() else None), None


def _like_prefix(text: str) -> str:
    """A LIKE pattern matching values that start with ``text`` (wildcards escaped)."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "%"


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
    if f.search:
        pattern = _like_prefix(f.search.strip())
        stmt = stmt.where(
            or_(
                func.lower(c.claim_id).like(pattern, escape="\\"),
                func.lower(c.patient_id).like(pattern, escape="\\"),
            )
        )
    if f.case_ids is not None:
        stmt = stmt.where(c.id.in_(f.case_ids))
    if f.assigned_to_id is not None:
        stmt = stmt.where(c.assigned_to_id == f.assigned_to_id)
    if f.unassigned is not None:
        stmt = stmt.where(
            c.assigned_to_id.is_(None) if f.unassigned else c.assigned_to_id.is_not(None)
        )
    return stmt


#: A search matching at most this many cases is resolved to their ids once per page.
SEARCH_IDS_KEPT = 2000


def resolve_search(session: Session, practice_id: int, filters: CaseFilter) -> CaseFilter:
    """``filters`` with its search replaced by the ids of the practice's cases it matches,
    found in one pass: the page's totals and rows then read those rows by key instead of each
    scanning every case with the search. A search matching more than SEARCH_IDS_KEPT cases is
    left as it is."""
    if not filters.search:
        return filters
    only_search = CaseFilter(search=filters.search, credit_present=None)
    base = _where(select(CreditCase.id).where(CreditCase.practice_id == practice_id), only_search)
    ids = list(session.scalars(base.limit(SEARCH_IDS_KEPT + 1)))
    if len(ids) > SEARCH_IDS_KEPT:
        return filters
    return replace(filters, search=None, case_ids=tuple(ids))


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
    base = _practice_cases(practice_id, filters)
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    page = _ordered(base, sort, descending).offset(offset).limit(limit)
    return list(session.scalars(page)), total


def _practice_cases(practice_id: int, filters: CaseFilter) -> Select[Any]:
    """The practice's cases matching the filters (unordered)."""
    return _where(select(CreditCase).where(CreditCase.practice_id == practice_id), filters)


def _ordered(stmt: Select[Any], sort: SortKey, descending: bool) -> Select[Any]:
    column = _SORT_COLUMNS[sort]
    order = column.desc() if descending else column.asc()
    return stmt.order_by(order.nulls_last(), CreditCase.id)


def page_of_cases(
    session: Session,
    practice_id: int,
    filters: CaseFilter,
    sort: SortKey = "due_date",
    descending: bool = False,
    offset: int = 0,
    limit: int = 50,
) -> list[CreditCase]:
    """One page of a practice's cases (no count: see ``worklist_totals``)."""
    base = _practice_cases(practice_id, filters)
    return list(session.scalars(_ordered(base, sort, descending).offset(offset).limit(limit)))


def matching_case_ids(
    session: Session,
    practice_id: int,
    filters: CaseFilter,
    sort: SortKey = "due_date",
    descending: bool = False,
    limit: int = 1000,
) -> list[int]:
    """Ids of the practice's cases matching the filters, in worklist order (at most ``limit``)."""
    base = _where(select(CreditCase.id).where(CreditCase.practice_id == practice_id), filters)
    return list(session.scalars(_ordered(base, sort, descending).limit(limit)))


def cases_by_ids(session: Session, practice_id: int, case_ids: Iterable[int]) -> list[CreditCase]:
    """The practice's cases among ``case_ids`` (others' ids are ignored), by id."""
    ids = list(case_ids)
    if not ids:
        return []
    stmt = (
        select(CreditCase)
        .where(CreditCase.practice_id == practice_id, CreditCase.id.in_(ids))
        .order_by(CreditCase.id)
    )
    return list(session.scalars(stmt))


#: Aging buckets by days in credit (as of the practice's ledger date): key -> (min, max) days.
AGE_BUCKETS: dict[str, tuple[int | None, int | None]] = {
    "0-30": (None, 30),
    "31-60": (31, 60),
    "61-90": (61, 90),
    "91-120": (91, 120),
    "120+": (121, None),
}


@dataclass(frozen=True)
class Bucket:
    """Cases and credit in one aging bucket."""

    key: str
    cases: int
    credit_amount_cents: int


@dataclass(frozen=True)
class WorklistTotals:
    """Cases and credit matching a filter, and the same split by days in credit (cases with no
    credit-since date are in no bucket: ``undated``)."""

    cases: int
    credit_amount_cents: int
    buckets: list[Bucket]
    undated: int

    def bucket(self, key: str) -> Bucket:
        """The bucket ``key`` (one of AGE_BUCKETS)."""
        return next(b for b in self.buckets if b.key == key)


def _bucket_of(as_of: date) -> Any:
    """The aging bucket of a case as one SQL expression (NULL when it has no credit-since)."""
    since = CreditCase.credit_since
    whens: list[tuple[Any, str]] = []
    for key, (_, high) in AGE_BUCKETS.items():
        if high is not None:  # the buckets are in increasing age: the first that fits
            whens.append((since >= as_of - timedelta(days=high), key))
    last = list(AGE_BUCKETS)[-1]
    return sql_case(*whens, else_=sql_case((since.is_not(None), last), else_=None))


def worklist_totals(
    session: Session, practice_id: int, filters: CaseFilter, as_of: date
) -> WorklistTotals:
    """Count and credit of the cases matching ``filters``, in all and per aging bucket (days in
    credit counted up to ``as_of``), in one grouped pass over the practice's cases."""
    c = CreditCase
    bucket = _bucket_of(as_of).label("bucket")
    inner = _where(
        select(bucket, c.credit_amount_cents).select_from(c).where(c.practice_id == practice_id),
        filters,
    ).subquery()
    rows = session.execute(
        select(
            inner.c.bucket, func.count(), func.coalesce(func.sum(inner.c.credit_amount_cents), 0)
        ).group_by(inner.c.bucket)
    ).all()
    found = {key: (int(n), int(cents)) for key, n, cents in rows}
    buckets = [Bucket(key, *found.get(key, (0, 0))) for key in AGE_BUCKETS]
    undated = found.get(None, (0, 0))
    cases = sum(n for n, _ in found.values())
    cents = sum(v for _, v in found.values())
    return WorklistTotals(cases, cents, buckets, undated[0])


#: Columns of the worklist export, in order (the query's labels).
EXPORT_FIELDS: tuple[str, ...] = (
    "case_id",
    *CASE_FACTS,
    "identified_date",
    "predicted_source",
    "confidence",
    "verification",
    "verified_source",
    "recommended_action",
    "due_date",
    "state",
    "proposed_action",
    "proposed_amount_cents",
    "assigned_to",
)


def export_rows(
    session: Session,
    practice_id: int,
    filters: CaseFilter,
    sort: SortKey = "due_date",
    descending: bool = False,
) -> Iterator[Row[Any]]:
    """Every case matching the filters (no paging), in worklist order, as rows of
    EXPORT_FIELDS (only the listed columns are read: no histories)."""
    c, assignee = CreditCase, aliased(User)
    stmt = cast(
        "Select[Any]",  # twenty labelled columns: the filters and order take any select
        select(
            c.id.label("case_id"),
            *(getattr(c, name) for name in CASE_FACTS),
            c.identified_date,
            c.predicted_source,
            c.confidence,
            c.verification,
            c.verified_source,
            c.recommended_action,
            c.due_date,
            c.state,
            c.proposed_action,
            c.proposed_amount_cents,
            assignee.username.label("assigned_to"),
        )
        .outerjoin(assignee, assignee.id == c.assigned_to_id)
        .where(c.practice_id == practice_id),
    )
    stmt = _ordered(_where(stmt, filters), sort, descending)
    yield from session.execute(stmt.execution_options(yield_per=2000))


def case_workers(session: Session, practice_id: int, roles: Iterable[str]) -> dict[int, str]:
    """Active users granted the practice who hold one of ``roles``: id -> username, by name."""
    stmt = (
        select(User.id, User.username)
        .join(UserPractice, UserPractice.user_id == User.id)
        .join(UserRole, UserRole.user_id == User.id)
        .where(
            UserPractice.practice_id == practice_id,
            UserRole.role.in_(list(roles)),
            User.is_active.is_(True),
        )
        .distinct()
        .order_by(User.username)
    )
    return {user_id: name for user_id, name in session.execute(stmt)}


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
    """Distinct payers (with their names, where the ledger gave one) and locations among a
    practice's cases."""

    payers: list[str]
    locations: list[str]
    payer_names: dict[str, str] = field(default_factory=dict)


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
        names = session.execute(
            select(CreditCase.payer_id, func.max(CreditCase.payer_name))
            .where(CreditCase.practice_id == practice_id, CreditCase.payer_id.is_not(None))
            .group_by(CreditCase.payer_id)
            .order_by(CreditCase.payer_id)
        ).all()
        found = FilterChoices(
            [payer for payer, _ in names if payer],
            _distinct(session, CreditCase.location_id, practice_id),
            {payer: name for payer, name in names if payer and name},
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


def case_action_column() -> Any:
    """The action a case is headed for: the proposal's, else the recommendation's."""
    return func.coalesce(CreditCase.proposed_action, CreditCase.recommended_action)


def payer_refund_cases(
    session: Session,
    practice_id: int,
    payer_id: str,
    actions: Iterable[str],
    states: Iterable[str],
) -> list[CreditCase]:
    """A payer's confirmed credits (still present) headed for one of ``actions`` in one of
    ``states``, by claim: the cases of a batch of refund letters."""
    stmt = (
        select(CreditCase)
        .where(
            CreditCase.practice_id == practice_id,
            CreditCase.payer_id == payer_id,
            CreditCase.verification == "confirmed",
            CreditCase.credit_present.is_(True),
            CreditCase.state.in_(list(states)),
            case_action_column().in_(list(actions)),
        )
        .order_by(CreditCase.claim_id, CreditCase.id)
    )
    return list(session.scalars(stmt))


def payers_with_refunds(
    session: Session, practice_id: int, actions: Iterable[str], states: Iterable[str]
) -> dict[str, int]:
    """Payer id -> number of confirmed present credits headed for ``actions`` in ``states``."""
    stmt = (
        select(CreditCase.payer_id, func.count())
        .where(
            CreditCase.practice_id == practice_id,
            CreditCase.payer_id.is_not(None),
            CreditCase.verification == "confirmed",
            CreditCase.credit_present.is_(True),
            CreditCase.state.in_(list(states)),
            case_action_column().in_(list(actions)),
        )
        .group_by(CreditCase.payer_id)
        .order_by(CreditCase.payer_id)
    )
    return {str(p): int(n) for p, n in session.execute(stmt).tuples()}
