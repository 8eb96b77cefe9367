"""Stored cases -> API bodies."""

from __future__ import annotations

from datetime import date

from api.schemas import (
    ApprovalOut,
    BucketOut,
    CaseDetailOut,
    CaseOut,
    EventOut,
    HoldOut,
    ObservationOut,
    ProposalOut,
    ResolutionOut,
    TotalsOut,
)
from cbclassify.contract.money import format_cents
from cbclassify.store.base import as_utc
from cbclassify.store.case_queries import OPEN_STATES, CaseHistory, WorklistTotals
from cbclassify.store.cases import ActingUser
from cbclassify.store.models_cases import CreditCase
from cbclassify.workflow import COMMAND_PERMISSION, CaseState, Command, has_permission
from cbclassify.workflow.machine import ALLOWED_FROM


def _proposal(case: CreditCase, names: dict[int, str]) -> ProposalOut | None:
    if case.proposed_action is None:
        return None
    amount = case.proposed_amount_cents or 0
    return ProposalOut(
        action=case.proposed_action,
        source=case.proposed_source,
        amount=format_cents(amount),
        amount_cents=amount,
        reason=case.proposal_reason,
        proposed_by=names.get(case.proposed_by_id or 0),
        approval_required=case.approval_required,
        approved_by=names.get(case.approved_by_id or 0),
    )


def _hold(case: CreditCase) -> HoldOut | None:
    if case.state != CaseState.ON_HOLD or case.hold_kind is None:
        return None
    return HoldOut(
        kind=case.hold_kind,
        reason=case.hold_reason,
        since=case.hold_started_on,
        returns_to=case.hold_return_state,
    )


def _resolution(case: CreditCase, names: dict[int, str]) -> ResolutionOut | None:
    if case.resolution_kind is None:
        return None
    return ResolutionOut(
        kind=case.resolution_kind,
        resolved_date=case.resolved_date,
        resolved_by=names.get(case.resolved_by_id or 0),
        details=case.resolution_details or {},
    )


def case_out(
    case: CreditCase, practice_code: str, today: date, names: dict[int, str] | None = None
) -> CaseOut:
    """The worklist view of a case (``names``: user id -> username, for who did what)."""
    names = names or {}
    due = case.due_date
    return CaseOut(
        id=case.id,
        practice=practice_code,
        claim_id=case.claim_id,
        patient_id=case.patient_id,
        payer_id=case.payer_id,
        payer_name=case.payer_name,
        payer_type=case.payer_type,
        location_id=case.location_id,
        credit_amount=format_cents(case.credit_amount_cents),
        credit_cents=case.credit_amount_cents,
        credit_since=case.credit_since,
        age_days=(today - case.credit_since).days if case.credit_since else None,
        identified_date=case.identified_date,
        predicted_source=case.predicted_source,
        confidence=case.confidence,
        verification=case.verification,
        verified_source=case.verified_source,
        recommended_action=case.recommended_action,
        due_date=due,
        days_to_due=(due - today).days if due else None,
        overdue=bool(due and due < today and case.state in OPEN_STATES),
        state=case.state,
        credit_present=case.credit_present,
        version=case.version,
        updated_at=as_utc(case.updated_at),
        assigned_to_id=case.assigned_to_id,
        proposal=_proposal(case, names),
        hold=_hold(case),
        resolution=_resolution(case, names),
        **_ledger_view(case),
    )


def _ledger_view(case: CreditCase) -> dict[str, str | None]:
    """What the ledger proves when the verdict carries no action (from the verifier's
    detail): its source and amount (refuted, held) or the candidates (inconclusive)."""
    detail = case.verification_detail or {}
    return {
        "ledger_source": detail.get("ledger_source"),
        "ledger_amount": detail.get("ledger_amount"),
        "candidates": detail.get("candidates"),
    }


def allowed_commands(case: CreditCase, user: ActingUser) -> list[str]:
    """Commands the user's roles allow in the case's state (the UI's buttons)."""
    state = CaseState(case.state)
    return [
        c.value
        for c in Command
        if state in ALLOWED_FROM[c] and has_permission(user.roles, COMMAND_PERMISSION[c])
    ]


def case_detail(
    case: CreditCase,
    practice_code: str,
    today: date,
    history: CaseHistory,
    user: ActingUser,
    model_version: str | None,
) -> CaseDetailOut:
    """The full view of a case."""
    names = history.usernames
    summary = case_out(case, practice_code, today, names).model_dump()
    return CaseDetailOut(
        **summary,
        probabilities=case.probabilities,
        explanation=case.top_reasons or [],
        explained_amount=None
        if case.explained_amount_cents is None
        else format_cents(case.explained_amount_cents),
        evidence=case.evidence or [],
        verification_detail=case.verification_detail,
        model_version=model_version,
        ledger_history=case.ledger_history,
        observations=[
            ObservationOut(
                batch_id=o.batch_id,
                credit_present=o.credit_present,
                credit_amount=format_cents(o.credit_amount_cents),
                predicted_source=o.predicted_source,
                confidence=o.confidence,
                verification=o.verification,
                recommended_action=o.recommended_action,
                due_date=o.due_date,
                at=as_utc(o.created_at),
            )
            for o in history.observations
        ],
        events=[
            EventOut(
                command=e.command,
                from_state=e.from_state,
                to_state=e.to_state,
                actor=names.get(e.actor_id or 0),
                details=e.details,
                at=as_utc(e.created_at),
            )
            for e in history.events
        ],
        approvals=[
            ApprovalOut(
                decision=a.decision,
                approver=names.get(a.approver_id),
                proposed_by=names.get(a.proposed_by_id),
                action=a.action,
                amount=format_cents(a.amount_cents),
                reason=a.reason,
                at=as_utc(a.created_at),
            )
            for a in history.approvals
        ],
        allowed_commands=allowed_commands(case, user),
    )


def totals_out(practice_code: str, as_of: date, totals: WorklistTotals) -> TotalsOut:
    """The worklist's totals and aging buckets."""
    return TotalsOut(
        practice=practice_code,
        as_of=as_of,
        cases=totals.cases,
        credit_amount_cents=totals.credit_amount_cents,
        buckets=[
            BucketOut(key=b.key, cases=b.cases, credit_amount_cents=b.credit_amount_cents)
            for b in totals.buckets
        ],
        undated=totals.undated,
    )
