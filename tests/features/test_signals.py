"""Specific ledger facts behind the features: fee schedules, duplicates, reversals, context."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from feature_ledgers import LedgerBuilder

from cbclassify.features import credit_features

AS_OF = pd.Timestamp("2025-06-30")


def one(ledger, claim="X", as_of=AS_OF) -> pd.Series:
    return credit_features(ledger, pd.DataFrame({"claim_id": [claim], "as_of_date": [as_of]})).iloc[
        0
    ]


def base() -> LedgerBuilder:
    return LedgerBuilder().payer("P", "commercial").payer("Q", "medicaid").patient("A")


def test_fee_schedule_by_date_of_service_modifier_and_units():
    b = base()
    b.fee("P", "97110", 3000, "2024-01-01", "2024-12-31", modifier=None)
    b.fee("P", "97110", 4000, "2025-01-01", modifier=None)
    b.fee("P", "97110", 4500, "2025-01-01", modifier="GP")  # exact modifier wins
    b.line("X", "A", "P", 30000, service_date="2025-02-03", units=3, modifier="GP")
    b.line("X", "A", "P", 10000, service_date="2025-02-03", units=1, modifier="GO", line_no=2)
    b.line("Y", "A", "P", 10000, service_date="2024-05-03", units=2, modifier="GP")
    ledger = b.build()
    assert one(ledger)["contracted_allowed_usd"] == pytest.approx(3 * 45.0 + 40.0)
    assert one(ledger)["fee_schedule_coverage"] == 1.0
    assert one(ledger, "Y")["contracted_allowed_usd"] == pytest.approx(60.0)


def test_without_fee_schedule_the_reported_allowed_is_used():
    b = base()
    b.line("X", "A", "P", 20000)
    b.txn("X", "payment", 9000, "2025-02-01", payer_id="P", allowed=10000, era="E1", trace="T1")
    b.txn("X", "payment", 9000, "2025-02-09", payer_id="P", allowed=10000, era="E2", trace="T2")
    row = one(b.build())
    assert np.isnan(row["contracted_allowed_usd"])
    assert row["fee_schedule_coverage"] == 0.0
    assert row["reported_allowed_usd"] == pytest.approx(100.0)  # repeated, counted once
    assert row["allowed_usd"] == pytest.approx(100.0)
    assert row["payer_paid_minus_reported_allowed_usd"] == pytest.approx(80.0)
    assert row["responsibility_known"] == 1.0  # ERA posting without PR rows: patient owes 0


def test_same_trace_versus_distinct_trace_duplicates():
    b = base()
    b.line("X", "A", "P", 20000)
    b.txn("X", "payment", 5000, "2025-02-01", payer_id="P", era="E1", trace="T1")
    b.txn("X", "payment", 5000, "2025-03-01", payer_id="P", era="E2", trace="T2")
    b.txn("X", "payment", 5000, "2025-03-02", payer_id="P", trace="T2")  # manual re-post
    row = one(b.build())
    assert row["identical_payer_payment_count"] == 2
    assert row["identical_payer_payment_usd"] == pytest.approx(100.0)
    assert row["identical_same_trace_count"] == 1
    assert row["identical_distinct_trace_count"] == 1
    assert row["identical_same_era_count"] == 0
    assert row["identical_manual_and_era_count"] == 2
    assert row["payer_paid_manual_usd"] == pytest.approx(50.0)
    assert row["distinct_trace_count"] == 2
    assert row["min_days_between_payer_payments"] == 1


def test_a_takeback_and_repayment_is_not_a_net_duplicate():
    b = base()
    b.line("X", "A", "P", 20000)
    b.txn("X", "payment", 5000, "2025-02-01", payer_id="P", era="E1", trace="T1")
    b.txn("X", "payment", -5000, "2025-03-01", payer_id="P", era="E2", trace="T2", group="CR")
    b.txn("X", "payment", 5000, "2025-03-01", payer_id="P", era="E2", trace="T2")
    row = one(b.build())
    assert row["identical_payer_payment_count"] == 1
    assert row["identical_payment_net_of_reversals_usd"] == 0.0
    assert row["payer_reversal_count"] == 1
    assert row["payer_paid_usd"] == pytest.approx(50.0)
    assert row["cr_group_count"] == 1


def test_payer_roles_secondary_and_unbilled():
    b = base().payer("R", "tricare")
    b.line("X", "A", "P", 20000, secondary="Q")
    b.txn("X", "payment", 8000, "2025-02-01", payer_id="P", era="E1", trace="T1")
    b.txn(
        "X",
        "payment",
        3000,
        "2025-02-20",
        payer_id="Q",
        era="E2",
        trace="T2",
        group="OA",
        reason="23",
    )
    b.txn("X", "payment", 1000, "2025-02-21", payer_id="R", era="E3", trace="T3")
    row = one(b.build())
    assert row["primary_payer_paid_usd"] == pytest.approx(80.0)
    assert row["secondary_payer_paid_usd"] == pytest.approx(30.0)
    assert row["unbilled_payer_paid_usd"] == pytest.approx(10.0)
    assert row["paying_payer_count"] == 3
    assert row["carc_23_count"] == 1 and row["oa_group_count"] == 1


def test_adjustments_duplicated_and_patient_responsibility_written_off():
    b = base()
    b.line("X", "A", "P", 20000)
    b.txn(
        "X",
        "adjustment",
        4000,
        "2025-02-01",
        payer_id="P",
        group="CO",
        reason="45",
        era="E1",
        trace="T1",
    )
    b.txn("X", "adjustment", 4000, "2025-02-02", payer_id="P", group="CO", reason="45")
    b.txn("X", "adjustment", 1500, "2025-02-03", payer_id="P", group="PR", reason="2")
    b.txn("X", "adjustment", 500, "2025-02-04", source="patient")
    row = one(b.build())
    assert row["identical_adjustment_count"] == 1
    assert row["identical_adjustment_usd"] == pytest.approx(40.0)
    assert row["co45_adjustment_usd"] == pytest.approx(80.0)
    assert row["pr_coded_adjustment_usd"] == pytest.approx(15.0)
    assert row["patient_writeoff_usd"] == pytest.approx(5.0)
    assert row["contractual_adjustment_usd"] == pytest.approx(95.0)


def test_patient_paid_twice_with_one_receipt_versus_two():
    b = base()
    b.line("X", "A", "P", 20000)
    b.txn("X", "payment", 2500, "2025-01-06", source="patient", trace="R1", method="card")
    b.txn("X", "payment", 2500, "2025-01-07", source="patient", trace="R1", method="card")
    b.txn("X", "payment", 2500, "2025-01-08", source="patient", trace="R2", method="cash")
    b.txn("X", "responsibility", 2500, "2025-02-01", payer_id="P", group="PR", reason="3")
    row = one(b.build())
    assert row["identical_patient_payment_count"] == 2
    assert row["identical_patient_same_receipt_count"] == 1
    assert row["patient_paid_minus_responsibility_usd"] == pytest.approx(50.0)
    assert row["patient_paid_before_payer_count"] == 3


def test_manual_posting_without_responsibility_rows_means_unknown():
    b = base()
    b.line("X", "A", "P", 20000)
    b.txn("X", "payment", 9000, "2025-02-01", payer_id="P", trace="CHK1", method="check")
    b.txn("X", "payment", 3000, "2025-01-06", source="patient", method="cash")
    row = one(b.build())
    assert row["responsibility_known"] == 0.0
    assert np.isnan(row["patient_paid_minus_responsibility_usd"])


def test_patient_and_payer_history_stop_at_the_as_of_date():
    b = base().patient("B")
    b.line("X", "A", "P", 10000, service_date="2025-01-06")
    b.line("Y", "A", "P", 7000, service_date="2025-03-01")  # another open claim, 70.00 owed
    b.line("Z", "B", "P", 5000, service_date="2025-01-02")
    b.txn("Z", "payment", 5000, "2025-01-20", payer_id="P", allowed=4000, era="E0", trace="T0")
    b.txn("X", "payment", 12000, "2025-02-01", payer_id="P", era="E1", trace="T1")
    b.txn("Z", "payment", -5000, "2025-05-01", payer_id="P", era="E2", trace="T2")
    ledger = b.build()
    early = one(ledger, "X", pd.Timestamp("2025-02-15"))
    late = one(ledger, "X", pd.Timestamp("2025-06-30"))
    assert early["patient_claim_count"] == 1 and late["patient_claim_count"] == 2
    assert early["patient_other_claims_balance_usd"] == 0.0
    assert late["patient_other_claims_balance_usd"] == pytest.approx(70.0)
    assert early["payer_history_payment_count"] == 2
    assert early["payer_history_reversal_share"] == 0.0
    assert early["payer_history_above_reported_share"] == pytest.approx(0.5)
    assert late["payer_history_reversal_share"] == pytest.approx(0.5)


def test_transfers_and_refunds():
    b = base()
    b.line("X", "A", "P", 10000)
    b.line("W", "A", "P", 10000)
    b.txn("X", "payment", 15000, "2025-02-01", payer_id="P", era="E1", trace="T1")
    b.txn("X", "transfer", -3000, "2025-02-05", source="patient")
    b.txn("W", "transfer", 3000, "2025-02-05", source="patient")
    b.txn("X", "refund", 1000, "2025-02-06", payer_id="P", method="check")
    row = one(b.build())
    assert row["transfer_out_usd"] == pytest.approx(30.0)
    assert row["refund_usd"] == pytest.approx(10.0)
    assert row["credit_amount_usd"] == pytest.approx(150 - 30 - 10 - 100)
    assert one(b.build(), "W")["transfer_in_usd"] == pytest.approx(30.0)
