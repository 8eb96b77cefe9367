"""The service's CSV writers neutralize formula cells (one rule: ``csv_cells``)."""

from __future__ import annotations

import csv
import io
from types import SimpleNamespace

import pandas as pd

from cbclassify.service.exports import AUDIT_CSV_COLUMNS, write_audit_csv, write_resolutions_csv


def test_resolutions_csv_quotes_formula_claim_ids_and_users_and_keeps_amounts() -> None:
    frame = pd.DataFrame(
        {
            "claim_id": ["=1+2", "@SUM(A1)", "CLM-3"],
            "source": ["payer_overpayment"] * 3,
            "action": ["refund_payer"] * 3,
            "amount_cents": [2672, 100, 5],
            "resolved_date": pd.to_datetime(["2025-03-01"] * 3),
            "resolved_by": ["+bill", "max", "-cmd"],
            "identified_date": pd.to_datetime(["2025-02-01"] * 3),
        }
    )
    out = io.StringIO()
    write_resolutions_csv(frame, out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [r["claim_id"] for r in rows] == ["'=1+2", "'@SUM(A1)", "CLM-3"]
    assert [r["resolved_by"] for r in rows] == ["'+bill", "max", "'-cmd"]
    assert [r["amount"] for r in rows] == ["26.72", "1.00", "0.05"]


def test_audit_csv_quotes_formula_cells() -> None:
    row = SimpleNamespace(**dict.fromkeys(AUDIT_CSV_COLUMNS, "x"))
    row.actor, row.seq, row.practice_id = "=HYPERLINK(1)", 7, None
    out = io.StringIO()
    write_audit_csv([row], out)  # type: ignore[list-item]
    written = next(csv.DictReader(io.StringIO(out.getvalue())))
    assert written["actor"] == "'=HYPERLINK(1)" and written["seq"] == "7"
    assert written["practice_id"] == ""
