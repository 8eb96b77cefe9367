"""Why a workflow command was refused. Each error has a stable ``code`` for API clients."""

from __future__ import annotations


class WorkflowError(ValueError):
    """A workflow command that cannot be applied; ``field`` names the offending input."""

    code = "workflow_error"

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotPermitted(WorkflowError):
    """The actor's roles do not allow the command."""

    code = "not_permitted"


class InvalidTransition(WorkflowError):
    """The command does not apply in the case's current state."""

    code = "invalid_transition"


class SelfApprovalError(WorkflowError):
    """A user tried to approve or reject their own proposal."""

    code = "self_approval"


class InvalidRequest(WorkflowError):
    """A missing or inconsistent input (reason, action, amount, completion details)."""

    code = "invalid_request"


class AmountAboveCredit(InvalidTransition):
    """Approving or completing a proposal whose amount is above the case's current credit."""

    code = "amount_above_credit"
