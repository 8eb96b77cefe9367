"""Small hand-built ledgers for the balance and worklist tests (memory names, integer cents)."""

from __future__ import annotations

from itertools import count
from typing import Any

import pandas as pd

from cbclassify.contract.ledger import Ledger
from cbclassify.contract.money import parse_money

DEFAULT_PAYERS = [
    {"payer_id": "MCR", "payer_name": "Medicare Part B", "payer_type": "medicare"},
    {"payer_id": "AET", "payer_name": "Aetna", "payer_type": "commercial"},
    {"payer_id": "MCD", "payer_name": "State Medicaid", "payer_type": "medicaid"},
]


def line(
    claim_id: str,
    line_no: int = 1,
    charge: str = "100.00",
    *,
    patient: str = "P1",
    payer: str | None = "AET",
    secondary: str | None = None,
    location: str = "LOC1",
    provider: str = "PRV1",
    service: str = "2024-01-02",
    billed: str = "2024-01-03",
    cpt: str = "97110",
) -> dict[str, Any]:
    """One claim line."""
    return {
        "claim_id": claim_id,
        "line_no": line_no,
        "patient_id": patient,
        "payer_id": payer,
        "secondary_payer_id": secondary,
        "location_id": location,
        "provider_id": provider,
        "service_date": pd.Timestamp(service),
        "cpt": cpt,
        "units": 1,
        "charge_amount_cents": parse_money(charge),
        "billed_date": pd.Timestamp(billed),
    }


_TXN_IDS = count(1)


def txn(
    claim_id: str,
    kind: str,
    amount: str,
    posted: str,
    *,
    line_no: int | None = None,
    source: str = "payer",
    payer: str | None = "AET",
    group_code: str | None = None,
) -> dict[str, Any]:
    """One posting; ``line_no`` None is a claim-level posting."""
    return {
        "txn_id": f"T{next(_TXN_IDS)}",
        "claim_id": claim_id,
        "line_no": line_no,
        "kind": kind,
        "source": source,
        "payer_id": payer if source == "payer" else None,
        "amount_cents": parse_money(amount),
        "group_code": group_code,
        "method": "era" if source == "payer" else "card",
        "posted_date": pd.Timestamp(posted),
        "posted_by": "tester",
    }


def make_ledger(
    lines: list[dict[str, Any]],
    txns: list[dict[str, Any]],
    payers: list[dict[str, Any]] | None = None,
) -> Ledger:
    """A typed Ledger from line and posting dicts; patients are derived from the lines."""
    patients = sorted({row["patient_id"] for row in lines})
    txn_frame = pd.DataFrame(txns) if txns else pd.DataFrame(columns=["txn_id"])
    return Ledger.from_frames(
        payers=pd.DataFrame(payers or DEFAULT_PAYERS),
        patients=pd.DataFrame({"patient_id": patients, "state": "PA"}),
        claim_lines=pd.DataFrame(lines),
        transactions=txn_frame,
    )
