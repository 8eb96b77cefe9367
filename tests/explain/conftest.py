"""Fixtures: small LightGBM models for explanation tests."""

from __future__ import annotations

import lightgbm as lgb
import numpy as np
import pandas as pd
import pytest

from explain.factories import synthetic_frame, train


@pytest.fixture(scope="session")
def data() -> tuple[pd.DataFrame, np.ndarray]:
    return synthetic_frame(400, seed=1)


@pytest.fixture(scope="session")
def booster(data: tuple[pd.DataFrame, np.ndarray]) -> lgb.Booster:
    frame, y = data
    return train(frame, y)


@pytest.fixture(scope="session")
def deep_booster(data: tuple[pd.DataFrame, np.ndarray]) -> lgb.Booster:
    """Deep leaf-wise trees with zero-as-missing: paths with many (repeated) features."""
    frame, y = data
    return train(frame, y, num_leaves=63, min_data_in_leaf=2, zero_as_missing=True, rounds=8)
