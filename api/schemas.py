"""Request and response bodies of the case workflow API (money as exact decimal strings and
integer cents; dates ISO)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from api.bounds import MAX_ID, BodyUserId, BoundedDate
from cbclassify.contract.enums import ACTIONS, CREDIT_SOURCES

Money = Decimal
ActionName = Literal[ACTIONS]  # type: ignore[valid-type]  # the contract's values, read at run time (one source of truth)
SourceName = Literal[CREDIT_SOURCES]  # type: ignore[valid-type]  # the contract's values, read at run time (one source of truth)


class Versioned(BaseModel):
    """Every workflow step names the case version it was decided on (optimistic locking)."""

    model_config = ConfigDict(extra="forbid")
    version: int = Field(ge=1, le=MAX_ID, description="the case version you last read")


class ProposeIn(Versioned):
    action: ActionName
    source: SourceName | None = Field(None, description="default: verified, else predicted")
    amount: Money | None = Field(
        None, gt=0, max_digits=12, decimal_places=2, description="default: the whole credit"
    )
    reason: str | None = Field(
        None, max_length=2000, description="required unless the action is the recommended one"
    )


class ReasonIn(Versioned):
    reason: str | None = Field(None, max_length=2000)


class HoldIn(Versioned):
    kind: Literal["payer_decision", "investigation", "other"]
    reason: str = Field(min_length=1, max_length=2000)


class CompleteIn(Versioned):
    resolved_date: BoundedDate | None = None
    refund_date: BoundedDate | None = None
    check_number: str | None = Field(None, max_length=64)
    reference: str | None = Field(None, max_length=200)
    offset_reference: str | None = Field(None, max_length=200)
    note: str | None = Field(None, max_length=2000)


class ProposalOut(BaseModel):
    action: str
    source: str | None
    amount: str
    amount_cents: int
    reason: str | None
    proposed_by: str | None
    approval_required: bool
    approved_by: str | None


class HoldOut(BaseModel):
    kind: str
    reason: str | None
    since: date | None
    returns_to: str | None


class ResolutionOut(BaseModel):
    kind: str
    resolved_date: date | None
    resolved_by: str | None
    details: dict[str, Any]


class CaseOut(BaseModel):
    """A case as the worklist shows it."""

    id: int
    practice: str
    claim_id: str
    patient_id: str | None
    payer_id: str | None
    payer_name: str | None = None
    payer_type: str | None
    location_id: str | None
    credit_amount: str
    credit_cents: int  # the API's published name (the store's credit_amount_cents)
    credit_since: date | None
    age_days: int | None
    identified_date: date
    predicted_source: str | None
    confidence: float | None
    verification: str | None
    verified_source: str | None
    recommended_action: str | None
    due_date: date | None
    days_to_due: int | None
    overdue: bool
    state: str
    credit_present: bool
    version: int
    updated_at: datetime
    assigned_to_id: int | None = None
    proposal: ProposalOut | None = None
    hold: HoldOut | None = None
    resolution: ResolutionOut | None = None
    # refuted / held: the source the ledger proves (and its amount) while the verdict carries
    # no action; inconclusive: the sources that explain the credit equally ('|'-joined)
    ledger_source: str | None = None
    ledger_amount: str | None = None
    candidates: str | None = None


class ObservationOut(BaseModel):
    batch_id: int
    credit_present: bool
    credit_amount: str
    predicted_source: str | None
    confidence: float | None
    verification: str | None
    recommended_action: str | None
    due_date: date | None
    at: datetime


class EventOut(BaseModel):
    command: str
    from_state: str
    to_state: str
    actor: str | None
    details: dict[str, Any] | None
    at: datetime


class ApprovalOut(BaseModel):
    decision: str
    approver: str | None
    proposed_by: str | None
    action: str
    amount: str
    reason: str | None
    at: datetime


class CaseDetailOut(CaseOut):
    """A case with its analysis, ledger history and workflow history."""

    probabilities: dict[str, float] | None
    explanation: list[str]
    explained_amount: str | None
    evidence: list[str]
    verification_detail: dict[str, Any] | None
    model_version: str | None
    ledger_history: dict[str, Any] | None
    observations: list[ObservationOut]
    events: list[EventOut]
    approvals: list[ApprovalOut]
    allowed_commands: list[str]


class CasePage(BaseModel):
    """One page of the worklist."""

    total: int
    offset: int
    limit: int
    items: list[CaseOut]


class AssignIn(BaseModel):
    """Whom to assign a case to (no version: assignment is not a workflow step)."""

    model_config = ConfigDict(extra="forbid")
    user_id: BodyUserId | None = Field(
        description="an active biller or manager of the case's practice; null: nobody"
    )


class BucketOut(BaseModel):
    """Cases and credit in one aging bucket (days in credit)."""

    key: str = Field(description="0-30, 31-60, 61-90, 91-120 or 120+")
    cases: int
    credit_amount_cents: int


class TotalsOut(BaseModel):
    """Cases and credit matching the worklist's filters, in all and per aging bucket. New
    amount fields use the store's column name ``credit_amount_cents`` (the older fields keep
    their published ``credit_cents``)."""

    practice: str
    as_of: date
    cases: int
    credit_amount_cents: int
    buckets: list[BucketOut]
    undated: int = Field(description="matching cases with no credit-since date (no bucket)")
