"""The labels are exact: every injected credit is a real credit of its amount, and nothing else is."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import example, given, settings
from hypothesis import strategies as st
from synth_checks import assert_truth_exact, balances_at

from cbclassify.balances import credit_balances
from cbclassify.synth import SynthConfig, SynthPractice, generate_practice
from cbclassify.synth.catalog import PAYER_MIXES


def test_moderate_practice_truth_is_exact(practice: SynthPractice) -> None:
    assert len(practice.truth) > 150
    assert_truth_exact(practice)


def test_no_credit_outside_truth_on_any_date(practice: SynthPractice) -> None:
    ledger, truth = practice.ledger, practice.truth
    known = set(truth["claim_id"])
    days = pd.date_range(
        ledger.transactions["posted_date"].min(), ledger.default_as_of(), periods=25
    )
    for day in days:
        found = set(credit_balances(ledger, day)["claim_id"])
        assert found <= known, f"credits not in truth on {day.date()}: {sorted(found - known)[:5]}"


def test_credit_is_constant_from_arising_to_resolution(practice: SynthPractice) -> None:
    ledger, truth = practice.ledger, practice.truth
    amount = -truth["credit_amount_cents"].to_numpy()
    assert (balances_at(ledger, truth["claim_id"], truth["arose_date"]) == amount).all()
    before = truth["arose_date"] - pd.Timedelta(days=1)
    assert (balances_at(ledger, truth["claim_id"], before) > amount).all()  # it arose that day
    done = truth[truth["resolved"]]
    eve = done["resolved_date"] - pd.Timedelta(days=1)
    assert (
        balances_at(ledger, done["claim_id"], eve) == -done["credit_amount_cents"].to_numpy()
    ).all()
    assert (balances_at(ledger, done["claim_id"], done["resolved_date"]) == 0).all()
    assert (done["identified_date"] < done["resolved_date"]).all()


def test_identified_dates(practice: SynthPractice) -> None:
    truth, as_of = practice.truth, practice.ledger.default_as_of()
    assert (truth["identified_date"] >= truth["arose_date"]).all()
    assert (truth.loc[~truth["resolved"], "identified_date"] == as_of).all()
    assert (truth.loc[truth["resolved"], "identified_date"] < as_of).all()


@settings(max_examples=15, deadline=None)
@given(
    seed=st.integers(0, 2**31 - 1),
    claims=st.integers(1, 200),
    mix=st.sampled_from(sorted(PAYER_MIXES)),
    months=st.integers(6, 24),
    credit_rate=st.floats(0.0, 0.5),
    resolved_share=st.floats(0.0, 1.0),
    hard_case_share=st.floats(0.0, 1.0),
)
# One claim with no posting yet: the books end on the last day (found by hypothesis).
@example(
    seed=40,
    claims=1,
    mix=min(PAYER_MIXES),
    months=6,
    credit_rate=0.08,
    resolved_share=0.5,
    hard_case_share=0.1,
)
def test_truth_is_exact_for_any_practice(
    seed: int,
    claims: int,
    mix: str,
    months: int,
    credit_rate: float,
    resolved_share: float,
    hard_case_share: float,
) -> None:
    config = SynthConfig(
        claims=claims,
        seed=seed,
        payer_mix=mix,
        months=months,
        credit_rate=credit_rate,
        resolved_share=resolved_share,
        hard_case_share=hard_case_share,
        label_noise=0.2,
    )
    practice = generate_practice(config)
    assert_truth_exact(practice)
    assert len(practice.truth) <= round(credit_rate * claims)


def test_evidence_points_at_the_claims_postings(practice: SynthPractice) -> None:
    txns = practice.ledger.transactions.set_index("txn_id")
    truth = practice.truth
    assert truth["evidence_txn_ids"].notna().all()
    pairs = truth[["claim_id", "evidence_txn_ids"]].assign(
        txn=truth["evidence_txn_ids"].str.split(";")
    )
    pairs = pairs.explode("txn")
    assert pairs["txn"].isin(txns.index).all()
    assert (txns.loc[pairs["txn"], "claim_id"].to_numpy() == pairs["claim_id"].to_numpy()).all()


def test_mixed_credits_name_the_larger_cause(practice: SynthPractice) -> None:
    truth = practice.truth
    mixed = truth[truth["mixed"]]
    assert len(mixed) > 0
    assert (mixed["principal_cents"] > mixed["secondary_cents"]).all()
    assert (
        mixed["principal_cents"] + mixed["secondary_cents"] == mixed["credit_amount_cents"]
    ).all()
    assert (mixed["secondary_source"].notna()).all()
    assert truth.loc[~truth["mixed"], "secondary_source"].isna().all()
    assert (mixed["hard_case"]).all()


def test_resolutions_match_resolved_truth(practice: SynthPractice) -> None:
    truth, res = practice.truth, practice.ledger.resolutions
    resolved = truth[truth["resolved"]].set_index("claim_id")
    assert sorted(res["claim_id"]) == sorted(resolved.index)
    joined = res.set_index("claim_id").join(resolved, rsuffix="_truth")
    assert (joined["source"] == joined["label_source"]).all()
    assert (joined["action"] == joined["action_truth"]).all()
    assert (joined["amount_cents"] == joined["credit_amount_cents"]).all()
    assert (joined["resolved_date"] > joined["identified_date"]).all()
    assert np.isclose(len(res) / len(truth), 0.6, atol=0.02)
