"""The worklist, a case's details (every read audited) and the workflow steps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query

from api.bounds import (
    MAX_SEARCH,
    AgeDays,
    BoundedDate,
    CaseId,
    Offset,
    QueryAssignee,
    QueryCents,
)
from api.deps import (
    CaseApprover,
    CaseLister,
    CaseReader,
    CaseReopener,
    CaseWorker,
    PracticeCode,
    State,
    scoped_practice,
)
from api.errors import ApiError
from api.presenters import case_detail, case_out, totals_out
from api.schemas import (
    AssignIn,
    CaseDetailOut,
    CaseOut,
    CasePage,
    CompleteIn,
    HoldIn,
    ProposeIn,
    ReasonIn,
    SourceName,
    TotalsOut,
    Versioned,
)
from api.state import ServiceState
from cbclassify.contract.enums import VERIFICATIONS
from cbclassify.service.as_of import practice_as_of
from cbclassify.store.accounts import practice_by_id, usernames
from cbclassify.store.assignments import AssigneeNotAllowed, assign_cases
from cbclassify.store.case_queries import (
    AGE_BUCKETS,
    CaseFilter,
    SortKey,
    assignee_filter,
    case_history,
    case_user_ids,
    list_cases,
    model_version_label,
    resolve_search,
    worklist_totals,
)
from cbclassify.store.cases import ActingUser, apply_command, get_case, record_case_read
from cbclassify.workflow import CaseState, Command, Completion, Note, Proposal

router = APIRouter(tags=["cases"])
Verification = Literal[VERIFICATIONS]  # type: ignore[valid-type]  # the contract's values, read at run time (one source of truth)
AgeBucket = Literal[tuple(AGE_BUCKETS)]  # type: ignore[valid-type]  # the store's bucket keys
#: The ``age`` query parameter: one of the store's aging buckets.
AgeQuery = Annotated[
    AgeBucket | None,  # type: ignore[valid-type]  # see AgeBucket
    Query(description="aging bucket: days in credit to the practice's as-of date"),
]


@dataclass(frozen=True)
class WorklistFilters:
    """The worklist's filters as the query gave them (validated by FastAPI)."""

    status: list[CaseState] | None
    source: str | None
    verified_source: str | None
    verification: str | None
    payer_id: str | None
    payer_type: str | None
    location_id: str | None
    min_age_days: int | None
    max_age_days: int | None
    age: str | None
    due_before: date | None
    due_after: date | None
    overdue: bool | None
    min_amount_cents: int | None
    max_amount_cents: int | None
    include_cleared: bool
    q: str | None
    assigned_to: str | None

    def case_filter(self, today: date, user_id: int) -> CaseFilter:
        """The store's filter (days count to ``today``; ``me`` is ``user_id``). An aging
        bucket and min/max_age_days both narrow: the stricter bound of each side holds."""
        low, high = AGE_BUCKETS[self.age] if self.age else (None, None)
        min_age = max((v for v in (low, self.min_age_days) if v is not None), default=None)
        max_age = min((v for v in (high, self.max_age_days) if v is not None), default=None)
        assignee, unassigned = assignee_filter(self.assigned_to, user_id)
        return CaseFilter(
            states=tuple(self.status or ()),
            source=self.source,
            verified_source=self.verified_source,
            verification=self.verification,
            payer_id=self.payer_id,
            payer_type=self.payer_type,
            location_id=self.location_id,
            min_age_days=min_age,
            max_age_days=max_age,
            due_before=self.due_before,
            due_after=self.due_after,
            overdue=self.overdue,
            min_amount_cents=self.min_amount_cents,
            max_amount_cents=self.max_amount_cents,
            credit_present=None if self.include_cleared else True,
            search=self.q.strip() or None if self.q else None,
            assigned_to_id=assignee,
            unassigned=unassigned,
            today=today,
        )


