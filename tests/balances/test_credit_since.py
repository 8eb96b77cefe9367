"""credit_since and age_days: when the current credit run began, checked by hand."""

from __future__ import annotations

import pandas as pd
import pytest
from ledger_factory import tiny_ledger

from cbclassify.balances import build_worklist, credit_since, ledger_as_of

from .builders import line, make_ledger, txn


def _row(ledger, claim_id: str, as_of: str | None = None) -> pd.Series:
    frame = build_worklist(ledger, as_of).set_index("claim_id")
    return frame.loc[claim_id]


def test_credit_negative_then_recovered_then_negative_again() -> None:
    ledger = make_ledger(
        [line("C1", charge="100.00", billed="2024-01-03")],
        [
            txn("C1", "payment", "100.00", "2024-01-20"),
            txn("C1", "payment", "100.00", "2024-01-25"),  # credit 100 from 01-25
            txn("C1", "payment", "-100.00", "2024-02-10"),  # reversed: back to 0
            txn("C1", "adjustment", "30.00", "2024-03-01"),  # credit 30 from 03-01
            txn("C1", "payment", "5.00", "2024-03-10"),
        ],  # still a credit, larger
    )
    first_run = _row(ledger, "C1", "2024-02-05")
    assert first_run["credit_since"] == pd.Timestamp("2024-01-25")
    assert first_run["age_days"] == 11
    assert first_run["credit_amount_cents"] == 10000
    assert "C1" not in set(build_worklist(ledger, "2024-02-15")["claim_id"])
    again = _row(ledger, "C1", "2024-03-31")
    assert again["credit_since"] == pd.Timestamp("2024-03-01")
    assert again["age_days"] == 30
    assert again["credit_amount_cents"] == 3500
    assert again["last_posted_date"] == pd.Timestamp("2024-03-10")


def test_same_day_postings_count_as_one_end_of_day_balance() -> None:
    # A payment and its reversal on one day never make the claim a credit that day.
    ledger = make_ledger(
        [line("C1", charge="100.00")],
        [
            txn("C1", "payment", "100.00", "2024-02-01"),
            txn("C1", "payment", "100.00", "2024-02-05"),
            txn("C1", "payment", "-100.00", "2024-02-05"),
            txn("C1", "payment", "100.00", "2024-02-05"),
            txn("C1", "payment", "20.00", "2024-02-07"),
        ],
    )
    assert _row(ledger, "C1", "2024-02-10")["credit_since"] == pd.Timestamp("2024-02-05")


def test_credit_is_never_older_than_its_claim() -> None:
    # Prepaid before billing: the claim exists (and is a credit) from its billed_date.
    ledger = make_ledger(
        [line("C1", charge="80.00", service="2024-01-02", billed="2024-01-10")],
        [txn("C1", "payment", "100.00", "2024-01-02", source="patient")],
    )
    row = _row(ledger, "C1", "2024-01-31")
    assert row["credit_since"] == pd.Timestamp("2024-01-10")
    assert row["age_days"] == 21


def test_a_line_billed_later_can_end_a_credit_run() -> None:
    ledger = make_ledger(
        [line("C1", 1, "100.00", billed="2024-01-03"), line("C1", 2, "50.00", billed="2024-02-01")],
        [
            txn("C1", "payment", "120.00", "2024-01-15"),  # credit 20 from 01-15
            txn("C1", "payment", "40.00", "2024-02-10"),
        ],  # line 2 billed 02-01 -> +30; credit 10
    )
    row = _row(ledger, "C1", "2024-02-20")
    assert row["credit_since"] == pd.Timestamp("2024-02-10")
    assert row["credit_amount_cents"] == 1000


def test_tiny_ledger_credits_by_hand() -> None:
    ledger = tiny_ledger()
    # CL2: copay prepaid 01-08 (before billing 01-09), settled to 0 on 01-30, copay again 02-02.
    cl2 = _row(ledger, "CL2", "2024-03-01")
    assert (cl2["credit_amount_cents"], cl2["credit_since"]) == (2000, pd.Timestamp("2024-02-02"))
    assert cl2["age_days"] == 28
    # CL3: paid twice (credit from 02-10), refunded 03-01.
    assert "CL3" not in set(build_worklist(ledger)["claim_id"])
    cl3 = _row(ledger, "CL3", "2024-02-20")
    assert (cl3["credit_amount_cents"], cl3["credit_since"], cl3["age_days"]) == (
        20000,
        pd.Timestamp("2024-02-10"),
        10,
    )


def test_credit_since_rejects_a_claim_that_is_not_a_credit() -> None:
    ledger = make_ledger(
        [line("C1", charge="100.00")], [txn("C1", "payment", "40.00", "2024-02-01")]
    )
    with pytest.raises(ValueError, match="not credits"):
        credit_since(ledger_as_of(ledger), pd.Index(["C1"]))
