"""What an 835 says, as plain values (integer cents, ISO dates), and the findings about it.

The parser (``x12.parse``) fills these; the converter (``x12.convert``) turns them into ledger
contract tables. Names follow the 835 segments they come from (see docs/x12.md).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Literal

Severity = Literal["error", "warning", "info"]


@dataclass(frozen=True)
class Finding:
    """One thing a biller should know about an input file.

    ``segment`` is the 1-based position of the segment in the file (segments counted from the
    first ISA); ``st_control`` the ST02 control number of the transaction set it belongs to.
    ``error``: that part was not converted. ``warning``: converted, with the reading described.
    """

    file: str
    segment: int | None
    st_control: str | None
    severity: Severity
    code: str
    message: str

    def where(self) -> str:
        """``file, segment 12 (ST 0001)``."""
        text = self.file
        if self.segment is not None:
            text += f", segment {self.segment}"
        if self.st_control:
            text += f" (ST {self.st_control})"
        return text

    def __str__(self) -> str:
        return f"{self.where()}: {self.message}"


@dataclass(frozen=True)
class Adjustment:
    """One CAS triplet (group, reason, amount, quantity)."""

    group: str
    reason: str
    amount_cents: int
    segment: int


@dataclass
class ServiceLine:
    """One SVC loop (2110)."""

    segment: int
    qualifier: str
    procedure: str
    modifiers: tuple[str, ...]
    charge_cents: int
    paid_cents: int
    units: int
    dates: dict[str, dt.date] = field(default_factory=dict)
    adjustments: list[Adjustment] = field(default_factory=list)
    allowed_cents: int | None = None

    @property
    def usable(self) -> bool:
        """False when SVC01 names no procedure code (the line cannot be posted as a line)."""
        return bool(self.procedure)


@dataclass
class ClaimPayment:
    """One CLP loop (2100) with its service lines; ``claim_id`` is CLP01 as sent (the ledger's
    claim id can differ: see ``x12.identity``)."""

    segment: int
    claim_id: str
    status: str
    charge_cents: int
    paid_cents: int
    patient_resp_cents: int
    filing_indicator: str
    payer_claim_number: str = ""  # CLP07, the payer's own number for this adjudication
    member_id: str = ""
    rendering_provider_id: str = ""
    dates: dict[str, dt.date] = field(default_factory=dict)
    adjustments: list[Adjustment] = field(default_factory=list)
    services: list[ServiceLine] = field(default_factory=list)

    @property
    def is_reversal(self) -> bool:
        """CLP02 = 22: reversal of a previous payment."""
        return self.status == "22"

    def negate_amounts(self) -> None:
        """Flip the sign of every amount of the claim and its lines (CLP, SVC, CAS, AMT*B6)."""
        self.charge_cents, self.paid_cents = -self.charge_cents, -self.paid_cents
        self.patient_resp_cents = -self.patient_resp_cents
        self.adjustments = [replace(a, amount_cents=-a.amount_cents) for a in self.adjustments]
        for svc in self.services:
            svc.charge_cents, svc.paid_cents = -svc.charge_cents, -svc.paid_cents
            if svc.allowed_cents is not None:
                svc.allowed_cents = -svc.allowed_cents
            svc.adjustments = [replace(a, amount_cents=-a.amount_cents) for a in svc.adjustments]

    @property
    def usable_services(self) -> list[ServiceLine]:
        """The service lines, or none when any of them is unusable (then post at claim level)."""
        if self.services and all(s.usable for s in self.services):
            return self.services
        return []


@dataclass(frozen=True)
class ProviderAdjustment:
    """One PLB adjustment pair (PLB03 composite + PLB04 amount, and so on to PLB14)."""

    reason: str
    reference: str
    amount_cents: int
    segment: int


@dataclass
class Remittance:
    """One ST/SE transaction set of an 835 (one payment advice)."""

    file: str
    st_segment: int
    st_control: str
    interchange_control: str
    group_control: str
    version: str
    total_paid_cents: int = 0
    method: str = ""
    payment_date: dt.date | None = None
    trace_number: str = ""
    originator_id: str = ""
    payer_name: str = ""
    payer_n104: str = ""
    payer_ref_2u: str = ""
    payer_state: str = ""
    payee_id: str = ""
    payee_name: str = ""
    payee_state: str = ""
    claims: list[ClaimPayment] = field(default_factory=list)
    provider_adjustments: list[ProviderAdjustment] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def payer_id(self) -> str:
        """REF*2U, else N1*PR N104, else TRN03 (originating company), else the payer name."""
        return self.payer_ref_2u or self.payer_n104 or self.originator_id or self.payer_name

    @property
    def claim_paid_cents(self) -> int:
        """Sum of CLP04 (after reversal sign correction)."""
        return sum(c.paid_cents for c in self.claims)

    @property
    def plb_cents(self) -> int:
        """Sum of PLB amounts (positive lowers the payment)."""
        return sum(p.amount_cents for p in self.provider_adjustments)

    @property
    def balanced(self) -> bool:
        """BPR02 == sum(CLP04) - sum(PLB), exactly in cents."""
        return self.total_paid_cents == self.claim_paid_cents - self.plb_cents
