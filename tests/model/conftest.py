"""Fixtures for model tests: hand-built ledgers (shared with tests/features) and small
synthetic practices."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "features"))

from cbclassify.features import CATEGORICAL_FEATURES, FEATURE_NAMES, NUMERIC_FEATURES


def random_features(n: int, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """A learnable random feature frame (every catalogue column) and labels 0..3."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({c: rng.normal(size=n) for c in NUMERIC_FEATURES})
    frame.loc[rng.random(n) < 0.1, "allowed_usd"] = np.nan
    choices = {
        "service_line": ["pt", "ot", "aba", None],
        "payer_type": ["medicare", "commercial", "mars"],
        "secondary_payer_type": [None, "medicaid"],
    }
    for name in CATEGORICAL_FEATURES:
        frame[name] = pd.array(rng.choice(np.array(choices[name], dtype=object), n), dtype="string")
    y = (frame["duplicate_share_of_credit"] > 0).astype(int) + 2 * (
        frame["writeoff_excess_share_of_credit"] > 0.3
    )
    noise = rng.random(n) < 0.1
    y = np.where(noise, rng.integers(0, 4, n), y).astype("int64")
    return frame[list(FEATURE_NAMES)], y


@pytest.fixture(scope="session")
def random_training_frame() -> tuple[pd.DataFrame, np.ndarray]:
    return random_features(600, seed=3)


@pytest.fixture(scope="session")
def small_practice():
    """A small synthetic practice with a few hundred labelled credits (seed 5, default mix)."""
    from cbclassify.synth import SynthConfig, generate_practice

    return generate_practice(SynthConfig(claims=6000, seed=5))


@pytest.fixture(scope="session")
def small_labelled(small_practice):
    """The labelled set of ``small_practice``."""
    from cbclassify.model.dataset import combine, ledger_labelled_set

    return combine([ledger_labelled_set("small", small_practice.ledger, "resolutions.csv")])
