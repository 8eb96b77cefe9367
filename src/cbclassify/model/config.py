"""Training configuration: a YAML file validated with pydantic (unknown keys are errors).

The defaults below are the configuration; ``training/config.yaml`` states them explicitly and is
what ``cbclassify train --config`` reads when given.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SplitConfig(_Strict):
    """Time-based split: the newest ``test_share`` of labelled credits is held out; the newest
    ``validation_share`` of the rest chooses hyper-parameters, early stopping and calibration."""

    test_share: float = Field(0.2, gt=0, lt=0.9)
    validation_share: float = Field(0.2, gt=0, lt=0.9)


class LightGBMConfig(_Strict):
    """Fixed LightGBM settings (the searched ones are in ``SearchConfig``)."""

    num_boost_round: int = Field(400, ge=1)
    early_stopping_rounds: int = Field(30, ge=1)
    #: validation log-loss gains below this do not count as improvement (keeps the model compact)
    early_stopping_min_delta: float = Field(0.0005, ge=0)
    num_threads: int = Field(1, ge=1)  # 1: OpenMP threads thrash on small data and busy machines
    lambda_l2: float = Field(1.0, ge=0)
    feature_fraction: float = Field(0.9, gt=0, le=1)
    bagging_fraction: float = Field(0.9, gt=0, le=1)
    bagging_freq: int = Field(1, ge=0)
    max_depth: int = Field(-1)


class SearchConfig(_Strict):
    """The small grid searched on the validation split (every combination is tried)."""

    num_leaves: list[int] = Field(default_factory=lambda: [15, 31])
    learning_rate: list[float] = Field(default_factory=lambda: [0.05, 0.1])
    min_data_in_leaf: list[int] = Field(default_factory=lambda: [10, 30])


class LogisticConfig(_Strict):
    """The logistic-regression baseline."""

    C: float = Field(1.0, gt=0)
    max_iter: int = Field(2000, ge=10)


class TrainingConfig(_Strict):
    """Everything ``cbclassify train`` needs besides the data."""

    seed: int = 20260
    experiment: str = "cbclassify-credit-source"
    split: SplitConfig = SplitConfig()
    lightgbm: LightGBMConfig = LightGBMConfig()
    search: SearchConfig = SearchConfig()
    class_weight: Literal["balanced", "none"] = "balanced"
    calibration: Literal["temperature", "none"] = "temperature"
    logistic: LogisticConfig = LogisticConfig()
    calibration_bins: int = Field(10, ge=2, le=50)


class TrainingConfigError(ValueError):
    """A training configuration file that is not valid; the message names file and key."""


def load_training_config(path: Path | str | None = None) -> TrainingConfig:
    """The configuration in ``path`` (YAML), or the defaults when ``path`` is None."""
    if path is None:
        return TrainingConfig()
    source = Path(path)
    try:
        data = yaml.safe_load(source.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise TrainingConfigError(f"{source}: cannot read training configuration: {exc}") from exc
    if not isinstance(data, dict):
        raise TrainingConfigError(f"{source}: expected a mapping of settings at the top level")
    try:
        return TrainingConfig.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise TrainingConfigError(f"{source}: {problems}") from exc
