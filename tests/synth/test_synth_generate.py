"""Generation: determinism, configuration, contract validity and the realism the brief asks for."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from synth_checks import balances_at, balances_on, only_claims

from cbclassify.contract import enums
from cbclassify.contract.ledger import memory_dtype
from cbclassify.contract.schema import TABLES
from cbclassify.synth import TRUTH_COLUMNS, SynthConfig, SynthPractice, generate_practice
from cbclassify.synth.registry import VARIANTS


def test_same_seed_gives_identical_frames() -> None:
    config = SynthConfig(claims=400, seed=11, label_noise=0.1)
    first, second = generate_practice(config), generate_practice(config)
    for name in first.ledger.table_names():
        pd.testing.assert_frame_equal(first.ledger.table(name), second.ledger.table(name))
    pd.testing.assert_frame_equal(first.truth, second.truth)


def test_other_seed_gives_another_practice() -> None:
    first = generate_practice(SynthConfig(claims=400, seed=1))
    second = generate_practice(SynthConfig(claims=400, seed=2))
    assert not first.ledger.transactions["amount_cents"].equals(
        second.ledger.transactions["amount_cents"]
    )


@pytest.mark.parametrize(
    "field, value",
    [
        ("claims", 0),
        ("months", 3),
        ("label_noise", 1.5),
        ("credit_rate", -0.1),
        ("payer_mix", "nope"),
    ],
)
def test_bad_config_is_refused_naming_the_field(field: str, value: object) -> None:
    with pytest.raises(ValueError, match=field):
        SynthConfig(**{field: value})


def test_frames_have_contract_columns_dtypes_and_enums(practice: SynthPractice) -> None:
    ledger = practice.ledger
    for name, table in TABLES.items():
        frame = ledger.table(name)
        assert list(frame.columns) == list(table.memory_names), name
        for col in table.columns:
            assert frame[col.memory_name].dtype == memory_dtype(col), (name, col.name)
            if col.required:
                assert frame[col.memory_name].notna().all(), (name, col.name)
            if col.choices:
                assert frame[col.memory_name].dropna().isin(col.choices).all(), (name, col.name)
    tx = ledger.transactions
    assert tx["txn_id"].is_unique
    assert tx.loc[tx["source"] == "payer", "payer_id"].notna().all()
    assert (ledger.claim_lines["charge_amount_cents"] > 0).all()
    assert set(tx["claim_id"]) <= set(ledger.claim_lines["claim_id"])
    assert set(tx["era_id"].dropna()) <= set(ledger.remittances["era_id"])
    assert ledger.claim_lines["claim_id"].str.startswith("0").all()  # ids keep leading zeros


def test_truth_columns(practice: SynthPractice) -> None:
    truth = practice.truth
    assert tuple(truth.columns) == TRUTH_COLUMNS
    assert truth["claim_id"].is_unique
    assert truth["source"].isin(enums.CREDIT_SOURCES).all()
    assert truth["action"].isin(enums.ACTIONS).all()
    assert (truth["credit_amount_cents"] > 0).all()


def test_every_source_and_variant_appears(practice: SynthPractice) -> None:
    truth = practice.truth
    assert set(truth["source"]) == set(enums.CREDIT_SOURCES)
    seen = set(truth["variant"]) | set(truth["secondary_variant"].dropna())
    assert {v.name for v in VARIANTS} <= seen
    assert set(truth.loc[~truth["hard_case"], "variant"]) == {v.name for v in VARIANTS}
    assert set(truth["hard_kind"].dropna()) == {"manual_no_carc", "no_fee_schedule", "mixed"}
    assert set(truth["action"]) == set(enums.ACTIONS)
    share = truth["hard_case"].mean()
    assert 0.08 <= share <= 0.16


def test_credit_rate_is_respected(practice: SynthPractice) -> None:
    claims = practice.ledger.claim_lines["claim_id"].nunique()
    assert len(practice.truth) == round(0.08 * claims)


def test_payer_actions_follow_allows_offset(practice: SynthPractice) -> None:
    truth = practice.truth
    offset = practice.ledger.payers.set_index("payer_id")["allows_offset"].fillna(False)
    payer_side = truth[truth["action"].isin(["refund_payer", "payer_offset"])]
    assert len(payer_side) > 0
    expected = (
        payer_side["refund_payer_id"].map(offset).map({True: "payer_offset", False: "refund_payer"})
    )
    assert (payer_side["action"] == expected).all()
    assert truth.loc[truth["source"] == "allowance_error", "action"].eq("correct_adjustment").all()
    one_remit = truth["variant"].isin(
        ["era_posted_twice", "manual_repost_of_era", "receipt_posted_twice"]
    )
    assert truth.loc[one_remit, "action"].eq("reverse_posting").all()


def test_patient_actions_follow_other_open_balances(practice: SynthPractice) -> None:
    ledger, truth = practice.ledger, practice.truth
    claims = ledger.claim_lines.drop_duplicates("claim_id")[["claim_id", "patient_id"]]
    rows = truth[truth["source"] == "patient_credit"].reset_index(drop=True)
    assert {"apply_to_balance", "refund_patient"} <= set(rows["action"])
    pairs = rows[["claim_id", "patient_id", "identified_date"]].reset_index(names="credit")
    pairs = pairs.merge(claims, on="patient_id", suffixes=("", "_other"))
    pairs = pairs[pairs["claim_id_other"] != pairs["claim_id"]]
    positive = balances_at(ledger, pairs["claim_id_other"], pairs["identified_date"]) > 0
    has_open = pd.Series(positive).groupby(pairs["credit"].to_numpy()).any()
    has_open = has_open.reindex(rows.index, fill_value=False)
    expected = np.where(has_open, "apply_to_balance", "refund_patient")
    assert (rows["action"].to_numpy() == expected).all()
    # spot-check the vectorized rule against claim_balances on a few credits
    for _, row in rows.head(3).iterrows():
        others = claims.loc[
            (claims["patient_id"] == row["patient_id"]) & (claims["claim_id"] != row["claim_id"]),
            "claim_id",
        ]
        sub = only_claims(ledger, others)
        open_other = (
            bool((balances_on(sub, row["identified_date"]) > 0).any()) if len(others) else False
        )
        assert row["action"] == ("apply_to_balance" if open_other else "refund_patient")


def test_label_noise_rate() -> None:
    practice = generate_practice(SynthConfig(claims=3000, seed=3, label_noise=0.2))
    resolved = practice.truth[practice.truth["resolved"]]
    wrong = (resolved["label_source"] != resolved["source"]).mean()
    assert wrong == pytest.approx(0.2, abs=0.01)
    labels = practice.ledger.resolutions.set_index("claim_id")["source"]
    assert (
        labels.reindex(resolved["claim_id"]).to_numpy() == resolved["label_source"].to_numpy()
    ).all()


def test_no_noise_means_labels_are_the_truth(practice: SynthPractice) -> None:
    truth = practice.truth
    assert (truth["label_source"] == truth["source"]).all()


def test_payer_mixes_differ() -> None:
    shares = {}
    for mix in ("default", "medicare_heavy", "commercial_heavy", "medicaid_aba"):
        ledger = generate_practice(
            SynthConfig(claims=1500, seed=5, payer_mix=mix, credit_rate=0.02)
        ).ledger
        lines = ledger.claim_lines.merge(
            ledger.payers[["payer_id", "payer_type"]], on="payer_id", how="left"
        )
        shares[mix] = {
            "medicare": lines["payer_type"].eq("medicare").mean(),
            "commercial": lines["payer_type"].eq("commercial").mean(),
            "medicaid": lines["payer_type"].eq("medicaid").mean(),
            "aba": lines["cpt"].isin(["97151", "97153", "97155", "97156"]).mean(),
        }
    assert shares["medicare_heavy"]["medicare"] > 1.5 * shares["default"]["medicare"]
    assert shares["commercial_heavy"]["commercial"] > 1.2 * shares["default"]["commercial"]
    assert shares["medicaid_aba"]["medicaid"] > 2 * shares["default"]["medicaid"]
    assert shares["medicaid_aba"]["aba"] > 2 * shares["default"]["aba"]
