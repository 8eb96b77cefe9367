"""Training the classifier and the baselines on a synthetic practice."""

from __future__ import annotations

import numpy as np
import pytest

from cbclassify.model.baselines import RulesBaseline, rule_amounts
from cbclassify.model.config import TrainingConfig
from cbclassify.model.train import train_models

FAST = TrainingConfig.model_validate(
    {
        "lightgbm": {"num_boost_round": 150, "early_stopping_rounds": 15},
        "search": {"num_leaves": [15], "learning_rate": [0.1], "min_data_in_leaf": [10, 20]},
    }
)


@pytest.fixture(scope="session")
def trained(small_labelled):
    return train_models(small_labelled, FAST)


@pytest.mark.slow
def test_the_model_learns_the_four_sources_on_newer_credits(trained):
    test = trained.test
    assert test["lightgbm"].macro_f1 >= 0.85
    assert test["lightgbm"].ece < 0.1
    assert set(test) == {"lightgbm", "lightgbm_uncalibrated", "rules", "logistic"}
    dates = trained.data.frame["as_of_date"]
    assert dates.iloc[trained.split.train].max() <= dates.iloc[trained.split.test].min()
    assert len(trained.search) == 2


@pytest.mark.slow
def test_retraining_the_same_data_gives_the_same_model(small_labelled, trained):
    again = train_models(small_labelled, FAST)
    assert again.model.booster.model_to_string() == trained.model.booster.model_to_string()
    assert again.model.temperature == trained.model.temperature


def test_rules_baseline_follows_the_ledger_facts(small_labelled):
    features = small_labelled.features
    amounts = rule_amounts(features)
    assert (amounts.to_numpy() >= 0).all()
    proba = RulesBaseline().predict_proba(features)
    assert np.array_equal(proba.sum(axis=1), np.ones(len(features)))
    accuracy = (proba.argmax(axis=1) == small_labelled.labels).mean()
    assert accuracy > 0.6  # facts alone settle most, not all (hard cases exist)