def worklist_filters(
    status: Annotated[list[CaseState] | None, Query(description="case states")] = None,
    source: Annotated[SourceName | None, Query(description="predicted source")] = None,
    verified_source: SourceName | None = None,
    verification: Verification | None = None,
    payer_id: Annotated[str | None, Query(max_length=100)] = None,
    payer_type: Annotated[str | None, Query(max_length=32)] = None,
    location_id: Annotated[str | None, Query(max_length=100)] = None,
    min_age_days: AgeDays = None,
    max_age_days: AgeDays = None,
    age: AgeQuery = None,
    due_before: BoundedDate | None = None,
    due_after: BoundedDate | None = None,
    overdue: bool | None = None,
    min_amount_cents: QueryCents = None,
    max_amount_cents: QueryCents = None,
    include_cleared: bool = False,
    q: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=MAX_SEARCH,
            description="a claim number or patient id, or the start of one (case-insensitive)",
        ),
    ] = None,
    assigned_to: QueryAssignee = None,
) -> WorklistFilters:
    """The worklist's filters, shared by the page of cases and its totals."""
    return WorklistFilters(
        status,
        source,
        verified_source,
        verification,
        payer_id,
        payer_type,
        location_id,
        min_age_days,
        max_age_days,
        age,
        due_before,
        due_after,
        overdue,
        min_amount_cents,
        max_amount_cents,
        include_cleared,
        q,
        assigned_to,
    )


Filters = Annotated[WorklistFilters, Depends(worklist_filters)]


