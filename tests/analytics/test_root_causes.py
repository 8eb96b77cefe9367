"""Root-cause findings and breakdowns on a hand-built practice with exact numbers."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analytics.practice import planted_credits, planted_ledger
from cbclassify.analytics import (
    FINDING_COLUMNS,
    analyze,
    breakdown,
    combine_credits,
    credits_from_resolutions,
    credits_from_scores,
    empty_credits,
    root_causes,
)
from cbclassify.analytics.credits import evidence_postings


def test_planted_poster_is_the_first_finding_with_exact_figures() -> None:
    found = root_causes(planted_ledger(), planted_credits())
    top = found.iloc[0]
    assert (top["source"], top["dimension"], top["value"]) == ("allowance_error", "poster", "fd-03")
    assert top["credits"] == 4 and top["claims"] == 8 and top["share_of_source"] == 1.0
    assert top["rate_per_1000"] == 500.0 and top["rest_rate_per_1000"] == 0.0
    assert top["lift"] == pytest.approx((4.5 / 9) / (0.5 / 13))
    expected = 8 * 4 / 20
    assert top["score"] == pytest.approx(
        math.sqrt(2 * (4 * math.log(4 / expected) - (4 - expected)))
    )
    assert top["evidence_claims"] == "C01;C02;C03;C04"
    assert top["credit_amount_cents"] == 4000
    assert top["finding"].startswith(
        "Manual postings by user fd-03 account for 100% of allowance errors"
    )
    assert list(found.columns) == list(FINDING_COLUMNS)
    assert list(found["rank"]) == list(range(1, len(found) + 1))
    assert found["score"].is_monotonic_decreasing


def test_small_groups_and_weak_lifts_are_not_findings() -> None:
    found = root_causes(planted_ledger(), planted_credits())
    assert (found["credits"] >= 3).all() and (found["lift"] >= 1.5).all()
    assert not (found["dimension"] == "location").any()  # 2 + 2 credits: below min_credits
    payer = found[(found["dimension"] == "payer") & (found["value"] == "Alpha Health")].iloc[0]
    assert payer["lift"] == pytest.approx((4.5 / 11) / (0.5 / 11))
    assert payer["finding"].startswith(
        "Alpha Health claims (all in March 2024; every commercial claim) carry allowance errors "
        "at 400.0 per 1,000 claims"
    )


def test_one_group_under_two_names_is_one_finding() -> None:
    """Alpha Health is the practice's only commercial payer and all its postings fall in March
    2024: payer, payer type and payer-month are one group of credits over the same claims,
    reported once under the payer, naming the others."""
    found = root_causes(planted_ledger(), planted_credits())
    alpha = found[found["evidence_claims"] == "C01;C02;C03;C04"]
    assert not ((found["dimension"] == "payer_type") & (found["value"] == "commercial")).any()
    assert not found["dimension"].eq("payer_month").any()
    assert (alpha["dimension"] == "payer").sum() == 1
    claim_groups = alpha[alpha["dimension"].isin(["payer", "payer_type", "payer_month", "month"])]
    assert len(claim_groups) == 1, claim_groups[["dimension", "value"]]
    assert "every commercial claim" in claim_groups.iloc[0]["finding"]


def test_different_groups_with_the_same_credits_stay_apart() -> None:
    """fd-03's postings and the payer Alpha Health hold the same four credits but not the same
    claims (fd-03 posted on 8 claims, Alpha Health has 10): two findings."""
    found = root_causes(planted_ledger(), planted_credits())
    alpha = found[found["evidence_claims"] == "C01;C02;C03;C04"]
    assert {"poster", "payer"} <= set(alpha["dimension"])
    assert set(alpha["claims"]) >= {8, 10}


def test_breakdown_gives_rates_per_thousand_claims() -> None:
    table = breakdown(analyze(planted_ledger(), planted_credits()), "poster")
    assert table.loc["fd-03", "claims"] == 8
    assert table.loc["fd-03", "allowance_error"] == 4
    assert table.loc["fd-03", "allowance_error_per_1000"] == 500.0
    assert table.loc["era-autopost", "claims"] == 20
    assert table.loc["era-autopost", "duplicate_payment_per_1000"] == 100.0
    assert table.loc["biller2", "credits"] == 0
    cpt = breakdown(analyze(planted_ledger(), planted_credits()), "cpt")
    assert cpt.loc["97140", "claims"] == 4 and cpt.loc["97140", "allowance_error"] == 1
    with pytest.raises(ValueError, match="unknown dimension"):
        breakdown(analyze(planted_ledger(), planted_credits()), "weather")


def test_month_and_posting_method_dimensions() -> None:
    data = analyze(planted_ledger(), planted_credits())
    months = breakdown(data, "month")
    assert months.loc["2024-03", "credits"] == 6
    assert months.loc["2024-03", "claims"] == 20  # claims with a posting in March
    methods = breakdown(data, "posting_method")
    assert (
        methods.loc["manual", "allowance_error"] == 4
        and methods.loc["ERA", "duplicate_payment"] == 2
    )


def test_credits_without_evidence_use_the_claims_relevant_postings() -> None:
    ledger = planted_ledger()
    credits = planted_credits().head(1).assign(evidence=pd.NA, date=pd.Timestamp("2024-03-31"))
    pairs = evidence_postings(ledger, credits)
    assert sorted(pairs["txn_id"]) == ["C01-A", "C01-F"]  # write-offs only, not the payment
    early = credits.assign(date=pd.Timestamp("2024-03-02"))
    assert sorted(evidence_postings(ledger, early)["txn_id"]) == ["C01-A"]  # not yet posted


def test_combine_prefers_verified_then_resolved_then_predicted() -> None:
    base = planted_credits().head(1)
    predicted = base.assign(basis="predicted", source="patient_credit")
    resolved = base.assign(basis="resolved", source="payer_overpayment")
    combined = combine_credits(predicted, resolved, base)
    assert list(combined["basis"]) == ["verified"] and list(combined["source"]) == [
        "allowance_error"
    ]
    assert list(combine_credits(predicted, resolved)["source"]) == ["payer_overpayment"]
    assert combine_credits().empty


def test_credits_from_scores_and_resolutions() -> None:
    scores = pd.DataFrame(
        {
            "claim_id": ["C01", "C02"],
            "predicted_source": ["allowance_error", "patient_credit"],
            "verification": ["confirmed", "refuted"],
            "verified_source": ["allowance_error", None],
            "evidence": ["C01-F", "C02-F"],
            "credit_amount_cents": pd.array([1000, 250], dtype="Int64"),
        }
    )
    credits = credits_from_scores(scores, "2024-03-31")
    assert list(credits["basis"]) == ["verified", "predicted"]
    assert list(credits["source"]) == ["allowance_error", "patient_credit"]
    assert credits["evidence"].isna().tolist() == [False, True]  # unconfirmed evidence is not used
    ledger = planted_ledger().with_table(
        "resolutions",
        pd.DataFrame(
            {
                "claim_id": ["C03"],
                "source": ["allowance_error"],
                "action": ["correct_adjustment"],
                "amount_cents": pd.array([1000], dtype="Int64"),
                "resolved_date": [pd.Timestamp("2024-04-02")],
                "resolved_by": ["m1"],
                "identified_date": [pd.NaT],
            }
        ),
    )
    resolved = credits_from_resolutions(ledger)
    assert (
        resolved.loc[0, "date"] == pd.Timestamp("2024-04-02")
        and resolved.loc[0, "basis"] == "resolved"
    )
    with pytest.raises(ValueError, match="unknown credit sources"):
        credits_from_scores(
            scores.assign(predicted_source=["refund", "x"], verification="refuted"), "2024-03-31"
        )


def test_no_credits_gives_no_findings() -> None:
    found = root_causes(planted_ledger(), empty_credits())
    assert found.empty and list(found.columns) == list(FINDING_COLUMNS)
