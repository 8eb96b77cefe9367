"""A proposal is bound to the credit it was made for. When a later ingest changes the case's
credit (amount, or gone) or its verification, a pending proposal (proposed or approved, also
while on hold) goes back to review: the proposal and any approval are cleared, and the biller
proposes again on the new facts. Pure: the store applies and audits the changes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cbclassify.workflow.machine import CLEARED_PROPOSAL, CaseFacts
from cbclassify.workflow.states import CaseState

#: The case fields a proposal was decided on: a change to any sends it back to review.
CREDIT_FACTS: tuple[str, ...] = (
    "credit_amount_cents",
    "credit_present",
    "verification",
    "verified_source",
)
PENDING_PROPOSAL_STATES = frozenset({CaseState.ACTION_PROPOSED, CaseState.APPROVED})
#: The case event and audit action of a proposal sent back to review by an ingest.
BACK_TO_REVIEW = "ingest_review"


@dataclass(frozen=True)
class BackToReview:
    """What an ingest does to a case whose pending proposal it outdated."""

    from_state: CaseState
    to_state: CaseState
    changes: Mapping[str, Any]
    changed_facts: tuple[str, ...]


def changed_facts(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[str, ...]:
    """The CREDIT_FACTS that differ between two views of a case."""
    return tuple(name for name in CREDIT_FACTS if before.get(name) != after.get(name))


def has_pending_proposal(state: str, hold_return_state: str | None) -> bool:
    """A proposal awaits approval or completion (on hold too)."""
    if state == CaseState.ON_HOLD:
        return hold_return_state in PENDING_PROPOSAL_STATES
    return state in PENDING_PROPOSAL_STATES


def back_to_review(case: CaseFacts, changed: tuple[str, ...]) -> BackToReview | None:
    """The changes sending ``case``'s pending proposal back to review, or None when it has none
    or nothing it was decided on changed. A held case stays held and returns to review."""
    if not changed or not has_pending_proposal(case.state, case.hold_return_state):
        return None
    state = CaseState(case.state)
    changes: dict[str, Any] = dict(CLEARED_PROPOSAL)
    if state is CaseState.ON_HOLD:
        changes["hold_return_state"] = CaseState.IN_REVIEW.value
        return BackToReview(state, state, changes, changed)
    changes["state"] = CaseState.IN_REVIEW.value
    return BackToReview(state, CaseState.IN_REVIEW, changes, changed)
