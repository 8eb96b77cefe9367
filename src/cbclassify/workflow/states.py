"""Case states, workflow commands, roles, and how each action is recorded when done."""

from __future__ import annotations

from enum import StrEnum


class CaseState(StrEnum):
    """Where a credit case stands."""

    OPEN = "open"
    IN_REVIEW = "in_review"
    ACTION_PROPOSED = "action_proposed"
    APPROVED = "approved"
    DONE = "done"
    ON_HOLD = "on_hold"
    REOPENED = "reopened"


class Command(StrEnum):
    """A workflow step a user asks for."""

    START_REVIEW = "start_review"
    PROPOSE = "propose"
    WITHDRAW = "withdraw"
    APPROVE = "approve"
    REJECT = "reject"
    HOLD = "hold"
    RELEASE = "release"
    COMPLETE = "complete"
    REOPEN = "reopen"


class Role(StrEnum):
    """What a user does; a user may hold several roles."""

    BILLER = "biller"
    MANAGER = "manager"
    DATA_SCIENTIST = "data_scientist"
    AUDITOR = "auditor"
    ADMIN = "admin"


ROLES: tuple[str, ...] = tuple(r.value for r in Role)


class HoldKind(StrEnum):
    """Why a case waits. An ``investigation`` hold suspends the refund clock (60-day rule)."""

    PAYER_DECISION = "payer_decision"
    INVESTIGATION = "investigation"
    OTHER = "other"


#: How a done case was resolved, by the action that resolved it.
RESOLUTION_KIND_BY_ACTION: dict[str, str] = {
    "refund_payer": "refunded",
    "refund_patient": "refunded",
    "payer_offset": "offset",
    "reverse_posting": "reversed",
    "correct_adjustment": "corrected",
    "apply_to_balance": "applied",
}

#: The actions that fit each credit source (ledger contract, "The four sources").
ACTIONS_BY_SOURCE: dict[str, tuple[str, ...]] = {
    "payer_overpayment": ("refund_payer", "payer_offset"),
    "duplicate_payment": ("refund_payer", "payer_offset", "reverse_posting"),
    "allowance_error": ("correct_adjustment",),
    "patient_credit": ("refund_patient", "apply_to_balance"),
}

#: Actions that return money to a payer: every one needs a manager's approval.
PAYER_RETURN_ACTIONS: frozenset[str] = frozenset({"refund_payer", "payer_offset"})
#: Actions that send money out: above the policy threshold they need approval.
REFUND_ACTIONS: frozenset[str] = frozenset({"refund_payer", "refund_patient"})

#: The longest total suspension of the refund clock by investigation holds (42 CFR 401.305).
MAX_INVESTIGATION_SUSPENSION_DAYS = 180
