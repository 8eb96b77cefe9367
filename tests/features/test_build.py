"""The feature pipeline on hand-built ledgers: each source's signal, dates, leakage, order."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from feature_ledgers import LedgerBuilder, four_source_builder

from cbclassify.balances import credit_balances
from cbclassify.features import FEATURE_NAMES, credit_features

AS_OF = pd.Timestamp("2025-03-01")


def features_of(ledger, claims, as_of=AS_OF):
    credits = pd.DataFrame({"claim_id": claims, "as_of_date": as_of})
    return credit_features(ledger, credits)


def test_columns_are_the_catalogue_in_order(four_sources):
    frame = features_of(four_sources, ["C1", "C2"])
    assert list(frame.columns) == list(FEATURE_NAMES)
    numeric = frame.drop(columns=["service_line", "payer_type", "secondary_payer_type"])
    assert (numeric.dtypes == "float64").all()


def test_credit_amount_matches_the_balance_rule(four_sources):
    credits = credit_balances(four_sources, AS_OF)
    frame = features_of(four_sources, list(credits["claim_id"]))
    assert frame["credit_amount_usd"].tolist() == (credits["credit_amount_cents"] / 100).tolist()


def test_each_source_shows_its_own_signal(four_sources):
    f = features_of(four_sources, ["C1", "C2", "C3", "C4"]).set_axis(["C1", "C2", "C3", "C4"])
    assert f.loc["C1", "identical_payer_payment_count"] == 1
    assert f.loc["C1", "identical_same_era_count"] == 1
    assert f.loc["C1", "identical_same_trace_count"] == 1
    assert f.loc["C1", "duplicate_share_of_credit"] == pytest.approx(1.0)
    assert f.loc["C2", "primary_paid_minus_expected_usd"] == pytest.approx(20.0)
    assert f.loc["C2", "payer_excess_share_of_credit"] == pytest.approx(1.0)
    assert f.loc["C3", "contractual_minus_expected_usd"] == pytest.approx(50.0)
    assert f.loc["C3", "writeoff_excess_share_of_credit"] == pytest.approx(1.0)
    assert f.loc["C4", "patient_paid_minus_responsibility_usd"] == pytest.approx(30.0)
    assert f.loc["C4", "patient_excess_share_of_credit"] == pytest.approx(1.0)
    for claim in ("C2", "C3", "C4"):
        assert f.loc[claim, "identical_payer_payment_count"] == 0


def test_rows_follow_the_input_order_and_index(four_sources):
    credits = pd.DataFrame(
        {"claim_id": ["C4", "C1", "C4"], "as_of_date": [AS_OF, AS_OF, pd.Timestamp("2025-01-10")]},
        index=[10, 20, 30],
    )
    frame = credit_features(four_sources, credits)
    assert list(frame.index) == [10, 20, 30]
    assert frame.loc[10, "patient_paid_minus_responsibility_usd"] == pytest.approx(30.0)
    assert frame.loc[20, "identical_payer_payment_count"] == 1
    # On 2025-01-10 only the copay had been posted on C4: no payer payment yet.
    assert frame.loc[30, "payer_payment_count"] == 0
    assert frame.loc[30, "credit_amount_usd"] == pytest.approx(-150.0)


def test_postings_after_the_as_of_date_never_change_features(four_sources):
    before = features_of(four_sources, ["C2"], pd.Timestamp("2025-02-10"))
    b = four_source_builder()
    # The resolution: a refund to the payer after identification, and a later reversal.
    b.txn("C2", "refund", 2000, "2025-02-20", payer_id="P1", method="check")
    b.txn("C2", "payment", -10000, "2025-03-05", payer_id="P1", trace="TR9", era="E9")
    after = features_of(b.build(), ["C2"], pd.Timestamp("2025-02-10"))
    pd.testing.assert_frame_equal(before, after)
    later = features_of(b.build(), ["C2"], pd.Timestamp("2025-02-25"))
    assert later.loc[0, "refund_usd"] == pytest.approx(20.0)
    assert later.loc[0, "credit_amount_usd"] == pytest.approx(0.0)


def test_charges_billed_after_the_as_of_date_are_ignored(four_sources):
    b = four_source_builder()
    b.line("C1", "A", "P1", 5000, service_date="2025-03-10", line_no=2)
    frame = features_of(b.build(), ["C1"])
    assert frame.loc[0, "charge_usd"] == pytest.approx(200.0)
    assert frame.loc[0, "line_count"] == 1


def test_categoricals_describe_payer_and_discipline():
    b = LedgerBuilder().payer("M", "medicare").payer("S", "medicaid").patient("A")
    b.line("X1", "A", "M", 10000, cpt="92507", modifier="GN", secondary="S")
    b.line("X2", "A", None, 10000, cpt="97153", modifier=None)
    b.txn("X1", "payment", 12000, "2025-02-01", payer_id="M", era="E1", trace="T1")
    b.txn("X2", "payment", 12000, "2025-02-01", source="patient", method="card")
    f = features_of(b.build(), ["X1", "X2"])
    assert f["service_line"].tolist() == ["speech", "aba"]
    assert f["payer_type"].tolist() == ["medicare", "self_pay"]
    assert f.loc[0, "secondary_payer_type"] == "medicaid"
    assert pd.isna(f.loc[1, "secondary_payer_type"])


def test_empty_credits_give_an_empty_frame(four_sources):
    frame = credit_features(four_sources, pd.DataFrame({"claim_id": [], "as_of_date": []}))
    assert frame.empty and list(frame.columns) == list(FEATURE_NAMES)


def test_missing_columns_are_refused(four_sources):
    with pytest.raises(ValueError, match="as_of_date"):
        credit_features(four_sources, pd.DataFrame({"claim_id": ["C1"]}))


def test_features_are_finite_or_nan(four_sources):
    frame = features_of(four_sources, ["C1", "C2", "C3", "C4", "C5"])
    numeric = frame.drop(columns=["service_line", "payer_type", "secondary_payer_type"]).to_numpy()
    assert not np.isinf(numeric).any()


def test_output_satisfies_the_feature_schema(four_sources):
    from cbclassify.features.schema import feature_schema

    frame = features_of(four_sources, ["C1", "C2", "C3", "C4", "C5"])
    feature_schema().validate(frame)
    with pytest.raises(Exception, match="identical_payer_payment_count"):
        feature_schema().validate(frame.assign(identical_payer_payment_count=-1.0))
