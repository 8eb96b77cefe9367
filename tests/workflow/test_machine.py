"""The pure case state machine: transitions, approvals, overrides, holds, completion."""

from __future__ import annotations

from datetime import date

import pytest

from cbclassify.workflow import (
    Actor,
    ApprovalPolicy,
    CaseFacts,
    CaseState,
    Command,
    Completion,
    InvalidRequest,
    InvalidTransition,
    Note,
    NotPermitted,
    Proposal,
    SelfApprovalError,
    apply_changes,
    decide,
    needs_approval,
)
from cbclassify.workflow.machine import ALLOWED_FROM

TODAY = date(2025, 3, 10)
POLICY = ApprovalPolicy(refund_threshold_cents=50_000)
BILLER = Actor(1, frozenset({"biller"}))
MANAGER = Actor(2, frozenset({"manager"}))
OTHER_MANAGER = Actor(3, frozenset({"manager"}))


def _case(**kw: object) -> CaseFacts:
    base: dict[str, object] = {
        "state": "in_review",
        "credit_amount_cents": 12_000,
        "recommended_action": "refund_patient",
        "verified_source": "patient_credit",
        "predicted_source": "patient_credit",
        "due_date": date(2025, 4, 1),
    }
    base.update(kw)
    return CaseFacts(**base)  # type: ignore[arg-type]


def _step(case: CaseFacts, command: Command, actor: Actor, payload: object = None) -> CaseFacts:
    return apply_changes(case, decide(case, command, actor, payload, POLICY, TODAY))


REFUND_DONE = Completion(refund_date=TODAY, check_number="10452")


def test_small_patient_refund_completes_without_approval() -> None:
    case = _step(_case(state="open"), Command.START_REVIEW, BILLER)
    case = _step(case, Command.PROPOSE, BILLER, Proposal("refund_patient"))
    assert case.state == "action_proposed" and not case.approval_required
    t = decide(case, Command.COMPLETE, BILLER, REFUND_DONE, POLICY, TODAY)
    assert t.to_state is CaseState.DONE
    assert t.changes["resolution_kind"] == "refunded"
    assert t.changes["resolution_details"]["check_number"] == "10452"
    assert t.changes["resolved_by_id"] == BILLER.user_id


def test_payer_refund_needs_approval_by_another_manager() -> None:
    case = _case(recommended_action="refund_payer", verified_source="payer_overpayment")
    case = _step(case, Command.PROPOSE, MANAGER, Proposal("refund_payer"))
    assert case.approval_required
    with pytest.raises(InvalidTransition, match="approval"):
        decide(case, Command.COMPLETE, BILLER, REFUND_DONE, POLICY, TODAY)
    with pytest.raises(SelfApprovalError):
        decide(case, Command.APPROVE, MANAGER, None, POLICY, TODAY)
    with pytest.raises(NotPermitted):
        decide(case, Command.APPROVE, BILLER, None, POLICY, TODAY)
    case = _step(case, Command.APPROVE, OTHER_MANAGER)
    assert case.state == "approved"
    assert _step(case, Command.COMPLETE, BILLER, REFUND_DONE).state == "done"


@pytest.mark.parametrize(
    ("action", "amount", "expected"),
    [
        ("refund_payer", 1, True),
        ("payer_offset", 1, True),
        ("refund_patient", 49_999, False),
        ("refund_patient", 50_000, True),
        ("apply_to_balance", 10_000_000, False),
        ("reverse_posting", 10_000_000, False),
        ("correct_adjustment", 10_000_000, False),
    ],
)
def test_needs_approval(action: str, amount: int, expected: bool) -> None:
    assert needs_approval(action, amount, POLICY) is expected


def test_other_action_than_recommended_needs_reason_and_is_an_override() -> None:
    case = _case()
    with pytest.raises(InvalidRequest) as err:
        decide(case, Command.PROPOSE, BILLER, Proposal("apply_to_balance"), POLICY, TODAY)
    assert err.value.field == "reason"
    t = decide(
        case,
        Command.PROPOSE,
        BILLER,
        Proposal("apply_to_balance", reason="open visit"),
        POLICY,
        TODAY,
    )
    assert t.override and t.changes["proposal_reason"] == "open visit"
    assert not decide(
        case, Command.PROPOSE, BILLER, Proposal("refund_patient"), POLICY, TODAY
    ).override


def test_no_recommendation_needs_reason_but_is_not_an_override() -> None:
    case = _case(recommended_action=None, verified_source=None)
    with pytest.raises(InvalidRequest):
        decide(case, Command.PROPOSE, BILLER, Proposal("refund_patient"), POLICY, TODAY)
    t = decide(
        case, Command.PROPOSE, BILLER, Proposal("refund_patient", reason="checked"), POLICY, TODAY
    )
    assert not t.override and t.changes["proposed_source"] == "patient_credit"


@pytest.mark.parametrize(
    ("proposal", "field"),
    [
        (Proposal("refund_payer", reason="x"), "action"),  # does not fit patient_credit
        (Proposal("teleport", reason="x"), "action"),
        (Proposal("refund_patient", amount_cents=12_001), "amount"),
        (Proposal("refund_patient", amount_cents=0), "amount"),
        (Proposal("correct_adjustment", source="bogus", reason="x"), "source"),
    ],
)
def test_bad_proposals_name_the_field(proposal: Proposal, field: str) -> None:
    with pytest.raises(InvalidRequest) as err:
        decide(_case(), Command.PROPOSE, BILLER, proposal, POLICY, TODAY)
    assert err.value.field == field


