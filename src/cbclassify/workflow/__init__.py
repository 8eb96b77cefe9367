"""The credit-case workflow: states, commands, the role/permission matrix and the pure state
machine. No database or web code here (``cbclassify.store`` persists, ``api`` exposes)."""

from cbclassify.workflow.completion import Completion
from cbclassify.workflow.credit_binding import BackToReview, back_to_review, changed_facts
from cbclassify.workflow.errors import (
    AmountAboveCredit,
    InvalidRequest,
    InvalidTransition,
    NotPermitted,
    SelfApprovalError,
    WorkflowError,
)
from cbclassify.workflow.machine import (
    Actor,
    ApprovalPolicy,
    CaseFacts,
    Note,
    Proposal,
    Transition,
    apply_changes,
    decide,
    needs_approval,
)
from cbclassify.workflow.permissions import (
    COMMAND_PERMISSION,
    ROLE_PERMISSIONS,
    Permission,
    has_permission,
    permissions_of,
)
from cbclassify.workflow.states import ROLES, CaseState, Command, HoldKind, Role

__all__ = [
    "COMMAND_PERMISSION",
    "ROLES",
    "ROLE_PERMISSIONS",
    "Actor",
    "AmountAboveCredit",
    "ApprovalPolicy",
    "BackToReview",
    "CaseFacts",
    "CaseState",
    "Command",
    "Completion",
    "HoldKind",
    "InvalidRequest",
    "InvalidTransition",
    "NotPermitted",
    "Note",
    "Permission",
    "Proposal",
    "Role",
    "SelfApprovalError",
    "Transition",
    "WorkflowError",
    "apply_changes",
    "back_to_review",
    "changed_facts",
    "decide",
    "has_permission",
    "needs_approval",
    "permissions_of",
]
