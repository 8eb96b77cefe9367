"""All store models, imported together so the metadata is complete."""

from cbclassify.store.base import Base
from cbclassify.store.models_audit import AuditEvent, AuditHead
from cbclassify.store.models_auth import (
    ApiToken,
    Practice,
    SignInThrottle,
    User,
    UserPractice,
    UserRole,
    WebSession,
)
from cbclassify.store.models_cases import (
    Approval,
    CaseEvent,
    CaseObservation,
    CreditCase,
    LedgerBatch,
    ModelVersion,
)

__all__ = [
    "ApiToken",
    "Approval",
    "AuditEvent",
    "AuditHead",
    "Base",
    "CaseEvent",
    "CaseObservation",
    "CreditCase",
    "LedgerBatch",
    "ModelVersion",
    "Practice",
    "SignInThrottle",
    "User",
    "UserPractice",
    "UserRole",
    "WebSession",
]
