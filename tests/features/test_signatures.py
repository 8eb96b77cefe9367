"""Scale-free signatures (features/signatures.py) on hand-built ledgers: each posting form of a
duplicate, its look-alikes, write-off then payment, an adjustment posted twice, and the
invariance of every signature to the practice's price level."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from feature_ledgers import LedgerBuilder

from cbclassify.features import credit_features
from cbclassify.features.specs import SIGNATURE_NAMES, SPEC_BY_NAME

AS_OF = pd.Timestamp("2025-06-30")


def one(ledger, claim="X") -> pd.Series:
    credits = pd.DataFrame({"claim_id": [claim], "as_of_date": [AS_OF]})
    return credit_features(ledger, credits, workers=1).iloc[0]


def base() -> LedgerBuilder:
    b = LedgerBuilder().payer("P", "commercial").payer("Q", "medicaid").payer("R").patient("A")
    return b.fee("P", "97110", 4000, "2025-01-01", modifier=None)


def era_payment(b: LedgerBuilder, scale: int = 1) -> LedgerBuilder:
    """Charge 150, allowed 80 (2 units x 40), paid 60, PR-2 20, CO-45 70: a settled claim."""
    b.line("X", "A", "P", 15000 * scale)
    b.txn("X", "payment", 6000 * scale, "2025-02-01", payer_id="P", era="E1", trace="T1")
    b.txn(
        "X", "adjustment", 7000 * scale, "2025-02-01", payer_id="P", group="CO", reason="45",
        era="E1", trace="T1",
    )  # fmt: skip
    b.txn(
        "X", "responsibility", 2000 * scale, "2025-02-01", payer_id="P", group="PR", reason="2",
        era="E1", trace="T1",
    )  # fmt: skip
    b.txn("X", "payment", 2000 * scale, "2025-02-10", source="patient", trace="RC1")
    return b


def test_era_payment_keyed_again_by_hand_at_claim_level_under_its_trace():
    b = era_payment(base())
    b.txn("X", "payment", 6000, "2025-02-20", payer_id="P", line_no=None, trace="T1")
    row = one(b.build())
    assert row["credit_amount_usd"] == pytest.approx(60.0)
    assert row["credit_matches_payer_payment"] == 1.0
    assert row["repeated_payer_payment_any_level_count"] == 1
    assert row["repeat_same_trace"] == 1.0  # one trace posted twice: no money came twice
    assert row["repeat_posting_form_differs"] == 1.0  # ERA, then by hand
    assert row["repeat_days_apart"] == 19.0
    assert row["claim_level_payer_payment_count"] == 1
    assert row["manual_payer_payment_count"] == 1
    assert row["uncoded_payer_payment_count"] == 1  # no allowed amount, CARC or PR rows
    assert row["manual_on_remittance_trace_count"] == 1
    assert row["payer_duplicate_evidence_share_of_credit"] == 1.0
    assert row["duplicate_minus_writeoff_share"] == 1.0
    assert row["payer_excess_matches_payment"] == 1.0


def test_eft_then_paper_check_is_money_received_twice():
    b = era_payment(base())
    b.txn("X", "payment", 6000, "2025-03-15", payer_id="P", trace="CHK88", method="lockbox")
    row = one(b.build())
    assert row["repeat_same_trace"] == 0.0
    assert row["repeat_posting_form_differs"] == 1.0
    assert row["paper_payer_payment_share"] == 0.5
    assert row["line_paid_under_two_traces_count"] == 1
    assert row["line_paid_again_share_of_credit"] == 1.0
    assert row["manual_on_remittance_trace_count"] == 0


def test_claim_level_copy_of_a_multi_line_remittance_matches_its_total():
    b = base()
    b.line("X", "A", "P", 10000)
    b.line("X", "A", "P", 10000, line_no=2)
    b.txn("X", "payment", 7000, "2025-02-01", payer_id="P", era="E1", trace="T1")
    b.txn("X", "payment", 5000, "2025-02-01", payer_id="P", era="E1", trace="T1", line_no=2)
    b.txn("X", "adjustment", 8000, "2025-02-01", payer_id="P", group="CO", reason="45",
          era="E1", trace="T1", line_no=None)  # fmt: skip
    b.txn("X", "payment", 12000, "2025-02-05", payer_id="P", trace="T1", line_no=None)
    row = one(b.build())
    assert row["credit_amount_usd"] == pytest.approx(120.0)
    assert row["credit_matches_remittance_total"] == 1.0
    assert row["repeated_payer_payment_any_level_count"] == 1
    assert row["repeated_payer_payment_share_of_credit"] == 1.0


def test_takeback_and_repayment_is_not_a_repeat():
    b = era_payment(base())
    b.txn("X", "payment", -6000, "2025-03-01", payer_id="P", era="E2", trace="T2")
    b.txn("X", "payment", 6000, "2025-03-01", payer_id="P", era="E2", trace="T2")
    row = one(b.build())
    assert row["credit_amount_usd"] == pytest.approx(0.0)
    assert row["repeated_payer_payment_any_level_count"] == 0
    assert row["line_paid_under_two_traces_count"] == 0
    assert math.isnan(row["repeat_same_trace"])


def test_second_835_paying_another_amount_under_a_new_trace():
    b = era_payment(base())
    b.txn("X", "payment", 4500, "2025-04-01", payer_id="P", era="E2", trace="T2", allowed=8000)
    row = one(b.build())
    assert row["repeated_payer_payment_any_level_count"] == 0  # not the same amount
    assert row["line_paid_under_two_traces_count"] == 1
    assert row["line_paid_again_share_of_credit"] == 1.0
    assert row["payer_duplicate_evidence_share_of_credit"] == 1.0


def test_another_payer_paying_the_same_amount_is_not_a_repeat():
    b = era_payment(base())
    b.txn("X", "payment", 6000, "2025-03-01", payer_id="R", era="E3", trace="T3")
    row = one(b.build())
    assert row["repeated_payer_payment_any_level_count"] == 0
    assert row["line_paid_under_two_traces_count"] == 0
    assert row["unbilled_payer_share_of_credit"] == 1.0
    assert row["patient_minus_payer_excess_share"] == -1.0


def test_patient_writeoff_then_patient_payment():
    b = base()
    b.line("X", "A", "P", 15000)
    b.txn("X", "payment", 6000, "2025-02-01", payer_id="P", era="E1", trace="T1")
    b.txn("X", "adjustment", 7000, "2025-02-01", payer_id="P", group="CO", reason="45",
          era="E1", trace="T1")  # fmt: skip
    b.txn("X", "adjustment", 2000, "2025-03-01", source="patient")  # small-balance write-off
    b.txn("X", "payment", 2000, "2025-03-20", source="patient", trace="RC1")
    row = one(b.build())
    assert row["credit_amount_usd"] == pytest.approx(20.0)
    assert row["patient_writeoff_share_of_credit"] == 1.0
    assert row["credit_matches_patient_writeoff"] == 1.0
    assert row["patient_paid_after_writeoff_share_of_credit"] == 1.0
    assert row["credit_matches_patient_payment"] == 1.0


def test_a_patient_payment_before_the_writeoff_does_not_count_as_after():
    b = base()
    b.line("X", "A", "P", 15000)
    b.txn("X", "payment", 2000, "2025-01-20", source="patient", trace="RC1")
    b.txn("X", "payment", 6000, "2025-02-01", payer_id="P", era="E1", trace="T1")
    b.txn("X", "adjustment", 7000, "2025-02-01", payer_id="P", group="CO", reason="45",
          era="E1", trace="T1")  # fmt: skip
    b.txn("X", "adjustment", 2000, "2025-03-01", source="patient")
    row = one(b.build())
    assert row["patient_paid_after_writeoff_share_of_credit"] == 0.0


def test_contractual_posted_twice_under_another_code_and_level():
    b = era_payment(base())
    b.txn("X", "adjustment", 7000, "2025-02-12", payer_id="P", group="OA", reason="94",
          line_no=None)  # fmt: skip
    row = one(b.build())
    assert row["credit_amount_usd"] == pytest.approx(70.0)
    assert row["identical_adjustment_count"] == 0  # the same-code rule misses it
    assert row["adjustment_repeated_any_code_count"] == 1
    assert row["adjustment_repeated_share_of_credit"] == 1.0
    assert row["credit_matches_adjustment"] == 1.0
    assert row["primary_writeoff_excess_share_of_credit"] == 1.0
    assert row["duplicate_minus_writeoff_share"] == -1.0


def test_equal_writeoffs_on_two_lines_are_not_a_repeat():
    b = base()
    for line_no in (1, 2):
        b.line("X", "A", "P", 15000, line_no=line_no)
        b.txn("X", "payment", 8000, "2025-02-01", payer_id="P", era="E1", trace="T1",
              line_no=line_no)  # fmt: skip
        b.txn("X", "adjustment", 7000, "2025-02-01", payer_id="P", group="CO", reason="45",
              era="E1", trace="T1", line_no=line_no)  # fmt: skip
    b.txn("X", "payment", 1000, "2025-02-10", source="patient", trace="RC1")
    row = one(b.build())
    assert row["adjustment_repeated_any_code_count"] == 0
    assert row["repeated_payer_payment_any_level_count"] == 0


def test_sequestration_reported_but_not_taken():
    b = base()
    b.line("X", "A", "P", 15000)
    b.txn("X", "payment", 6000, "2025-02-01", payer_id="P", era="E1", trace="T1")
    b.txn("X", "adjustment", 7000, "2025-02-01", payer_id="P", group="CO", reason="45",
          era="E1", trace="T1")  # fmt: skip
    b.txn("X", "adjustment", 120, "2025-02-01", payer_id="P", group="CO", reason="253",
          era="E1", trace="T1")  # fmt: skip
    b.txn("X", "responsibility", 2000, "2025-02-01", payer_id="P", group="PR", reason="2",
          era="E1", trace="T1")  # fmt: skip
    b.txn("X", "payment", 2000, "2025-02-10", source="patient", trace="RC1")
    row = one(b.build())
    assert row["credit_amount_usd"] == pytest.approx(1.2)
    assert row["credit_matches_sequestration"] == 1.0
    assert row["sequestration_share_of_credit"] == pytest.approx(1.0)
    assert row["payer_excess_share_of_credit"] == pytest.approx(1.0)
    assert row["primary_writeoff_excess_share_of_credit"] == 0.0  # CO-253 is not a write-off


def test_secondary_covered_the_patient_share_and_the_patient_paid_too():
    b = base()
    b.line("X", "A", "P", 15000, secondary="Q")
    b.txn("X", "payment", 6000, "2025-02-01", payer_id="P", era="E1", trace="T1")
    b.txn("X", "adjustment", 7000, "2025-02-01", payer_id="P", group="CO", reason="45",
          era="E1", trace="T1")  # fmt: skip
    b.txn("X", "responsibility", 2000, "2025-02-01", payer_id="P", group="PR", reason="3",
          era="E1", trace="T1")  # fmt: skip
    b.txn("X", "payment", 2000, "2025-02-20", payer_id="Q", group="OA", reason="23",
          era="E2", trace="T2")  # fmt: skip
    b.txn("X", "payment", 2000, "2025-01-15", source="patient", trace="RC1")
    row = one(b.build())
    assert row["credit_amount_usd"] == pytest.approx(20.0)
    assert row["responsibility_covered_twice_share_of_credit"] == 1.0
    assert row["secondary_excess_share_of_credit"] == 0.0
    assert row["patient_minus_payer_excess_share"] == 1.0


def test_pr_rows_of_a_remittance_posted_twice_count_once():
    b = era_payment(base())
    b.txn("X", "payment", 6000, "2025-02-02", payer_id="P", era="E1", trace="T1")
    b.txn("X", "responsibility", 2000, "2025-02-02", payer_id="P", group="PR", reason="2",
          era="E1", trace="T1")  # fmt: skip
    row = one(b.build())
    assert row["patient_responsibility_usd"] == pytest.approx(20.0)  # was 40 before
    assert row["patient_excess_share_of_credit"] == 0.0
    assert row["repeat_same_trace"] == 1.0


def test_every_signature_is_scale_free():
    """The same claim at three times the prices has the same signatures."""

    def ledger(scale: int):
        b = LedgerBuilder().payer("P").patient("A")
        b.fee("P", "97110", 4000 * scale, "2025-01-01", modifier=None)
        era_payment(b, scale)
        b.txn("X", "payment", 6000 * scale, "2025-03-15", payer_id="P", trace="C9",
              method="lockbox")  # fmt: skip
        b.txn("X", "adjustment", 1000 * scale, "2025-04-01", source="patient")
        b.txn("X", "payment", 1000 * scale, "2025-04-09", source="patient", trace="RC2")
        return b.build()

    small, large = one(ledger(1)), one(ledger(3))
    for name in SIGNATURE_NAMES:
        assert SPEC_BY_NAME[name].kind != "usd"
        a, b = small[name], large[name]
        assert (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b), name


def test_every_signature_reads_in_plain_words():
    """Each signature has its own phrase (not the generic ``name = value`` fallback)."""
    from cbclassify.explain.templates import phrase

    b = era_payment(base())
    b.txn("X", "payment", 6000, "2025-02-20", payer_id="P", line_no=None, trace="T1")
    row = one(b.build())
    for name in SIGNATURE_NAMES:
        text = phrase(name, row[name], row)
        assert " = " not in text, (name, text)
    assert phrase("repeat_same_trace", 1.0, row) == (
        "The repeat has the same trace (one payment posted twice)"
    )
    assert phrase("payer_duplicate_evidence_share_of_credit", 1.0, row) == (
        "A payer payment posted twice (any form) explains 100% of the credit"
    )


def test_claim_level_keying_before_its_line_level_835_is_a_repeat_of_the_same_trace():
    """The hand-keyed claim-level total of a check came first; the 835 with the same trace
    posted the line payments days later (the verifier's posting-event rule, either order)."""
    b = base()
    b.line("X", "A", "P", 10000)
    b.line("X", "A", "P", 10000, line_no=2)
    b.txn("X", "payment", 12000, "2025-01-28", payer_id="P", trace="T1", line_no=None)
    b.txn("X", "payment", 7000, "2025-02-01", payer_id="P", era="E1", trace="T1")
    b.txn("X", "payment", 5000, "2025-02-01", payer_id="P", era="E1", trace="T1", line_no=2)
    b.txn("X", "adjustment", 8000, "2025-02-01", payer_id="P", group="CO", reason="45",
          era="E1", trace="T1", line_no=None)  # fmt: skip
    row = one(b.build())
    assert row["credit_amount_usd"] == pytest.approx(120.0)
    assert row["repeated_payer_payment_any_level_count"] == 1
    assert row["repeated_payer_payment_share_of_credit"] == 1.0
    assert row["repeat_same_trace"] == 1.0
    assert row["repeat_posting_form_differs"] == 1.0  # by hand, then the 835
    assert row["repeat_days_apart"] == 4.0


def test_two_line_payments_of_one_835_are_not_a_repeat_of_each_other():
    b = base()
    b.line("X", "A", "P", 10000)
    b.line("X", "A", "P", 10000, line_no=2)
    b.txn("X", "payment", 6000, "2025-02-01", payer_id="P", era="E1", trace="T1")
    b.txn("X", "payment", 6000, "2025-02-01", payer_id="P", era="E1", trace="T1", line_no=2)
    b.txn("X", "payment", 3000, "2025-03-01", source="patient", trace="RC1")
    row = one(b.build())
    assert row["repeated_payer_payment_any_level_count"] == 0
    assert math.isnan(row["repeat_same_trace"])