def test_reject_needs_reason_and_returns_to_review() -> None:
    case = _step(
        _case(recommended_action="refund_payer", verified_source="payer_overpayment"),
        Command.PROPOSE,
        BILLER,
        Proposal("refund_payer"),
    )
    with pytest.raises(InvalidRequest):
        decide(case, Command.REJECT, MANAGER, Note(reason=" "), POLICY, TODAY)
    case = _step(case, Command.REJECT, MANAGER, Note(reason="wrong payer"))
    assert case.state == "in_review" and case.proposed_action is None


def test_investigation_hold_extends_due_date_up_to_180_days() -> None:
    case = _step(_case(), Command.HOLD, BILLER, Note(kind="investigation", reason="audit"))
    assert case.state == "on_hold" and case.hold_return_state == "in_review"
    later = date(2025, 4, 9)  # 30 days held
    released = apply_changes(case, decide(case, Command.RELEASE, BILLER, None, POLICY, later))
    assert released.state == "in_review"
    assert released.due_date == date(2025, 5, 1) and released.suspended_days == 30
    again = _step(released, Command.HOLD, BILLER, Note(kind="investigation", reason="more"))
    far = apply_changes(
        again, decide(again, Command.RELEASE, BILLER, None, POLICY, date(2026, 1, 1))
    )
    assert far.suspended_days == 180
    assert far.due_date == date(2025, 4, 1).fromordinal(date(2025, 4, 1).toordinal() + 180)


def test_payer_decision_hold_keeps_due_date_and_needs_kind() -> None:
    with pytest.raises(InvalidRequest) as err:
        decide(_case(), Command.HOLD, BILLER, Note(reason="x"), POLICY, TODAY)
    assert err.value.field == "kind"
    case = _step(
        _case(state="open"), Command.HOLD, BILLER, Note(kind="payer_decision", reason="appeal")
    )
    released = _step(case, Command.RELEASE, BILLER)
    assert released.state == "open" and released.due_date == date(2025, 4, 1)


def test_reopen_done_case_needs_reason_and_clears_resolution() -> None:
    case = _step(
        _step(_case(), Command.PROPOSE, BILLER, Proposal("refund_patient")),
        Command.COMPLETE,
        BILLER,
        REFUND_DONE,
    )
    with pytest.raises(NotPermitted):
        decide(case, Command.REOPEN, BILLER, Note(reason="x"), POLICY, TODAY)
    with pytest.raises(InvalidRequest):
        decide(case, Command.REOPEN, MANAGER, Note(), POLICY, TODAY)
    t = decide(case, Command.REOPEN, MANAGER, Note(reason="check bounced"), POLICY, TODAY)
    assert t.to_state is CaseState.REOPENED and t.changes["resolution_kind"] is None
    assert _step(apply_changes(case, t), Command.START_REVIEW, BILLER).state == "in_review"


@pytest.mark.parametrize(
    ("action", "done", "field"),
    [
        ("refund_patient", Completion(check_number="1"), "refund_date"),
        ("refund_patient", Completion(refund_date=TODAY), "check_number"),
        ("refund_patient", Completion(refund_date=date(2025, 3, 11), reference="r"), "refund_date"),
        ("payer_offset", Completion(), "offset_reference"),
        ("reverse_posting", Completion(resolved_date=date(2026, 1, 1)), "resolved_date"),
    ],
)
def test_completion_details_are_required(action: str, done: Completion, field: str) -> None:
    from cbclassify.workflow.completion import completion_changes

    with pytest.raises(InvalidRequest) as err:
        completion_changes(action, done, 1, TODAY)
    assert err.value.field == field


@pytest.mark.parametrize("state", list(CaseState))
@pytest.mark.parametrize("command", list(Command))
def test_every_command_in_every_state(state: CaseState, command: Command) -> None:
    """A command either applies in the state (per ALLOWED_FROM) or is refused as invalid."""
    case = _case(
        state=state.value,
        proposed_action="refund_patient",
        proposed_by_id=1,
        hold_return_state="in_review",
        hold_kind="other",
        approval_required=False,
    )
    payloads = {
        Command.PROPOSE: Proposal("refund_patient"),
        Command.HOLD: Note(kind="other", reason="r"),
        Command.REJECT: Note(reason="r"),
        Command.REOPEN: Note(reason="r"),
        Command.COMPLETE: REFUND_DONE,
    }
    actor = Actor(9, frozenset({"manager"}))
    if state not in ALLOWED_FROM[command]:
        with pytest.raises(InvalidTransition):
            decide(case, command, actor, payloads.get(command), POLICY, TODAY)
        return
    try:
        t = decide(case, command, actor, payloads.get(command), POLICY, TODAY)
    except InvalidTransition as err:  # approve/reject of a proposal that needs no approval
        assert command in (Command.APPROVE, Command.REJECT), err
        return
    assert t.from_state is state and t.changes["state"] == t.to_state.value