@router.get("/practices/{code}/cases", response_model=CasePage, summary="The worklist")
def worklist(
    code: PracticeCode,
    state: State,
    user: CaseLister,
    filters: Filters,
    sort: SortKey = "due_date",
    descending: bool = False,
    offset: Offset = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> CasePage:
    """Cases of one practice, filtered, sorted and paginated (credits still present by default).
    Ages, aging buckets, days to due and ``overdue`` count to the practice's ledger as-of date;
    ``q`` and ``assigned_to`` follow the web worklist's rules."""
    practice = scoped_practice(state, user, code)
    with state.db.read_session() as session:
        today = practice_as_of(session, practice.id)
        found = resolve_search(session, practice.id, filters.case_filter(today, user.user_id))
        rows, total = list_cases(session, practice.id, found, sort, descending, offset, limit)
    items = [case_out(c, practice.code, today) for c in rows]
    return CasePage(total=total, offset=offset, limit=limit, items=items)


@router.get(
    "/practices/{code}/cases/totals",
    response_model=TotalsOut,
    summary="Worklist totals and aging buckets",
)
def worklist_totals_route(
    code: PracticeCode, state: State, user: CaseLister, filters: Filters
) -> TotalsOut:
    """Cases and credit (integer cents) matching the same filters as the worklist, in all and
    per aging bucket of days in credit (to the practice's ledger as-of date)."""
    practice = scoped_practice(state, user, code)
    with state.db.read_session() as session:
        today = practice_as_of(session, practice.id)
        found = resolve_search(session, practice.id, filters.case_filter(today, user.user_id))
        totals = worklist_totals(session, practice.id, found, today)
    return totals_out(practice.code, today, totals)


@router.get("/cases/{case_id}", response_model=CaseDetailOut, summary="A case in full")
def read_case(case_id: CaseId, state: State, user: CaseReader) -> CaseDetailOut:
    """The case with its ledger history, prediction, explanation, verification evidence,
    recommendation and workflow history. The read is written to the audit trail."""
    with state.db.transaction() as session:
        case = get_case(session, case_id, user)
        record_case_read(session, case, user, "detail")
        history = case_history(session, case)
        practice = practice_by_id(session, case.practice_id)
        label = model_version_label(session, case.model_version_id)
        as_of = practice_as_of(session, case.practice_id)
        return case_detail(case, practice.code, as_of, history, user, label)


def _step(
    state: ServiceState,
    user: ActingUser,
    case_id: int,
    command: Command,
    version: int,
    payload: object,
) -> CaseOut:
    """One workflow step in one transaction, committed before the answer is sent."""
    with state.db.transaction() as session:
        case, _ = apply_command(
            session,
            case_id,
            user,
            command,
            payload,
            expected_version=version,
            default_threshold_cents=state.refund_threshold_cents,
        )
        practice = practice_by_id(session, case.practice_id)
        names = usernames(session, case_user_ids(case))
        out = case_out(case, practice.code, practice_as_of(session, practice.id), names)
    state.metrics.workflow.labels(command.value).inc()
    return out


@router.post("/cases/{case_id}/assign", response_model=CaseOut, summary="Assign a case")
def assign(case_id: CaseId, body: AssignIn, state: State, user: CaseWorker) -> CaseOut:
    """Assign the case to an active biller or manager of its practice (``user_id`` null: to
    nobody), as the web's bulk assign does: audited as ``case.assign``, the case's ``version``
    unchanged (assignment is not a workflow step)."""
    with state.db.transaction() as session:
        case = get_case(session, case_id, user)
        try:
            assign_cases(session, case.practice_id, [case.id], body.user_id, user)
        except AssigneeNotAllowed as err:
            raise ApiError(422, "invalid_request", str(err), field="body.user_id") from err
        practice = practice_by_id(session, case.practice_id)
        names = usernames(session, case_user_ids(case))
        return case_out(case, practice.code, practice_as_of(session, practice.id), names)


@router.post("/cases/{case_id}/review", response_model=CaseOut, summary="Start reviewing")
def start_review(case_id: CaseId, body: Versioned, state: State, user: CaseWorker) -> CaseOut:
    """open or reopened -> in_review."""
    return _step(state, user, case_id, Command.START_REVIEW, body.version, None)


@router.post("/cases/{case_id}/propose", response_model=CaseOut, summary="Propose an action")
def propose(case_id: CaseId, body: ProposeIn, state: State, user: CaseWorker) -> CaseOut:
    """in_review -> action_proposed. Another action than the recommended one needs a reason."""
    cents = None if body.amount is None else int(body.amount * 100)
    payload = Proposal(body.action, body.source, cents, body.reason)
    return _step(state, user, case_id, Command.PROPOSE, body.version, payload)


@router.post("/cases/{case_id}/withdraw", response_model=CaseOut, summary="Withdraw a proposal")
def withdraw(case_id: CaseId, body: Versioned, state: State, user: CaseWorker) -> CaseOut:
    """action_proposed or approved -> in_review."""
    return _step(state, user, case_id, Command.WITHDRAW, body.version, None)


@router.post("/cases/{case_id}/approve", response_model=CaseOut, summary="Approve a proposal")
def approve(case_id: CaseId, body: ReasonIn, state: State, user: CaseApprover) -> CaseOut:
    """action_proposed -> approved, by a manager who did not propose it."""
    return _step(state, user, case_id, Command.APPROVE, body.version, Note(reason=body.reason))


@router.post("/cases/{case_id}/reject", response_model=CaseOut, summary="Reject a proposal")
def reject(case_id: CaseId, body: ReasonIn, state: State, user: CaseApprover) -> CaseOut:
    """action_proposed -> in_review, with a reason."""
    return _step(state, user, case_id, Command.REJECT, body.version, Note(reason=body.reason))


@router.post("/cases/{case_id}/hold", response_model=CaseOut, summary="Put on hold")
def hold(case_id: CaseId, body: HoldIn, state: State, user: CaseWorker) -> CaseOut:
    """Any open state -> on_hold. An ``investigation`` hold suspends the refund clock."""
    payload = Note(reason=body.reason, kind=body.kind)
    return _step(state, user, case_id, Command.HOLD, body.version, payload)


@router.post("/cases/{case_id}/release", response_model=CaseOut, summary="Release a hold")
def release(case_id: CaseId, body: Versioned, state: State, user: CaseWorker) -> CaseOut:
    """on_hold -> the state it was held in."""
    return _step(state, user, case_id, Command.RELEASE, body.version, None)


@router.post("/cases/{case_id}/complete", response_model=CaseOut, summary="Mark done")
def complete(case_id: CaseId, body: CompleteIn, state: State, user: CaseWorker) -> CaseOut:
    """approved (or a proposal needing no approval) -> done, recording how it was done."""
    payload = Completion(**body.model_dump(exclude={"version"}))
    return _step(state, user, case_id, Command.COMPLETE, body.version, payload)


@router.post("/cases/{case_id}/reopen", response_model=CaseOut, summary="Reopen a done case")
def reopen(case_id: CaseId, body: ReasonIn, state: State, user: CaseReopener) -> CaseOut:
    """done -> reopened, with a reason."""
    return _step(state, user, case_id, Command.REOPEN, body.version, Note(reason=body.reason))
