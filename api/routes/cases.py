"""The worklist, a case's details (every read audited) and the workflow steps."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from api.bounds import AgeDays, BoundedDate, CaseId, Offset, QueryCents
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
from api.presenters import case_detail, case_out
from api.schemas import (
    CaseDetailOut,
    CaseOut,
    CasePage,
    CompleteIn,
    HoldIn,
    ProposeIn,
    ReasonIn,
    SourceName,
    Versioned,
)
from api.state import ServiceState
from cbclassify.contract.enums import VERIFICATIONS
from cbclassify.service.as_of import practice_as_of
from cbclassify.store.accounts import practice_by_id, usernames
from cbclassify.store.case_queries import (
    CaseFilter,
    SortKey,
    case_history,
    case_user_ids,
    list_cases,
    model_version_label,
)
from cbclassify.store.cases import ActingUser, apply_command, get_case, record_case_read
from cbclassify.workflow import CaseState, Command, Completion, Note, Proposal

router = APIRouter(tags=["cases"])
Verification = Literal[VERIFICATIONS]  # type: ignore[valid-type]  # the contract's values, read at run time (one source of truth)


@router.get("/practices/{code}/cases", response_model=CasePage, summary="The worklist")
def worklist(
    code: PracticeCode,
    state: State,
    user: CaseLister,
    status: Annotated[list[CaseState] | None, Query(description="case states")] = None,
    source: Annotated[SourceName | None, Query(description="predicted source")] = None,
    verified_source: SourceName | None = None,
    verification: Verification | None = None,
    payer_id: Annotated[str | None, Query(max_length=100)] = None,
    payer_type: Annotated[str | None, Query(max_length=32)] = None,
    location_id: Annotated[str | None, Query(max_length=100)] = None,
    min_age_days: AgeDays = None,
    max_age_days: AgeDays = None,
    due_before: BoundedDate | None = None,
    due_after: BoundedDate | None = None,
    overdue: bool | None = None,
    min_amount_cents: QueryCents = None,
    max_amount_cents: QueryCents = None,
    include_cleared: bool = False,
    sort: SortKey = "due_date",
    descending: bool = False,
    offset: Offset = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> CasePage:
    """Cases of one practice, filtered, sorted and paginated (credits still present by default).
    Ages, days to due and ``overdue`` count to the practice's ledger as-of date."""
    practice = scoped_practice(state, user, code)
    with state.db.read_session() as session:
        today = practice_as_of(session, practice.id)
    filters = CaseFilter(
        states=tuple(status or ()),
        source=source,
        verified_source=verified_source,
        verification=verification,
        payer_id=payer_id,
        payer_type=payer_type,
        location_id=location_id,
        min_age_days=min_age_days,
        max_age_days=max_age_days,
        due_before=due_before,
        due_after=due_after,
        overdue=overdue,
        min_amount_cents=min_amount_cents,
        max_amount_cents=max_amount_cents,
        credit_present=None if include_cleared else True,
        today=today,
    )
    with state.db.read_session() as session:
        rows, total = list_cases(session, practice.id, filters, sort, descending, offset, limit)
    items = [case_out(c, practice.code, today) for c in rows]
    return CasePage(total=total, offset=offset, limit=limit, items=items)


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
