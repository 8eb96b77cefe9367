"""Exports as CSV: done cases as contract ``resolutions`` rows (retraining labels) and the
audit trail. The rows come from the store (``case_queries.resolutions_frame``,
``audit_queries.audit_events``). Every text cell is formula-safe (``csv_cells``: a username or
claim id beginning with ``=``, ``+``, ``-`` or ``@`` gets a leading quote; plain numbers stay)."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import IO

import pandas as pd

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
