"""Tiny hand-built ledgers for feature and model tests (memory column names, money in cents)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from cbclassify.contract.ledger import Ledger


@dataclass
class LedgerBuilder:
    """Builds a Ledger row by row; dates are ISO strings, money integer cents."""

    payers: list[dict[str, Any]] = field(default_factory=list)
    patients: list[dict[str, Any]] = field(default_factory=list)
    lines: list[dict[str, Any]] = field(default_factory=list)
    txns: list[dict[str, Any]] = field(default_factory=list)
    fees: list[dict[str, Any]] = field(default_factory=list)
    remits: list[dict[str, Any]] = field(default_factory=list)

    def payer(
        self, payer_id: str, payer_type: str = "commercial", offset: bool | None = None
    ) -> LedgerBuilder:
        self.payers.append(
            {
                "payer_id": payer_id,
                "payer_name": payer_id,
                "payer_type": payer_type,
                "allows_offset": offset,
            }
        )
        return self

    def patient(self, patient_id: str, state: str = "PA") -> LedgerBuilder:
        self.patients.append({"patient_id": patient_id, "state": state})
        return self

    def fee(
        self,
        payer_id: str,
        cpt: str,
        per_unit: int,
        start: str,
        end: str | None = None,
        modifier: str | None = None,
    ) -> LedgerBuilder:
        self.fees.append(
            {
                "payer_id": payer_id,
                "cpt": cpt,
                "modifier": modifier,
                "allowed_per_unit_cents": per_unit,
                "effective_from": start,
                "effective_to": end,
            }
        )
        return self

    def line(
        self,
        claim_id: str,
        patient_id: str,
        payer_id: str | None,
        charge: int,
        service_date: str = "2025-01-06",
        cpt: str = "97110",
        modifier: str | None = "GP",
        units: int = 2,
        line_no: int = 1,
        secondary: str | None = None,
        billed_date: str | None = None,
    ) -> LedgerBuilder:
        self.lines.append(
            {
                "claim_id": claim_id,
                "line_no": line_no,
                "patient_id": patient_id,
                "payer_id": payer_id,
                "secondary_payer_id": secondary,
                "location_id": "L1",
                "provider_id": "R1",
                "service_date": service_date,
                "cpt": cpt,
                "modifier": modifier,
                "units": units,
                "charge_amount_cents": charge,
                "billed_date": billed_date or service_date,
            }
        )
        return self

    def txn(
        self,
        claim_id: str,
        kind: str,
        amount: int,
        posted: str,
        source: str = "payer",
        payer_id: str | None = None,
        line_no: int | None = 1,
        group: str | None = None,
        reason: str | None = None,
        allowed: int | None = None,
        trace: str | None = None,
        era: str | None = None,
        method: str | None = None,
    ) -> LedgerBuilder:
        if era is not None and not any(r["era_id"] == era for r in self.remits):
            self.remits.append(
                {
                    "era_id": era,
                    "payer_id": payer_id,
                    "trace_number": trace or era,
                    "payment_date": posted,
                    "total_paid_cents": 0,
                    "method": "ACH",
                    "balanced": True,
                }
            )
        self.txns.append(
            {
                "txn_id": f"T{len(self.txns) + 1}",
                "claim_id": claim_id,
                "line_no": line_no,
                "kind": kind,
                "source": source,
                "payer_id": payer_id,
                "amount_cents": amount,
                "group_code": group,
                "reason_code": reason,
                "allowed_amount_cents": allowed,
                "trace_number": trace,
                "era_id": era,
                "method": method or ("era" if era else "manual"),
                "posted_date": posted,
                "posted_by": "system" if era else "u1",
            }
        )
        return self

    def build(self) -> Ledger:
        def frame(rows: list[dict[str, Any]], dates: tuple[str, ...] = ()) -> pd.DataFrame:
            out = pd.DataFrame(rows)
            for col in dates:
                if col in out:
                    out[col] = pd.to_datetime(out[col])
            return out

        frames = {
            "payers": frame(self.payers),
            "patients": frame(self.patients),
            "claim_lines": frame(self.lines, ("service_date", "billed_date")),
            "transactions": frame(self.txns, ("posted_date",)),
        }
        if self.fees:
            frames["fee_schedule"] = frame(self.fees, ("effective_from", "effective_to"))
        if self.remits:
            frames["remittances"] = frame(self.remits, ("payment_date",))
        return Ledger.from_frames(**frames)


def four_source_builder() -> LedgerBuilder:
    """One claim per source, each 97110 GP x2 at $100 charge per unit ($200), allowed $100.

    C1 duplicate (same ERA posted twice, credit $80), C2 payer overpayment (paid $100 against an
    expected $80, credit $20), C3 allowance error (CO-45 of $150 instead of $100, credit $50),
    C4 patient credit (copay $50 paid against $20 responsibility, credit $30). C5 has no credit.
    """
    b = LedgerBuilder().payer("P1", "commercial", offset=True).payer("P2", "medicare")
    for pid in ("A", "B", "C", "D", "E"):
        b.patient(pid)
    b.fee("P1", "97110", 5000, "2024-01-01", modifier="GP")
    b.fee("P2", "97110", 4000, "2024-01-01")
    for claim, patient in (("C1", "A"), ("C2", "B"), ("C3", "C"), ("C4", "D"), ("C5", "E")):
        b.line(claim, patient, "P1", 20000)
    d = "2025-02-01"
    # C1: paid 80 + copay 20 + CO-45 100 + PR-3 20 = balanced; then the ERA posted again.
    b.txn("C1", "payment", 8000, d, payer_id="P1", allowed=10000, trace="TR1", era="E1")
    b.txn("C1", "adjustment", 10000, d, payer_id="P1", group="CO", reason="45", era="E1")
    b.txn("C1", "responsibility", 2000, d, payer_id="P1", group="PR", reason="3", era="E1")
    b.txn("C1", "payment", 2000, "2025-01-06", source="patient", trace="R1", method="card")
    b.txn("C1", "payment", 8000, "2025-02-03", payer_id="P1", allowed=10000, trace="TR1", era="E1")
    # C2: payer paid 100 against allowed 100 less 20 copay.
    b.txn("C2", "payment", 10000, d, payer_id="P1", allowed=10000, trace="TR2", era="E2")
    b.txn("C2", "adjustment", 10000, d, payer_id="P1", group="CO", reason="45", era="E2")
    b.txn("C2", "responsibility", 2000, d, payer_id="P1", group="PR", reason="3", era="E2")
    b.txn("C2", "payment", 2000, "2025-01-06", source="patient", trace="R2", method="card")
    # C3: CO-45 written off 150.
    b.txn("C3", "payment", 8000, d, payer_id="P1", allowed=10000, trace="TR3", era="E3")
    b.txn("C3", "adjustment", 15000, d, payer_id="P1", group="CO", reason="45", era="E3")
    b.txn("C3", "responsibility", 2000, d, payer_id="P1", group="PR", reason="3", era="E3")
    b.txn("C3", "payment", 2000, "2025-01-06", source="patient", trace="R3", method="card")
    # C4: copay collected 50 at the visit.
    b.txn("C4", "payment", 8000, d, payer_id="P1", allowed=10000, trace="TR4", era="E4")
    b.txn("C4", "adjustment", 10000, d, payer_id="P1", group="CO", reason="45", era="E4")
    b.txn("C4", "responsibility", 2000, d, payer_id="P1", group="PR", reason="3", era="E4")
    b.txn("C4", "payment", 5000, "2025-01-06", source="patient", trace="R4", method="card")
    # C5: settled exactly.
    b.txn("C5", "payment", 8000, d, payer_id="P1", allowed=10000, trace="TR5", era="E5")
    b.txn("C5", "adjustment", 10000, d, payer_id="P1", group="CO", reason="45", era="E5")
    b.txn("C5", "responsibility", 2000, d, payer_id="P1", group="PR", reason="3", era="E5")
    b.txn("C5", "payment", 2000, "2025-01-06", source="patient", trace="R5", method="card")
    return b
