"""The contract's balance rule on hand-built ledgers (amounts checked by hand)."""

from __future__ import annotations

import pandas as pd
import pytest

from cbclassify.balances import claim_balances, credit_balances, line_balances

from .builders import line, make_ledger, txn


def _balance(ledger, claim_id: str, as_of: str | None = None) -> int:
    frame = claim_balances(ledger, as_of).set_index("claim_id")
    return int(frame.loc[claim_id, "balance_cents"])


def test_payment_and_adjustment_lower_the_balance() -> None:
    ledger = make_ledger(
        [line("C1", charge="150.00")],
        [
            txn("C1", "payment", "90.00", "2024-02-01"),
            txn("C1", "adjustment", "40.00", "2024-02-01", group_code="CO"),
        ],
    )
    assert _balance(ledger, "C1") == 2000


def test_responsibility_rows_do_not_move_the_balance() -> None:
    ledger = make_ledger(
        [line("C1", charge="100.00")],
        [
            txn("C1", "payment", "70.00", "2024-02-01"),
            txn("C1", "responsibility", "30.00", "2024-02-01", group_code="PR"),
        ],
    )
    assert _balance(ledger, "C1") == 3000
    assert credit_balances(ledger).empty


def test_refund_raises_the_balance_back() -> None:
    ledger = make_ledger(
        [line("C1", charge="100.00")],
        [
            txn("C1", "payment", "100.00", "2024-02-01"),
            txn("C1", "payment", "100.00", "2024-02-05"),
            txn("C1", "refund", "100.00", "2024-03-01"),
        ],
    )
    assert _balance(ledger, "C1", "2024-02-28") == -10000
    assert _balance(ledger, "C1") == 0


def test_transfer_moves_money_between_claims() -> None:
    ledger = make_ledger(
        [line("C1", charge="100.00"), line("C2", charge="50.00")],
        [
            txn("C1", "payment", "130.00", "2024-02-01", source="patient"),
            # 30.00 leaves C1 (balance goes up) and enters C2 (balance goes down)
            txn("C1", "transfer", "-30.00", "2024-02-03", source="patient"),
            txn("C2", "transfer", "30.00", "2024-02-03", source="patient"),
        ],
    )
    assert _balance(ledger, "C1", "2024-02-02") == -3000
    assert _balance(ledger, "C1") == 0
    assert _balance(ledger, "C2") == 2000
    assert credit_balances(ledger).empty


def test_reversal_is_a_negative_payment() -> None:
    ledger = make_ledger(
        [line("C1", charge="100.00")],
        [
            txn("C1", "payment", "100.00", "2024-02-01"),
            txn("C1", "payment", "100.00", "2024-02-02"),
            txn("C1", "payment", "-100.00", "2024-02-20"),
        ],
    )
    assert _balance(ledger, "C1", "2024-02-10") == -10000
    assert _balance(ledger, "C1") == 0


def test_claim_level_and_line_level_postings_both_count() -> None:
    ledger = make_ledger(
        [line("C1", 1, "100.00"), line("C1", 2, "50.00")],
        [
            txn("C1", "payment", "100.00", "2024-02-01", line_no=1),
            txn("C1", "payment", "40.00", "2024-02-01", line_no=2),
            txn("C1", "payment", "25.00", "2024-02-02", source="patient"),
        ],  # claim level
    )
    assert _balance(ledger, "C1") == -1500
    lines = line_balances(ledger).set_index("line_no", drop=False)
    assert lines["balance_cents"].sum() == -1500
    assert int(lines.loc[2, "balance_cents"]) == 1000
    claim_level = lines[lines["line_no"].isna()]
    assert claim_level["balance_cents"].tolist() == [-2500]


def test_as_of_excludes_later_postings_and_later_billed_claims() -> None:
    ledger = make_ledger(
        [
            line("C1", charge="100.00", billed="2024-01-03"),
            line("C2", charge="80.00", billed="2024-03-01"),
            line("C1", 2, "20.00", billed="2024-03-01"),
        ],
        [
            txn("C1", "payment", "110.00", "2024-02-01"),
            txn("C1", "payment", "50.00", "2024-03-15"),
            txn("C2", "payment", "90.00", "2024-02-15", source="patient"),
        ],  # paid before billing
    )
    early = claim_balances(ledger, "2024-02-20").set_index("claim_id")
    assert list(early.index) == ["C1"]  # C2 not billed yet
    assert int(early.loc["C1", "charge_amount_cents"]) == 10000  # line 2 not billed yet
    assert int(early.loc["C1", "balance_cents"]) == -1000
    late = claim_balances(ledger, "2024-03-20").set_index("claim_id")
    assert int(late.loc["C1", "balance_cents"]) == 12000 - 16000
    assert int(late.loc["C2", "balance_cents"]) == -1000


def test_threshold_one_cent_is_a_credit_zero_is_not() -> None:
    ledger = make_ledger(
        [line("C1", charge="100.00"), line("C2", charge="100.00"), line("C3", charge="100.00")],
        [
            txn("C1", "payment", "100.01", "2024-02-01"),
            txn("C2", "payment", "100.00", "2024-02-01"),
            txn("C3", "payment", "99.99", "2024-02-01"),
        ],
    )
    credits = credit_balances(ledger)
    assert credits["claim_id"].tolist() == ["C1"]
    assert credits["credit_amount_cents"].tolist() == [1]


def test_default_as_of_is_the_latest_posting() -> None:
    ledger = make_ledger(
        [line("C1", charge="100.00")],
        [txn("C1", "payment", "120.00", "2024-02-01"), txn("C1", "refund", "20.00", "2024-04-30")],
    )
    assert credit_balances(ledger).empty
    assert credit_balances(ledger, pd.Timestamp("2024-04-29"))["credit_amount_cents"].tolist() == [
        2000
    ]


@pytest.mark.parametrize(
    "kind, effect",
    [("payment", -1), ("adjustment", -1), ("transfer", -1), ("refund", 1), ("responsibility", 0)],
)
def test_each_kind_has_its_sign(kind: str, effect: int) -> None:
    ledger = make_ledger([line("C1", charge="10.00")], [txn("C1", kind, "4.00", "2024-02-01")])
    assert _balance(ledger, "C1") == 1000 + effect * 400
