"""The single-claim path (``verify.single``, ``resolve.single``) gives exactly the frames of the
vectorized engine: same rows, verdicts, explained amounts, evidence, components, statements,
actions, due dates and dtypes. Checked on every credit of synthetic practices (whole-practice
runs on several dates, and each credit claim alone as classify-on-demand sends it) and on
random hand-made ledgers (hypothesis)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from verify_ledgers import credits_of, standard

from cbclassify.balances import credit_balances
from cbclassify.contract.enums import CREDIT_SOURCES
from cbclassify.contract.ledger import Ledger
from cbclassify.resolve import parse_policy, verify_and_recommend
from cbclassify.resolve.pipeline import verify_and_recommend_vectorized
from cbclassify.resolve.single import verify_and_recommend_small
from cbclassify.synth import SynthConfig, generate_practice
from cbclassify.verify import single_rows, verify_credits
from cbclassify.verify.single import SMALL_CREDITS, verify_credits_small


def practice_policy(ledger: Ledger):
    """A policy that exercises every deadline and action branch on a synthetic ledger."""
    payers = ledger.payers["payer_id"].tolist()
    location = ledger.claim_lines["location_id"].iloc[0]
    return parse_policy({
        "offsets": {"allow": payers[:2], "deny": payers[2:3]},
        "refunds": {"approval_threshold": "100.00"},
        "deadlines": {"payer_days": {p: 45 for p in payers[3:5]}, "practice_state": "PA",
                      "location_states": {location: "NJ"},
                      "prompt_pay": {"PA": {"refund_days": 30, "payer_types": ["commercial", "other"]},
                                     "NJ": {"refund_days": 90}}},
        "unclaimed_property": {"state_dormancy_years": {"PA": 5}},
    })  # fmt: skip


def predictions(credits: pd.DataFrame, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    chosen = rng.choice(np.array(CREDIT_SOURCES, dtype=object), len(credits))
    return pd.DataFrame({"claim_id": credits["claim_id"], "predicted_source": chosen})


def assert_same(ledger: Ledger, credits: pd.DataFrame, as_of, predicted, policy) -> None:
    pd.testing.assert_frame_equal(
        verify_credits_small(ledger, credits, as_of, predicted),
        verify_credits(ledger, credits, as_of, predicted),
    )
    pd.testing.assert_frame_equal(
        verify_and_recommend_small(ledger, credits, predicted, as_of, policy),
        verify_and_recommend_vectorized(ledger, credits, predicted, as_of, policy),
    )


@pytest.fixture(scope="module", params=[(11, "default"), (5, "medicare_heavy")])
def practice(request) -> Ledger:
    seed, mix = request.param
    return generate_practice(SynthConfig(claims=450, seed=seed, payer_mix=mix)).ledger


@pytest.mark.parametrize("table_rows", [5000, 0], ids=["small-tables", "filtered-tables"])
def test_every_credit_of_a_practice_matches_on_several_dates(
    practice: Ledger, table_rows: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 0: every table is "big", so rows are selected by key with pandas first (a large ledger)
    monkeypatch.setattr(single_rows, "SMALL_TABLE_ROWS", table_rows)
    end = practice.default_as_of()
    policy = practice_policy(practice)
    seen = set()
    for days_back in (0, 120):
        as_of = end - pd.Timedelta(days=days_back)
        credits = credit_balances(practice, as_of)
        assert 0 < len(credits) <= SMALL_CREDITS
        assert_same(practice, credits, as_of, predictions(credits, days_back), policy)
        out = verify_and_recommend_small(practice, credits, None, as_of, policy)
        seen |= set(out["verification"]) | set(out["recommended_action"].dropna())
    assert {"confirmed", "refund_payer", "payer_offset", "correct_adjustment"} <= seen


def claim_alone(ledger: Ledger, claim_id: str) -> Ledger:
    """One credit claim with the patient's other claims, as classify-on-demand receives it."""
    lines = ledger.claim_lines
    patient = lines.loc[lines["claim_id"] == claim_id, "patient_id"].iloc[0]
    ids = set(lines.loc[lines["patient_id"] == patient, "claim_id"])
    txns = ledger.transactions[ledger.transactions["claim_id"].isin(ids)]
    remits = ledger.remittances[ledger.remittances["era_id"].isin(set(txns["era_id"].dropna()))]
    plb = ledger.provider_adjustments
    return Ledger(
        payers=ledger.payers, patients=ledger.patients[ledger.patients["patient_id"] == patient],
        claim_lines=lines[lines["claim_id"].isin(ids)], transactions=txns,
        fee_schedule=ledger.fee_schedule, remittances=remits,
        provider_adjustments=plb[plb["era_id"].isin(set(remits["era_id"]))],
        resolutions=ledger.resolutions.iloc[:0],
    )  # fmt: skip


