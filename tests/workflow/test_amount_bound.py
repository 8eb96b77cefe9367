"""Issue 14, failure 2 (the pure rule): a proposal is bound to the credit it was made for.
Approve and complete refuse an amount above the case's current credit (``amount_above_credit``),
and a change of credit or verification sends a pending proposal back to review."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from cbclassify.workflow import (
    Actor,
    AmountAboveCredit,
    ApprovalPolicy,
    CaseFacts,
    CaseState,
    Command,
    Completion,
    InvalidTransition,
    Proposal,
    apply_changes,
    back_to_review,
    changed_facts,
    decide,
)

TODAY = date(2025, 3, 10)
POLICY = ApprovalPolicy(refund_threshold_cents=50_000)
BILLER = Actor(1, frozenset({"biller"}))
MANAGER = Actor(2, frozenset({"manager"}))
REFUNDED = Completion(refund_date=TODAY, check_number="77")


def _proposed(action: str = "refund_payer", credit: int = 2672) -> CaseFacts:
    """A payer overpayment of ``credit`` cents with the whole credit proposed by the biller."""
    case = CaseFacts(
        state="in_review",
        credit_amount_cents=credit,
        recommended_action=action,
        verified_source="payer_overpayment",
    )
    return apply_changes(
        case, decide(case, Command.PROPOSE, BILLER, Proposal(action), POLICY, TODAY)
    )


def test_approve_refuses_an_amount_above_the_current_credit() -> None:
    case = replace(_proposed(), credit_amount_cents=672)  # a later ingest lowered the credit
    with pytest.raises(AmountAboveCredit, match=r"\$26\.72 is above the current credit of \$6\.72"):
        decide(case, Command.APPROVE, MANAGER, None, POLICY, TODAY)
    assert AmountAboveCredit.code == "amount_above_credit"
    assert issubclass(AmountAboveCredit, InvalidTransition)  # answered 409


def test_complete_refuses_an_amount_above_the_current_credit() -> None:
    approved = apply_changes(
        _proposed(), decide(_proposed(), Command.APPROVE, MANAGER, None, POLICY, TODAY)
    )
    assert approved.state == "approved"
    with pytest.raises(AmountAboveCredit):
        decide(
            replace(approved, credit_amount_cents=672), Command.COMPLETE, BILLER, REFUNDED, POLICY
        )
    with pytest.raises(AmountAboveCredit, match=r"current credit of \$0\.00"):
        decide(replace(approved, credit_present=False), Command.COMPLETE, BILLER, REFUNDED, POLICY)


def test_an_amount_within_the_credit_still_completes() -> None:
    case = replace(
        _proposed(), credit_amount_cents=5000
    )  # the credit grew: the amount is still owed
    approved = apply_changes(case, decide(case, Command.APPROVE, MANAGER, None, POLICY, TODAY))
    done = decide(approved, Command.COMPLETE, BILLER, REFUNDED, POLICY, TODAY)
    assert done.to_state is CaseState.DONE


def test_rejecting_an_outdated_proposal_is_still_allowed() -> None:
    case = replace(_proposed(), credit_amount_cents=672)
    t = decide(case, Command.REJECT, MANAGER, _note("credit changed"), POLICY, TODAY)
    assert t.to_state is CaseState.IN_REVIEW


def _note(reason: str) -> object:
    from cbclassify.workflow import Note

    return Note(reason)


@pytest.mark.parametrize(
    ("before", "after", "changed"),
    [
        ({"credit_amount_cents": 2672}, {"credit_amount_cents": 672}, ("credit_amount_cents",)),
        ({"credit_present": True}, {"credit_present": False}, ("credit_present",)),
        ({"verification": "confirmed"}, {"verification": "conflict"}, ("verification",)),
        ({"verified_source": "payer_overpayment"}, {"verified_source": None}, ("verified_source",)),
        ({"credit_amount_cents": 2672}, {"credit_amount_cents": 2672}, ()),
    ],
)
def test_changed_facts(before: dict, after: dict, changed: tuple[str, ...]) -> None:
    assert changed_facts(before, after) == changed


@pytest.mark.parametrize("state", ["action_proposed", "approved"])
def test_a_pending_proposal_goes_back_to_review_when_its_credit_changed(state: str) -> None:
    case = replace(_proposed(), state=state)
    step = back_to_review(case, ("credit_amount_cents",))
    assert step is not None and step.to_state is CaseState.IN_REVIEW
    after = apply_changes(case, _as_transition(step))
    assert after.state == "in_review" and after.proposed_action is None
    assert after.proposed_amount_cents is None and not after.approval_required
    assert back_to_review(case, ()) is None  # nothing it was decided on changed


def test_a_held_proposal_stays_held_and_returns_to_review() -> None:
    case = replace(_proposed(), state="on_hold", hold_return_state="action_proposed")
    step = back_to_review(case, ("verification",))
    assert step is not None and step.to_state is CaseState.ON_HOLD
    assert step.changes["hold_return_state"] == "in_review"
    assert step.changes["proposed_action"] is None


@pytest.mark.parametrize("state", ["open", "in_review", "done", "reopened"])
def test_cases_without_a_pending_proposal_are_left_alone(state: str) -> None:
    assert back_to_review(replace(_proposed(), state=state), ("credit_amount_cents",)) is None


def _as_transition(step: object) -> object:
    from cbclassify.workflow import Transition

    return Transition(Command.WITHDRAW, step.from_state, step.to_state, step.changes)  # type: ignore[attr-defined]
