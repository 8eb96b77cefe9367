"""Ledger batches, model versions, credit cases with their history, events and approvals."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cbclassify.store.base import Base, BigId, utcnow


class ModelVersion(Base):
    """A registered model version that produced predictions stored here."""

    __tablename__ = "model_versions"
    __table_args__ = (UniqueConstraint("name", "version"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200))
    version: Mapped[str] = mapped_column(String(50))
    run_id: Mapped[str | None] = mapped_column(String(64), default=None)
    first_used_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class LedgerBatch(Base):
    """One ingest of a practice's ledger (folder, zip upload or 835 batch)."""

    __tablename__ = "ledger_batches"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    practice_id: Mapped[int] = mapped_column(BigId, ForeignKey("practices.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # ledger | x12_835
    content_sha256: Mapped[str] = mapped_column(String(64), index=True)
    as_of: Mapped[date] = mapped_column(Date)
    uploaded_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id"))
    model_version_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("model_versions.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    n_credits: Mapped[int] = mapped_column(default=0)
    n_new_cases: Mapped[int] = mapped_column(default=0)
    n_cleared: Mapped[int] = mapped_column(default=0)
    #: The earlier batch with identical content, when this ingest repeated one.
    duplicate_of_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("ledger_batches.id"))


class CreditCase(Base):
    """One credit balance of one claim of one practice, and where its workflow stands."""

    __tablename__ = "credit_cases"
    __table_args__ = (
        UniqueConstraint("practice_id", "claim_id"),
        Index("ix_credit_cases_practice_state", "practice_id", "state"),
        Index("ix_credit_cases_practice_due", "practice_id", "due_date"),
        Index("ix_credit_cases_practice_assigned", "practice_id", "assigned_to_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    practice_id: Mapped[int] = mapped_column(BigId, ForeignKey("practices.id"))
    claim_id: Mapped[str] = mapped_column(String(100))
    patient_id: Mapped[str | None] = mapped_column(String(100))
    payer_id: Mapped[str | None] = mapped_column(String(100))
    #: The payer's name from the ledger's payers table ("Self-pay" when there is no payer).
    payer_name: Mapped[str | None] = mapped_column(String(200))
    payer_type: Mapped[str | None] = mapped_column(String(32))
    location_id: Mapped[str | None] = mapped_column(String(100))
    credit_amount_cents: Mapped[int] = mapped_column(BigInteger)
    credit_since: Mapped[date | None] = mapped_column(Date)
    identified_date: Mapped[date] = mapped_column(Date)
    # latest analysis
    predicted_source: Mapped[str | None] = mapped_column(String(32))
    confidence: Mapped[float | None] = mapped_column(Float)
    probabilities: Mapped[dict[str, float] | None] = mapped_column(JSON)
    verification: Mapped[str | None] = mapped_column(String(16))
    verified_source: Mapped[str | None] = mapped_column(String(32))
    explained_amount_cents: Mapped[int | None] = mapped_column(BigInteger)
    evidence: Mapped[list[str] | None] = mapped_column(JSON)
    #: The verifier's own words and parts (statement, review reason), when it gives them.
    verification_detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    recommended_action: Mapped[str | None] = mapped_column(String(32))
    due_date: Mapped[date | None] = mapped_column(Date)
    top_reasons: Mapped[list[str] | None] = mapped_column(JSON)
    ledger_history: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    model_version_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("model_versions.id"))
    first_batch_id: Mapped[int] = mapped_column(BigId, ForeignKey("ledger_batches.id"))
    last_batch_id: Mapped[int] = mapped_column(BigId, ForeignKey("ledger_batches.id"))
    #: False once a later ledger no longer shows this credit (the case is kept, not deleted).
    credit_present: Mapped[bool] = mapped_column(Boolean, default=True)
    cleared_batch_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("ledger_batches.id"))
    # workflow
    state: Mapped[str] = mapped_column(String(20), default="open")
    hold_return_state: Mapped[str | None] = mapped_column(String(20))
    hold_kind: Mapped[str | None] = mapped_column(String(32))
    hold_reason: Mapped[str | None] = mapped_column(Text)
    hold_started_on: Mapped[date | None] = mapped_column(Date)
    #: Days the refund clock was suspended by investigation holds (at most 180).
    suspended_days: Mapped[int] = mapped_column(default=0)
    proposed_action: Mapped[str | None] = mapped_column(String(32))
    proposed_source: Mapped[str | None] = mapped_column(String(32))
    proposed_amount_cents: Mapped[int | None] = mapped_column(BigInteger)
    proposal_reason: Mapped[str | None] = mapped_column(Text)
    proposed_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id"))
    approval_required: Mapped[bool] = mapped_column(Boolean, default=False)
    approved_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id"))
    resolution_kind: Mapped[str | None] = mapped_column(String(16))
    resolution_details: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    resolved_date: Mapped[date | None] = mapped_column(Date)
    resolved_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id"))
    #: Who works the case (a biller or manager of the practice); not a workflow fact, so
    #: assigning does not change the case's version (audited as ``case.assign``).
    assigned_to_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    # SQLAlchemy types __mapper_args__ as an instance attribute (mypy refuses a ClassVar).
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    events: Mapped[list[CaseEvent]] = relationship(
        order_by="CaseEvent.id", back_populates="case", lazy="raise_on_sql"
    )


class CaseObservation(Base):
    """What one batch said about one case (credit, prediction, verification): its history."""

    __tablename__ = "case_observations"
    __table_args__ = (UniqueConstraint("case_id", "batch_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(BigId, ForeignKey("credit_cases.id"), index=True)
    batch_id: Mapped[int] = mapped_column(BigId, ForeignKey("ledger_batches.id"))
    credit_present: Mapped[bool] = mapped_column(Boolean)
    credit_amount_cents: Mapped[int] = mapped_column(BigInteger)
    predicted_source: Mapped[str | None] = mapped_column(String(32))
    confidence: Mapped[float | None] = mapped_column(Float)
    verification: Mapped[str | None] = mapped_column(String(16))
    recommended_action: Mapped[str | None] = mapped_column(String(32))
    due_date: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CaseEvent(Base):
    """One workflow step on a case (who did what, from which state to which)."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(BigId, ForeignKey("credit_cases.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id"))
    command: Mapped[str] = mapped_column(String(32))
    from_state: Mapped[str] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20))
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    case: Mapped[CreditCase] = relationship(back_populates="events")


class Approval(Base):
    """A manager's decision on a proposed action (approved or rejected)."""

    __tablename__ = "approvals"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(BigId, ForeignKey("credit_cases.id"), index=True)
    approver_id: Mapped[int] = mapped_column(BigId, ForeignKey("users.id"))
    proposed_by_id: Mapped[int] = mapped_column(BigId, ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(32))
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    decision: Mapped[str] = mapped_column(String(16))  # approved | rejected
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
