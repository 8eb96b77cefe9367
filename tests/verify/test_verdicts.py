"""Verdict semantics: disagreement with the prediction, refuted, inconclusive, output shape."""

from __future__ import annotations

import pandas as pd
from verify_ledgers import credits_of, one, standard

from cbclassify.verify import RESULT_COLUMNS, verify_credits


def _two_causes():
    """Payer overpaid $30 and write-offs $20 too large: a $50 credit with two sources."""
    b = standard()
    b.line("C1", charge="400.00").fee("BCBS", "97110", "50.00")
    b.era_payment(
        "C1", "BCBS", "210.00", allowed="200.00", era="E1", co45="220.00", pr={"3": "20.00"}
    )
    b.patient_payment("C1", "20.00")
    return b.build()


def _overpaid_by_payer():
    b = standard()
    b.line("C1", charge="400.00").fee("BCBS", "97110", "50.00")
    b.era_payment(
        "C1", "BCBS", "230.00", allowed="200.00", era="E1", co45="200.00", pr={"3": "20.00"}
    )
    b.patient_payment("C1", "20.00")
    return b.build()


def test_ledger_proving_another_source_refutes_the_prediction_without_an_action():
    ledger = _overpaid_by_payer()
    predicted = pd.Series({"C1": "duplicate_payment"})
    row = one(verify_credits(ledger, credits_of(ledger), predicted=predicted))
    assert row["verification"] == "refuted" and row["verified_source"] is pd.NA
    assert (row["ledger_source"], row["ledger_amount_cents"]) == ("payer_overpayment", 5000)
    assert row["confirmed_action"] is pd.NA and bool(row["disagreement"]) is False
    assert "model predicted duplicate payment" in row["review_reason"]
    assert "proves payer overpayment of $50.00" in row["review_reason"]
    assert "paid $230.00" in row["statement"]  # the ledger's evidence stays on the verdict
    assert row["evidence"] != ""


def test_policy_switch_confirms_the_ledgers_source_and_flags_the_disagreement():
    ledger = _overpaid_by_payer()
    predicted = pd.Series({"C1": "duplicate_payment"})
    row = one(
        verify_credits(ledger, credits_of(ledger), predicted=predicted, confirm_ledger_source=True)
    )
    assert (row["verification"], row["verified_source"]) == ("confirmed", "payer_overpayment")
    assert bool(row["disagreement"]) is True and row["ledger_source"] is pd.NA
    assert "model predicted duplicate payment" in row["review_reason"]


def test_without_a_prediction_the_ledgers_source_is_confirmed():
    ledger = _overpaid_by_payer()
    row = one(verify_credits(ledger, credits_of(ledger)))
    assert (row["verification"], row["verified_source"]) == ("confirmed", "payer_overpayment")


def test_agreeing_prediction_has_no_review_reason():
    b = standard()
    b.line("C1", charge="400.00").fee("BCBS", "97110", "50.00")
    b.era_payment(
        "C1", "BCBS", "230.00", allowed="200.00", era="E1", co45="200.00", pr={"3": "20.00"}
    )
    b.patient_payment("C1", "20.00")
    ledger = b.build()
    row = one(
        verify_credits(ledger, credits_of(ledger), predicted=pd.Series({"C1": "payer_overpayment"}))
    )
    assert bool(row["disagreement"]) is False and pd.isna(row["review_reason"])


def test_prediction_whose_facts_are_absent_is_refuted():
    ledger = _two_causes()
    row = one(
        verify_credits(ledger, credits_of(ledger), predicted=pd.Series({"C1": "patient_credit"}))
    )
    assert row["verification"] == "refuted"
    assert pd.isna(row["verified_source"])
    assert "no patient credit facts" in row["review_reason"]
    assert {c["source"] for c in row["components"]} == {"payer_overpayment", "allowance_error"}


def test_several_sources_without_prediction_is_partial_with_each_component():
    ledger = _two_causes()
    row = one(verify_credits(ledger, credits_of(ledger)))
    assert row["verification"] == "partial"
    amounts = {c["source"]: c["amount_cents"] for c in row["components"]}
    assert amounts == {"payer_overpayment": 3000, "allowance_error": 2000}
    assert row["explained_amount_cents"] == 5000


def test_prediction_needing_missing_data_is_inconclusive_not_refuted():
    b = standard()
    b.line("C1", charge="400.00")
    b.txn("C1", "payment", "payer", "420.00", payer="BCBS", trace="CHK1", method="check")
    ledger = b.build()
    row = one(
        verify_credits(ledger, credits_of(ledger), predicted=pd.Series({"C1": "payer_overpayment"}))
    )
    assert row["verification"] == "inconclusive"
    assert row["explained_amount_cents"] == 0


def test_output_has_one_row_per_credit_and_the_documented_columns():
    ledger = _two_causes()
    credits = credits_of(ledger)
    out = verify_credits(ledger, credits)
    assert list(out.columns) == RESULT_COLUMNS
    assert out["claim_id"].tolist() == credits["claim_id"].tolist()
    assert str(out["explained_amount_cents"].dtype) == "Int64"
    evidence = set(out.loc[0, "evidence"].split(";"))
    assert evidence and evidence <= set(ledger.transactions["txn_id"])


def test_no_credits_gives_an_empty_frame_with_the_columns():
    b = standard()
    b.line("C1", charge="400.00")
    ledger = b.build()
    out = verify_credits(ledger, credits_of(ledger))
    assert out.empty and list(out.columns) == RESULT_COLUMNS


def test_as_of_ignores_later_postings():
    b = standard()
    b.line("C1", charge="400.00").fee("BCBS", "97110", "50.00")
    b.era_payment(
        "C1", "BCBS", "180.00", allowed="200.00", era="E1", co45="200.00", pr={"3": "20.00"}
    )
    b.patient_payment("C1", "30.00", date="2026-01-05")
    b.txn("C1", "refund", "patient", "10.00", trace="RF1", method="check", date="2026-03-01")
    ledger = b.build()
    before = verify_credits(ledger, credits_of(ledger, "2026-02-01"), as_of="2026-02-01")
    assert one(before)["verified_source"] == "patient_credit"
    assert credits_of(ledger).empty  # refunded by the ledger's own date