@pytest.fixture(scope="module")
def small_practice() -> Ledger:
    return generate_practice(SynthConfig(claims=300, seed=7, payer_mix="commercial_heavy")).ledger


def test_each_credit_alone_matches(small_practice: Ledger) -> None:
    practice = small_practice
    as_of = practice.default_as_of()
    policy = practice_policy(practice)
    for n, claim_id in enumerate(credit_balances(practice, as_of)["claim_id"]):
        alone = claim_alone(practice, claim_id)
        credits = credit_balances(alone, as_of)
        assert claim_id in set(credits["claim_id"])
        assert_same(alone, credits, as_of, predictions(credits, n), policy)


POLICIES = [
    parse_policy({}),
    parse_policy(
        {
            "offsets": {"allow": ["BCBS"], "deny": ["MCR"]},
            "patient_credits": {"apply_to_other_balances": False},
            "deadlines": {
                "payer_days": {"AETNA": 20},
                "practice_state": "PA",
                "prompt_pay": {"PA": {"refund_days": 40}},
            },
        }
    ),
]
KINDS = ("payment", "adjustment", "responsibility", "refund", "transfer")


@st.composite
def random_ledgers(draw):
    """Claims of two patients with arbitrary postings, fee schedule rows, PLB recoveries."""
    b = standard(("AETNA", "commercial"), ("MCR", "medicare"))
    b.patient("PT2", "NJ")
    b.fee("BCBS", "97110", "50.00")
    if draw(st.booleans()):
        b.fee("BCBS", "97110", "55.00", modifier="GP", start="2025-06-01")
        b.fee("MCR", "97110", "40.00", end="2025-12-31")
    b.remit("E1", "BCBS", "TRN-E1")
    b.remit("E2", "MCR", "TRN-E2")
    for n in range(draw(st.integers(1, 4))):
        claim = f"C{n}"
        b.line(claim, charge=f"{draw(st.integers(50, 600))}.00",
               payer=draw(st.sampled_from(["BCBS", "MCR", None])),
               secondary=draw(st.sampled_from([None, "AETNA"])), units=draw(st.integers(1, 4)),
               patient=draw(st.sampled_from(["PT1", "PT2"])))  # fmt: skip
        if draw(st.booleans()):
            b.line(claim, 2, cpt="97112", modifier=None, charge="120.00", patient="PT1",
                   payer=b.lines[-1]["payer_id"])  # fmt: skip
        for _ in range(draw(st.integers(1, 8))):
            source = draw(st.sampled_from(["payer", "patient"]))
            b.txn(claim, draw(st.sampled_from(KINDS)), source,
                  draw(st.integers(min_value=-5000, max_value=60000)),
                  payer=draw(st.sampled_from(["BCBS", "AETNA", "MCR"])) if source == "payer" else None,
                  line=draw(st.sampled_from([1, None])),
                  group=draw(st.sampled_from([None, "CO", "PR", "OA"])),
                  reason=draw(st.sampled_from([None, "45", "2", "3", "23", "253"])),
                  allowed=draw(st.sampled_from([None, "200.00", "0.00"])),
                  era=draw(st.sampled_from([None, "E1", "E2"])),
                  trace=draw(st.sampled_from([None, "T1", "T2"])),
                  date=draw(st.sampled_from(["2026-01-10", "2026-02-10", "2026-03-10"])))  # fmt: skip
        if draw(st.booleans()):
            b.plb_row(draw(st.sampled_from(["E1", "E2"])), "WO", f"{claim} recoup", "25.00")
    return b.build()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_ledgers(), st.sampled_from(POLICIES), st.integers(0, 3))
def test_random_ledgers_match(ledger: Ledger, policy, seed: int) -> None:
    credits = credits_of(ledger)
    if credits.empty:
        return
    predicted = predictions(credits, seed).set_index("claim_id")["predicted_source"]
    assert_same(ledger, credits, None, predicted if seed % 2 else None, policy)


def test_dispatch_uses_the_small_path_only_for_a_handful_of_credits(practice: Ledger) -> None:
    credits = credit_balances(practice, practice.default_as_of())
    one = credits.iloc[:1]
    pd.testing.assert_frame_equal(
        verify_and_recommend(practice, one), verify_and_recommend_small(practice, one, None, None,
                                                                        parse_policy({}))
    )  # fmt: skip
    empty = verify_and_recommend(practice, credits.iloc[:0])
    assert empty.empty and list(empty.columns) == list(verify_and_recommend(practice, one).columns)
