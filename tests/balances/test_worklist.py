"""build_worklist: one row per credit claim with the facts a biller works from."""

from __future__ import annotations

import pandas as pd

from cbclassify.balances import WORKLIST_COLUMNS, build_worklist, credit_balances

from .builders import line, make_ledger, txn


def _practice():
    """P1 has a credit on C1, an open balance on C2 (30.00) and C3 (5.00), a zero C4 and a
    second credit C5; P2 has a self-pay credit C6 and an open C7 (40.00)."""
    return make_ledger(
        [
            line("C1", 1, "100.00", provider="PRV1", service="2024-01-02", secondary="MCD"),
            line("C1", 2, "60.00", provider="PRV2", service="2024-01-09"),
            line("C2", charge="30.00"),
            line("C3", charge="20.00"),
            line("C4", charge="10.00"),
            line("C5", charge="50.00", payer="MCR", location="LOC2"),
            line("C6", charge="70.00", patient="P2", payer=None, location="LOC2"),
            line("C7", charge="40.00", patient="P2"),
        ],
        [
            txn("C1", "payment", "120.00", "2024-02-01", line_no=1),
            txn("C1", "adjustment", "60.00", "2024-02-01", line_no=2, group_code="CO"),
            txn("C3", "payment", "15.00", "2024-02-01"),
            txn("C4", "payment", "10.00", "2024-02-01"),
            txn("C5", "payment", "50.00", "2024-02-03", payer="MCR"),
            txn("C5", "payment", "50.00", "2024-02-04", payer="MCR"),
            txn("C6", "payment", "75.00", "2024-01-04", source="patient"),
        ],
    )


def test_one_row_per_credit_claim_matching_credit_balances() -> None:
    ledger = _practice()
    worklist = build_worklist(ledger)
    credits = credit_balances(ledger).set_index("claim_id")
    assert sorted(worklist["claim_id"]) == sorted(credits.index) == ["C1", "C5", "C6"]
    by_claim = worklist.set_index("claim_id")
    for claim_id, row in credits.iterrows():
        assert by_claim.loc[claim_id, "credit_amount_cents"] == row["credit_amount_cents"]
        assert by_claim.loc[claim_id, "charge_amount_cents"] == row["charge_amount_cents"]
    assert tuple(worklist.columns) == WORKLIST_COLUMNS


def test_columns_have_the_documented_dtypes() -> None:
    worklist = build_worklist(_practice())
    assert str(worklist["claim_id"].dtype) == "string"
    assert str(worklist["credit_amount_cents"].dtype) == "Int64"
    assert str(worklist["age_days"].dtype) == "Int64"
    assert worklist["credit_since"].dtype == "datetime64[ns]"
    assert worklist.attrs["as_of"] == pd.Timestamp("2024-02-04")


def test_claim_header_facts() -> None:
    row = build_worklist(_practice()).set_index("claim_id").loc["C1"]
    assert row["patient_id"] == "P1"
    assert (row["payer_id"], row["payer_name"], row["payer_type"]) == ("AET", "Aetna", "commercial")
    assert row["secondary_payer_id"] == "MCD"
    assert row["provider_id"] == "multiple"
    assert row["first_service_date"] == pd.Timestamp("2024-01-02")
    assert row["last_service_date"] == pd.Timestamp("2024-01-09")
    assert row["charge_amount_cents"] == 16000
    assert row["credit_amount_cents"] == 2000
    assert row["last_posted_date"] == pd.Timestamp("2024-02-01")


def test_self_pay_claim() -> None:
    row = build_worklist(_practice()).set_index("claim_id").loc["C6"]
    assert pd.isna(row["payer_id"])
    assert (row["payer_name"], row["payer_type"]) == ("Self-pay", "self_pay")
    assert row["provider_id"] == "PRV1"


def test_patient_open_balances_exclude_the_claim_itself() -> None:
    worklist = build_worklist(_practice()).set_index("claim_id")
    # P1: C2 owes 30.00 and C3 owes 5.00; C4 is at zero; C1 and C5 are credits.
    for claim_id in ("C1", "C5"):
        assert worklist.loc[claim_id, "patient_open_balance_cents"] == 3500
        assert worklist.loc[claim_id, "patient_open_claims"] == 2
        assert worklist.loc[claim_id, "patient_other_credits"] == 1
    # P2: C7 owes 40.00; C6 is the only credit.
    assert worklist.loc["C6", "patient_open_balance_cents"] == 4000
    assert worklist.loc["C6", "patient_open_claims"] == 1
    assert worklist.loc["C6", "patient_other_credits"] == 0


def test_patient_open_balance_is_taken_as_of_the_date() -> None:
    ledger = _practice()
    later = make_ledger(
        [line("C1", charge="100.00"), line("C2", charge="30.00", billed="2024-03-01")],
        [txn("C1", "payment", "110.00", "2024-02-01")],
    )
    assert build_worklist(later, "2024-02-15")["patient_open_balance_cents"].tolist() == [0]
    assert build_worklist(later, "2024-03-01")["patient_open_balance_cents"].tolist() == [3000]
    assert len(build_worklist(ledger, "2024-01-31")) == 1  # only C6 by then


def test_rows_are_oldest_first() -> None:
    worklist = build_worklist(_practice())
    assert worklist["claim_id"].tolist() == ["C6", "C1", "C5"]
    assert worklist["age_days"].tolist() == [31, 3, 0]


def test_no_credits_gives_an_empty_typed_worklist() -> None:
    ledger = make_ledger(
        [line("C1", charge="100.00")], [txn("C1", "payment", "40.00", "2024-02-01")]
    )
    worklist = build_worklist(ledger)
    assert worklist.empty
    assert tuple(worklist.columns) == WORKLIST_COLUMNS
    assert str(worklist["credit_amount_cents"].dtype) == "Int64"
    assert worklist.attrs["as_of"] == pd.Timestamp("2024-02-01")


def test_ledger_without_postings() -> None:
    ledger = make_ledger([line("C1", charge="100.00")], [])
    assert build_worklist(ledger).empty
