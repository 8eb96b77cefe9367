"""Exports as CSV: done cases as contract ``resolutions`` rows (retraining labels), the audit
trail and the filtered worklist of cases. The rows come from the store
(``case_queries.resolutions_frame``, ``audit_queries.audit_events``, ``case_queries.export_rows``). Every text cell is formula-safe (``csv_cells``: a username or
claim id beginning with ``=``, ``+``, ``-`` or ``@`` gets a leading quote; plain numbers stay)."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from datetime import date
from typing import IO, Any

import pandas as pd

from cbclassify.contract.money import format_cents
from cbclassify.contract.schema import TABLES
from cbclassify.csv_cells import formula_safe, formula_safe_frame
from cbclassify.ledger_io.write import to_contract_frame
from cbclassify.store.models_audit import AuditEvent

AUDIT_CSV_COLUMNS: tuple[str, ...] = (
    "seq",
    "occurred_at",
    "actor",
    "actor_id",
    "action",
    "practice_id",
    "case_id",
    "before",
    "after",
    "details",
    "prev_hash",
    "hash",
)


def write_resolutions_csv(frame: pd.DataFrame, out: IO[str]) -> int:
    """Write a resolutions frame in contract form (money as 12.34, ISO dates); returns rows."""
    contract = to_contract_frame(TABLES["resolutions"], frame)
    formula_safe_frame(contract).to_csv(out, index=False, lineterminator="\n")
    return len(frame)


def write_audit_csv(rows: Iterable[AuditEvent], out: IO[str]) -> int:
    """Write audit rows as CSV (before/after/details stay canonical JSON); returns rows."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(AUDIT_CSV_COLUMNS)
    count = 0
    for row in rows:
        writer.writerow(
            [
                "" if getattr(row, c) is None else formula_safe(getattr(row, c))
                for c in AUDIT_CSV_COLUMNS
            ]
        )
        count += 1
    return count


#: Columns of the worklist CSV, in order: money as contract decimals (``1234.50``), dates
#: ``YYYY-MM-DD``, days in credit and to the due date counted to the ledger's ``as_of``.
WORKLIST_CSV_COLUMNS: tuple[str, ...] = (
    "case_id",
    "claim_id",
    "patient_id",
    "payer_id",
    "payer_name",
    "payer_type",
    "location_id",
    "credit_amount",
    "credit_since",
    "age_days",
    "identified_date",
    "predicted_source",
    "confidence",
    "verification",
    "verified_source",
    "recommended_action",
    "due_date",
    "days_to_due",
    "state",
    "proposed_action",
    "proposed_amount",
    "assigned_to",
    "as_of",
)


def _worklist_cells(row: Any, as_of: date) -> list[object]:
    since, due = row.credit_since, row.due_date
    values = {
        **{name: getattr(row, name) for name in row._fields},
        "credit_amount": format_cents(row.credit_amount_cents),
        "proposed_amount": format_cents(row.proposed_amount_cents),
        "credit_since": since.isoformat() if since else "",
        "age_days": (as_of - since).days if since else "",
        "identified_date": row.identified_date.isoformat() if row.identified_date else "",
        "confidence": "" if row.confidence is None else round(row.confidence, 6),
        "due_date": due.isoformat() if due else "",
        "days_to_due": (due - as_of).days if due else "",
        "as_of": as_of.isoformat(),
    }
    return ["" if values[c] is None else formula_safe(values[c]) for c in WORKLIST_CSV_COLUMNS]


def write_worklist_csv(rows: Iterable[Any], out: IO[str], as_of: date) -> int:
    """Write worklist rows (``case_queries.export_rows``) as CSV, every text cell formula-safe;
    returns the number of rows."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(WORKLIST_CSV_COLUMNS)
    count = 0
    for row in rows:
        writer.writerow(_worklist_cells(row, as_of))
        count += 1
    return count
