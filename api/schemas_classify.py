"""The body of classify-on-demand: one claim's ledger rows, in contract columns."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from api.bounds import BoundedDate
from cbclassify.contract.enums import GROUP_CODES, PAYER_TYPES, TXN_KINDS, TXN_METHODS, TXN_SOURCES

Money = Annotated[Decimal, Field(max_digits=14, decimal_places=2)]
Id = Annotated[str, Field(min_length=1, max_length=100)]
OptId = Annotated[str | None, Field(None, max_length=100)]


class _Row(BaseModel):
    model_config = ConfigDict(extra="ignore")


class PayerIn(_Row):
    payer_id: Id
    payer_name: Annotated[str, Field(min_length=1, max_length=200)]
    payer_type: Literal[PAYER_TYPES]  # type: ignore[valid-type]  # the contract's values, read at run time (one source of truth)
    refund_deadline_days: Annotated[int | None, Field(None, gt=0)] = None
    allows_offset: bool | None = None


class PatientIn(_Row):
    patient_id: Id
    state: Annotated[str, Field(min_length=2, max_length=2)]


class ClaimLineIn(_Row):
    claim_id: Id
    line_no: Annotated[int, Field(gt=0)]
    patient_id: Id
    payer_id: OptId = None
    secondary_payer_id: OptId = None
    location_id: Id
    provider_id: Id
    service_date: date
    cpt: Annotated[str, Field(min_length=1, max_length=20)]
    modifier: Annotated[str | None, Field(None, max_length=20)] = None
    units: Annotated[int, Field(gt=0)]
    charge_amount: Annotated[Money, Field(gt=0)]
    billed_date: date


class TransactionIn(_Row):
    txn_id: Id
    claim_id: Id
    line_no: Annotated[int | None, Field(None, gt=0)] = None
    kind: Literal[TXN_KINDS]  # type: ignore[valid-type]  # the contract's values, read at run time (one source of truth)
    source: Literal[TXN_SOURCES]  # type: ignore[valid-type]  # the contract's values, read at run time (one source of truth)
    payer_id: OptId = None
    amount: Money
    group_code: Literal[GROUP_CODES] | None = None  # type: ignore[valid-type]  # the contract's values, read at run time (one source of truth)
    reason_code: Annotated[str | None, Field(None, max_length=10)] = None
    allowed_amount: Money | None = None
    trace_number: OptId = None
    era_id: OptId = None
    method: Literal[TXN_METHODS]  # type: ignore[valid-type]  # the contract's values, read at run time (one source of truth)
    posted_date: date
    posted_by: Id


class FeeScheduleIn(_Row):
    payer_id: Id
    cpt: Annotated[str, Field(min_length=1, max_length=20)]
    modifier: Annotated[str | None, Field(None, max_length=20)] = None
    allowed_per_unit: Annotated[Money, Field(ge=0)]
    effective_from: date
    effective_to: date | None = None


class RemittanceIn(_Row):
    era_id: Id
    payer_id: Id
    trace_number: Id
    payment_date: date
    total_paid: Money
    method: Annotated[str, Field(min_length=1, max_length=10)]
    balanced: bool


class ProviderAdjustmentIn(_Row):
    era_id: Id
    reason_code: Annotated[str, Field(min_length=1, max_length=10)]
    reference: OptId = None
    amount: Money


class ClassifyIn(BaseModel):
    """One claim (or a few) with everything posted against it."""

    model_config = ConfigDict(extra="forbid")
    claim_lines: Annotated[list[ClaimLineIn], Field(min_length=1)]
    transactions: list[TransactionIn] = []
    payers: list[PayerIn] = []
    patients: Annotated[list[PatientIn], Field(min_length=1)]
    fee_schedule: list[FeeScheduleIn] = []
    remittances: list[RemittanceIn] = []
    provider_adjustments: list[ProviderAdjustmentIn] = []
    as_of: BoundedDate | None = Field(None, description="default: the latest posted_date")


class ClassifiedCredit(BaseModel):
    claim_id: str
    credit_amount: str
    predicted_source: str
    confidence: float
    probabilities: dict[str, float]
    verification: str | None
    verified_source: str | None
    explained_amount: str | None
    evidence: list[str]
    recommended_action: str | None
    due_date: date | None
    explanation: list[str]


class ClaimBalance(BaseModel):
    claim_id: str
    balance: str
    credit: bool


class ClassifyOut(BaseModel):
    as_of: date
    model_version: str
    balances: list[ClaimBalance]
    credits: list[ClassifiedCredit]
