"""The export frame and the totals sentence."""

from __future__ import annotations

import pandas as pd

from cbclassify.balances import build_worklist, summarize_worklist, to_export_frame
from cbclassify.balances.worklist_export import export_columns

from .builders import line, make_ledger, txn


def _worklist() -> pd.DataFrame:
    ledger = make_ledger(
        [
            line("C1", charge="1200.00"),
            line("C2", charge="80.00", payer=None, location="LOC2"),
            line("C3", charge="10.00", patient="P2"),
        ],
        [
            txn("C1", "payment", "1200.00", "2024-02-01"),
            txn("C1", "payment", "1234.56", "2024-02-02"),
            txn("C2", "payment", "80.05", "2024-02-10", source="patient"),
        ],
    )
    return build_worklist(ledger)


def test_export_frame_has_contract_money_and_iso_dates() -> None:
    frame = to_export_frame(_worklist())
    assert tuple(frame.columns) == export_columns()
    row = frame.set_index("claim_id").loc["C1"]
    assert row["credit_amount"] == "1234.56"
    assert row["charge_amount"] == "1200.00"
    assert row["credit_since"] == "2024-02-02"
    assert row["as_of"] == "2024-02-10"
    assert row["patient_open_balance"] == "0.00"
    self_pay = frame.set_index("claim_id").loc["C2"]
    assert self_pay["payer_id"] == ""
    assert self_pay["credit_amount"] == "0.05"
    assert "credit_amount_cents" not in frame.columns


def test_summary_sentence() -> None:
    summary = summarize_worklist(_worklist())
    assert (summary.credits, summary.total_credit_cents, summary.payers, summary.locations) == (
        2,
        123461,
        2,
        2,
    )
    assert summary.oldest_age_days == 8
    assert summary.sentence() == (
        "2 credits totalling $1,234.61 across 2 payers and 2 locations; oldest 8 days"
    )


def test_summary_of_nothing() -> None:
    summary = summarize_worklist(_worklist().iloc[0:0])
    assert summary.credits == 0 and summary.oldest_age_days is None
    assert summary.sentence() == "No credit balances."
