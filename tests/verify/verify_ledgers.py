"""A small builder of hand-made ledgers for the verification and resolution tests."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from cbclassify.balances import credit_balances
from cbclassify.contract.ledger import Ledger
from cbclassify.contract.money import parse_money


def cents(text: str | int) -> int:
    """``"412.00"`` -> 41200; ints pass through as cents."""
    return text if isinstance(text, int) else parse_money(text)


@dataclass
class LedgerBuilder:
    """Builds a Ledger with memory column names; amounts are given as contract text."""

    payers: list[dict] = field(default_factory=list)
    patients: list[dict] = field(default_factory=list)
    lines: list[dict] = field(default_factory=list)
    txns: list[dict] = field(default_factory=list)
    fees: list[dict] = field(default_factory=list)
    remits: list[dict] = field(default_factory=list)
    plb: list[dict] = field(default_factory=list)

    def payer(
        self,
        payer_id: str,
        payer_type: str = "commercial",
        name: str | None = None,
        allows_offset: bool | None = None,
        refund_days: int | None = None,
    ) -> LedgerBuilder:
        self.payers.append(
            {
                "payer_id": payer_id,
                "payer_name": name or payer_id,
                "payer_type": payer_type,
                "allows_offset": allows_offset,
                "refund_deadline_days": refund_days,
            }
        )
        return self

    def patient(self, patient_id: str = "PT1", state: str = "PA") -> LedgerBuilder:
        self.patients.append({"patient_id": patient_id, "state": state})
        return self

    def line(
        self,
        claim_id: str,
        line_no: int = 1,
        *,
        patient: str = "PT1",
        payer: str | None = "BCBS",
        secondary: str | None = None,
        cpt: str = "97110",
        modifier: str | None = "GP",
        units: int = 4,
        charge: str = "400.00",
        service_date: str = "2026-01-05",
        billed_date: str = "2026-01-06",
        location: str = "LOC1",
    ) -> LedgerBuilder:
        self.lines.append(
            {
                "claim_id": claim_id,
                "line_no": line_no,
                "patient_id": patient,
                "payer_id": payer,
                "secondary_payer_id": secondary,
                "location_id": location,
                "provider_id": "PRV1",
                "service_date": pd.Timestamp(service_date),
                "cpt": cpt,
                "modifier": modifier,
                "units": units,
                "charge_amount_cents": cents(charge),
                "billed_date": pd.Timestamp(billed_date),
            }
        )
        return self

    def fee(
        self,
        payer: str,
        cpt: str,
        per_unit: str,
        modifier: str | None = None,
        start: str = "2025-01-01",
        end: str | None = None,
    ) -> LedgerBuilder:
        self.fees.append(
            {
                "payer_id": payer,
                "cpt": cpt,
                "modifier": modifier,
                "allowed_per_unit_cents": cents(per_unit),
                "effective_from": pd.Timestamp(start),
                "effective_to": pd.Timestamp(end) if end else pd.NaT,
            }
        )
        return self

    def remit(
        self,
        era_id: str,
        payer: str,
        trace: str,
        date: str = "2026-01-20",
        total: str | None = None,
    ) -> LedgerBuilder:
        """A remittance; without ``total`` it pays what is posted from it (a balanced 835)."""
        self.remits.append(
            {
                "era_id": era_id,
                "payer_id": payer,
                "trace_number": trace,
                "payment_date": pd.Timestamp(date),
                "total_paid_cents": None if total is None else cents(total),
                "method": "ACH",
                "balanced": True,
            }
        )
        return self

    def txn(
        self,
        claim: str,
        kind: str,
        source: str,
        amount: str,
        *,
        payer: str | None = None,
        line: int | None = 1,
        group: str | None = None,
        reason: str | None = None,
        allowed: str | None = None,
        trace: str | None = None,
        era: str | None = None,
        method: str | None = None,
        date: str = "2026-01-20",
    ) -> str:
        txn_id = f"T{len(self.txns) + 1:03d}"
        self.txns.append(
            {
                "txn_id": txn_id,
                "claim_id": claim,
                "line_no": line,
                "kind": kind,
                "source": source,
                "payer_id": payer,
                "amount_cents": cents(amount),
                "group_code": group,
                "reason_code": reason,
                "allowed_amount_cents": cents(allowed) if allowed is not None else None,
                "trace_number": trace,
                "era_id": era,
                "method": method or ("era" if era else "manual"),
                "posted_date": pd.Timestamp(date),
                "posted_by": "tester",
            }
        )
        return txn_id

    def era_payment(
        self,
        claim: str,
        payer: str,
        paid: str,
        *,
        allowed: str | None,
        era: str,
        co45: str | None = None,
        pr: dict[str, str] | None = None,
        line: int | None = 1,
        date: str = "2026-01-20",
        oa23: bool = False,
        seq: str | None = None,
    ) -> list[str]:
        """An 835 claim payment: payment row (with allowed), CO-45, PR rows, CO-253."""
        if era not in {r["era_id"] for r in self.remits}:
            self.remit(era, payer, f"TRN-{era}", date)
        ids = [
            self.txn(
                claim,
                "payment",
                "payer",
                paid,
                payer=payer,
                line=line,
                allowed=allowed,
                era=era,
                group="OA" if oa23 else None,
                reason="23" if oa23 else None,
                date=date,
            )
        ]
        if co45:
            ids.append(
                self.txn(
                    claim,
                    "adjustment",
                    "payer",
                    co45,
                    payer=payer,
                    line=line,
                    group="CO",
                    reason="45",
                    era=era,
                    date=date,
                )
            )
        if seq:
            ids.append(
                self.txn(
                    claim,
                    "adjustment",
                    "payer",
                    seq,
                    payer=payer,
                    line=line,
                    group="CO",
                    reason="253",
                    era=era,
                    date=date,
                )
            )
        for reason, amount in (pr or {}).items():
            ids.append(
                self.txn(
                    claim,
                    "responsibility",
                    "payer",
                    amount,
                    payer=payer,
                    line=line,
                    group="PR",
                    reason=reason,
                    era=era,
                    date=date,
                )
            )
        return ids

    def patient_payment(
        self,
        claim: str,
        amount: str,
        receipt: str | None = "R1",
        date: str = "2026-01-05",
        line: int | None = None,
        method: str = "card",
    ) -> str:
        return self.txn(
            claim, "payment", "patient", amount, line=line, trace=receipt, method=method, date=date
        )

    def plb_row(self, era: str, reason: str, reference: str, amount: str) -> LedgerBuilder:
        self.plb.append(
            {
                "era_id": era,
                "reason_code": reason,
                "reference": reference,
                "amount_cents": cents(amount),
            }
        )
        return self

    def build(self) -> Ledger:
        frames = {
            "payers": pd.DataFrame(self.payers),
            "patients": pd.DataFrame(self.patients or [{"patient_id": "PT1", "state": "PA"}]),
            "claim_lines": pd.DataFrame(self.lines),
            "transactions": pd.DataFrame(self.txns),
        }
        if self.fees:
            frames["fee_schedule"] = pd.DataFrame(self.fees)
        if self.remits:
            posted: dict[str, int] = {}
            for t in self.txns:
                if t["era_id"] and t["kind"] == "payment" and t["source"] == "payer":
                    posted[t["era_id"]] = posted.get(t["era_id"], 0) + t["amount_cents"]
            remits = [
                {**r, "total_paid_cents": posted.get(r["era_id"], 0)}
                if r["total_paid_cents"] is None
                else r
                for r in self.remits
            ]
            frames["remittances"] = pd.DataFrame(remits)
        if self.plb:
            frames["provider_adjustments"] = pd.DataFrame(self.plb)
        return Ledger.from_frames(**frames)


def standard(*payers: tuple[str, str]) -> LedgerBuilder:
    """A builder with BCBS (commercial) plus the given (payer_id, type) pairs and patient PT1."""
    b = LedgerBuilder().payer("BCBS", "commercial", name="Blue Cross").patient("PT1", "PA")
    for payer_id, payer_type in payers:
        b.payer(payer_id, payer_type)
    return b


def credits_of(ledger: Ledger, as_of: str | None = None) -> pd.DataFrame:
    return credit_balances(ledger, as_of)


def one(result: pd.DataFrame, claim: str = "C1") -> pd.Series:
    rows = result[result["claim_id"] == claim]
    assert len(rows) == 1, f"expected one result row for {claim}, got {len(rows)}"
    return rows.iloc[0]
