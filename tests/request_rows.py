"""Request-shaped rows for tests: a ledger's rows as the API hands them to
``contract.validate_rows.ledger_from_rows`` (typed values: Decimal money, date, int, bool)."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from cbclassify.contract.ledger import Ledger
from cbclassify.contract.schema import TABLES


def typed_rows(table: str, frame: pd.DataFrame) -> list[dict]:
    """Memory rows -> typed values as the API hands them over (Decimal money, date, int)."""
    out = []
    for record in frame.to_dict("records"):
        row = {}
        for column in TABLES[table].columns:
            value = record[column.memory_name]
            if value is None or value is pd.NA or value is pd.NaT:
                row[column.name] = None
            elif column.type == "money":
                row[column.name] = (Decimal(int(value)) / 100).quantize(Decimal("0.01"))
            elif column.type == "date":
                row[column.name] = value.date()
            elif column.type in ("int", "bool"):
                row[column.name] = int(value) if column.type == "int" else bool(value)
            else:
                row[column.name] = str(value)
        out.append(row)
    return out


def patient_request(ledger: Ledger, claim_id: str) -> dict[str, list[dict]]:
    """The tables a classify request for ``claim_id`` sends: the claim with its patient's other
    claims, their postings and remittances, every payer and fee-schedule row."""
    lines, txns = ledger.claim_lines, ledger.transactions
    patient = lines.loc[lines["claim_id"] == claim_id, "patient_id"].iloc[0]
    ids = set(lines.loc[lines["patient_id"] == patient, "claim_id"])
    mine = txns[txns["claim_id"].isin(ids)]
    remits = ledger.remittances[ledger.remittances["era_id"].isin(set(mine["era_id"].dropna()))]
    return {
        "payers": typed_rows("payers", ledger.payers),
        "patients": typed_rows("patients", ledger.patients[ledger.patients["patient_id"] == patient]),
        "claim_lines": typed_rows("claim_lines", lines[lines["claim_id"].isin(ids)]),
        "transactions": typed_rows("transactions", mine),
        "fee_schedule": typed_rows("fee_schedule", ledger.fee_schedule),
        "remittances": typed_rows("remittances", remits),
    }  # fmt: skip
