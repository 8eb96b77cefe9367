"""``score_small`` (the plain-Python path of classify-on-demand) gives ``score_ledger``'s rows:
same credits, parties, probabilities (bit for bit), reasons in words, verification, evidence,
recommendation and due date. Checked on every credit of a synthetic practice, whole and as
classify-on-demand sends it (the credit claim with its patient's other claims)."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from request_rows import patient_request

from cbclassify.balances import credit_balances
from cbclassify.contract.ledger import Ledger
from cbclassify.contract.validate_rows import ledger_from_rows
from cbclassify.model.config import TrainingConfig
from cbclassify.model.dataset import combine, ledger_labelled_set
from cbclassify.model.train import train_models
from cbclassify.scoring import DETAIL_COLUMNS, SCORE_MEMORY_COLUMNS, score_ledger
from cbclassify.scoring_small import SMALL_SCORE_CREDITS, can_score_small, score_small
from cbclassify.synth import SynthConfig, generate_practice

QUICK = TrainingConfig.model_validate(
    {
        "lightgbm": {"num_boost_round": 60, "early_stopping_rounds": 10},
        "search": {"num_leaves": [15], "learning_rate": [0.1], "min_data_in_leaf": [10]},
    }
)


@pytest.fixture(scope="module")
def model():
    ledger = generate_practice(SynthConfig(claims=2500, seed=31)).ledger
    data = combine([ledger_labelled_set("small-path", ledger, "resolutions.csv")])
    return train_models(data, QUICK).model


@pytest.fixture(scope="module")
def practice():
    return generate_practice(SynthConfig(claims=700, seed=32)).ledger


def _plain(value):
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def vectorized_rows(ledger, model, as_of) -> list[dict]:
    frame = score_ledger(ledger, model, as_of=as_of)
    return [{k: _plain(v) for k, v in r.items()} for r in frame.to_dict("records")]


def assert_same_rows(ledger, model, as_of) -> int:
    expected = vectorized_rows(ledger, model, as_of)
    got = score_small(ledger, model, as_of)
    assert [r["claim_id"] for r in got] == [r["claim_id"] for r in expected]
    for mine, theirs in zip(got, expected, strict=True):
        assert set(mine) == set(SCORE_MEMORY_COLUMNS + DETAIL_COLUMNS)
        for column in SCORE_MEMORY_COLUMNS + DETAIL_COLUMNS:
            assert mine[column] == theirs[column], (column, mine["claim_id"])
    return len(got)


def test_whole_practice_rows_equal_score_ledger(practice, model):
    as_of = practice.default_as_of()
    assert assert_same_rows(practice, model, as_of) > 10


def patient_ledger(ledger, claim_id: str):
    """The ledger cut to the credit claim's patient, as classify-on-demand sends it."""
    lines = ledger.claim_lines
    patient = lines.loc[lines["claim_id"] == claim_id, "patient_id"].iloc[0]
    claims = set(lines.loc[lines["patient_id"] == patient, "claim_id"])
    txns = ledger.transactions
    return ledger.with_table("claim_lines", lines[lines["claim_id"].isin(claims)]).with_table(
        "transactions", txns[txns["claim_id"].isin(claims)]
    )


def test_each_credit_as_sent_alone_equals_score_ledger(practice, model):
    as_of = practice.default_as_of()
    credits = credit_balances(practice, as_of)["claim_id"].tolist()
    sources = set()
    for claim_id in credits[:40]:
        small = patient_ledger(practice, claim_id)
        assert assert_same_rows(small, model, as_of) >= 1
        sources |= {r["predicted_source"] for r in score_small(small, model, as_of)}
    assert len(sources) >= 2  # the comparison covered more than one predicted source


def test_a_request_ledger_is_scored_from_its_rows_without_building_a_frame(practice, model):
    as_of = practice.default_as_of()
    for claim_id in credit_balances(practice, as_of)["claim_id"].tolist()[:12]:
        request = ledger_from_rows(patient_request(practice, claim_id))
        got = score_small(request, model)  # default as-of from the rows
        assert request.built_tables() == []  # balances, features, verification: rows only
        frames = Ledger(**{n: request.table(n) for n in request.table_names()})
        assert request.built_tables() == list(request.table_names())
        assert request.default_as_of() == frames.default_as_of()
        assert got == score_small(frames, model, frames.default_as_of())


def test_rows_carry_reasons_and_probabilities(practice, model):
    as_of = practice.default_as_of()
    claim_id = credit_balances(practice, as_of)["claim_id"].iloc[0]
    (row,) = [r for r in score_small(patient_ledger(practice, claim_id), model, as_of)
              if r["claim_id"] == claim_id]  # fmt: skip
    assert len(row["top_reasons"].split("; ")) == 3
    probs = [row[f"p_{s}"] for s in ("payer_overpayment", "duplicate_payment",
                                     "allowance_error", "patient_credit")]  # fmt: skip
    assert math.isclose(sum(probs), 1.0) and row["confidence"] == max(probs)


def test_only_fitted_models_and_few_credits_take_the_small_path(model):
    assert can_score_small(model, 1) and can_score_small(model, SMALL_SCORE_CREDITS)
    assert not can_score_small(model, 0)
    assert not can_score_small(model, SMALL_SCORE_CREDITS + 1)
    assert not can_score_small(object(), 1)


def test_no_credit_scores_nothing(practice, model):
    first = practice.claim_lines["billed_date"].min()
    assert score_small(practice, model, first - pd.Timedelta(days=1)) == []
