"""Which selected cases a bulk step applies to, and the words for the others."""

from __future__ import annotations

import pytest

from cbclassify.service.bulk import amount_of, sort_selection
from cbclassify.store.models_cases import CreditCase
from cbclassify.workflow import Command


def _case(**values: object) -> CreditCase:
    base: dict[str, object] = {
        "id": 1,
        "claim_id": "C1",
        "credit_amount_cents": 5_000,
        "state": "open",
        "verification": "confirmed",
        "recommended_action": "refund_payer",
        "credit_present": True,
        "approval_required": False,
        "proposed_by_id": None,
        "proposed_amount_cents": None,
    }
    return CreditCase(**{**base, **values})


def test_propose_takes_confirmed_cases_with_a_recommendation_only() -> None:
    ok = _case()
    refuted = _case(id=2, verification="refuted", recommended_action=None)
    inconclusive = _case(id=3, verification="inconclusive")
    unverified = _case(id=4, verification=None)
    proposed = _case(id=5, state="action_proposed")
    gone = _case(id=6, credit_present=False)
    result = sort_selection(
        [ok, refuted, inconclusive, unverified, proposed, gone], Command.PROPOSE, user_id=9
    )
    assert result.eligible == [ok] and result.eligible_cents == 5_000
    assert [s.reason for s in result.skipped] == [
        "not confirmed (refuted by the ledger): decide on the case page",
        "not confirmed (inconclusive): decide on the case page",
        "not confirmed (not verified): decide on the case page",
        "already proposed",
        "the credit is gone from the latest ledger",
    ]


@pytest.mark.parametrize("command", [Command.APPROVE, Command.REJECT])
def test_decisions_take_others_proposals_waiting_for_approval(command: Command) -> None:
    waiting = _case(
        state="action_proposed",
        approval_required=True,
        proposed_by_id=1,
        proposed_amount_cents=4_000,
    )
    mine = _case(id=2, state="action_proposed", approval_required=True, proposed_by_id=9)
    no_approval = _case(id=3, state="action_proposed", approval_required=False, proposed_by_id=1)
    open_case = _case(id=4)
    result = sort_selection([waiting, mine, no_approval, open_case], command, user_id=9)
    assert result.eligible == [waiting] and amount_of(waiting) == 4_000
    assert result.eligible_cents == 4_000
    assert [s.reason for s in result.skipped] == [
        "your own proposal: another manager decides",
        "its proposal needs no approval",
        "not waiting for approval (open)",
    ]


def test_other_commands_have_no_bulk_form() -> None:
    with pytest.raises(ValueError, match="no bulk hold"):
        sort_selection([_case()], Command.HOLD, user_id=1)
