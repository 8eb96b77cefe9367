"""A classify request is scored by the one scoring path straight from its rows: the same rows
as the same ledger held as frames, with reasons, probabilities, verification and actions."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from request_rows import patient_request

from cbclassify.balances import credit_balances
from cbclassify.bundles import PatientGroups, billed_claim_bundles
from cbclassify.contract.ledger import Ledger
from cbclassify.contract.validate_rows import ledger_from_rows
from cbclassify.model.config import TrainingConfig
from cbclassify.model.dataset import combine, ledger_labelled_set
from cbclassify.model.train import train_models
from cbclassify.scoring import (
    DETAIL_COLUMNS,
    SCORE_MEMORY_COLUMNS,
    score_groups,
    score_ledger,
    score_records,
)
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
    data = combine([ledger_labelled_set("requests", ledger, "resolutions.csv")])
    return train_models(data, QUICK).model


@pytest.fixture(scope="module")
def practice():
    return generate_practice(SynthConfig(claims=700, seed=32)).ledger


def request_rows(request: Ledger, model) -> list[dict]:
    """A request's score rows as ``api.classify`` computes them: balances from the request's
    bundles, then the credits scored from those bundles."""
    context, claims = billed_claim_bundles(request, request.default_as_of().date())
    credits = [b for b in claims if b.credit_amount_cents > 0]
    return score_groups(PatientGroups.of_bundles(request, context, credits), model)


def test_a_request_is_scored_from_its_rows_as_the_same_ledger_of_frames(practice, model):
    as_of = practice.default_as_of()
    sources = set()
    for claim_id in credit_balances(practice, as_of)["claim_id"].tolist()[:12]:
        request = ledger_from_rows(patient_request(practice, claim_id))
        got = request_rows(request, model)
        assert request.built_tables() == []  # balances, features, verification: rows only
        frames = Ledger(**{n: request.table(n) for n in request.table_names()})
        assert request.default_as_of() == frames.default_as_of()
        expected = score_records(frames, model, frames.default_as_of())
        assert [r["claim_id"] for r in got] == [r["claim_id"] for r in expected]
        assert claim_id in [r["claim_id"] for r in got]
        assert got == expected
        sources |= {r["predicted_source"] for r in got}
    assert len(sources) >= 2  # the comparison covered more than one predicted source


def test_score_rows_are_the_rows_of_the_score_frame(practice, model):
    as_of = practice.default_as_of()
    rows = score_records(practice, model, as_of)
    frame = score_ledger(practice, model, as_of)
    assert len(rows) == len(frame) > 10
    for row, (_, expected) in zip(rows, frame.iterrows(), strict=True):
        assert set(row) == set(SCORE_MEMORY_COLUMNS + DETAIL_COLUMNS)
        for column in SCORE_MEMORY_COLUMNS + DETAIL_COLUMNS:
            value = expected[column]
            if pd.isna(value):
                assert row[column] is None, column
            elif column == "due_date":
                assert pd.Timestamp(row[column]) == value
            else:
                assert row[column] == value, column


def test_rows_carry_reasons_and_probabilities(practice, model):
    as_of = practice.default_as_of()
    claim_id = credit_balances(practice, as_of)["claim_id"].iloc[0]
    rows = request_rows(ledger_from_rows(patient_request(practice, claim_id)), model)
    (row,) = [r for r in rows if r["claim_id"] == claim_id]
    assert len(row["top_reasons"].split("; ")) == 3
    probs = [
        row[f"p_{s}"]
        for s in ("payer_overpayment", "duplicate_payment", "allowance_error", "patient_credit")
    ]
    assert math.isclose(sum(probs), 1.0) and row["confidence"] == max(probs)
    assert row["verification"] in ("confirmed", "partial", "refuted", "inconclusive")


def test_no_credit_scores_nothing(practice, model):
    first = practice.claim_lines["billed_date"].min()
    assert score_records(practice, model, first - pd.Timedelta(days=1)) == []
    assert score_ledger(practice, model, first - pd.Timedelta(days=1)).empty
