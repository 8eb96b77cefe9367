"""Bulk work on the worklist: which of the selected cases a bulk step applies to, and why the
others are skipped. This only sorts the selection; each case is then changed through the one
single-case path (``store.cases.apply_command``: role, state, amount bounds, version, audit),
and any refusal there is reported as a skip too."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from cbclassify.store.models_cases import CreditCase
from cbclassify.workflow import CaseState, Command

#: At most this many cases per bulk step (narrow the filter for more).
MAX_BULK = 1000
#: States a case may be proposed from (the review step is recorded first when needed).
PROPOSE_FROM = (CaseState.OPEN, CaseState.REOPENED, CaseState.IN_REVIEW)
_STATE_WORDS = {
    "open": "open",
    "in_review": "in review",
    "action_proposed": "already proposed",
    "approved": "already approved",
    "done": "done",
    "on_hold": "on hold",
    "reopened": "reopened",
}
_VERIFICATION_WORDS = {
    "refuted": "refuted by the ledger",
    "inconclusive": "inconclusive",
    "partial": "only partly explained",
}


@dataclass(frozen=True)
class Skip:
    """A selected case a bulk step leaves alone, and why (in words)."""

    case: CreditCase
    reason: str


@dataclass(frozen=True)
class Sorted:
    """A selection sorted into the cases the step applies to and the skipped ones."""

    eligible: list[CreditCase]
    skipped: list[Skip]

    @property
    def eligible_cents(self) -> int:
        """Credit of the eligible cases (the proposed amount for approvals and rejections)."""
        return sum(amount_of(c) for c in self.eligible)


def amount_of(case: CreditCase) -> int:
    """The money a bulk step on ``case`` concerns: the proposal's amount when there is one,
    else the credit."""
    if case.proposed_amount_cents is not None and case.state == CaseState.ACTION_PROPOSED:
        return case.proposed_amount_cents
    return case.credit_amount_cents


def _propose_skip(case: CreditCase) -> str | None:
    if case.verification != "confirmed":
        words = _VERIFICATION_WORDS.get(case.verification or "", "not verified")
        return f"not confirmed ({words}): decide on the case page"
    if not case.recommended_action:
        return "no recommended action"
    if not case.credit_present:
        return "the credit is gone from the latest ledger"
    if case.state not in PROPOSE_FROM:
        return _STATE_WORDS.get(case.state, case.state)
    return None


def _decide_skip(case: CreditCase, user_id: int) -> str | None:
    if case.state != CaseState.ACTION_PROPOSED or not case.approval_required:
        if case.state == CaseState.ACTION_PROPOSED:
            return "its proposal needs no approval"
        return f"not waiting for approval ({_STATE_WORDS.get(case.state, case.state)})"
    if case.proposed_by_id == user_id:
        return "your own proposal: another manager decides"
    return None


def sort_selection(cases: Iterable[CreditCase], command: Command, user_id: int) -> Sorted:
    """Which of ``cases`` a bulk ``command`` (propose, approve or reject) applies to."""
    eligible, skipped = [], []
    for case in cases:
        if command is Command.PROPOSE:
            reason = _propose_skip(case)
        elif command in (Command.APPROVE, Command.REJECT):
            reason = _decide_skip(case, user_id)
        else:
            raise ValueError(f"no bulk {command.value}")
        if reason is None:
            eligible.append(case)
        else:
            skipped.append(Skip(case, reason))
    return Sorted(eligible, skipped)
