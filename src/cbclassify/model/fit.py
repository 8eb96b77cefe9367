"""Fitting LightGBM: fixed seed, early stopping on the validation split, a small grid search,
class weights, and temperature calibration. Retraining the same data gives the same model."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import lightgbm as lgb
import numpy as np
import pandas as pd

from cbclassify.contract.enums import CREDIT_SOURCES
from cbclassify.features import FeatureEncoder
from cbclassify.model.classifier import CreditSourceModel
from cbclassify.model.config import TrainingConfig
from cbclassify.model.metrics import evaluate, fit_temperature

N_CLASSES = len(CREDIT_SOURCES)


def class_weights(y: np.ndarray, mode: str) -> np.ndarray:
    """Per-row weights: ``balanced`` gives every class the same total weight; ``none`` 1.0."""
    if mode == "none":
        return np.ones(len(y))
    counts = np.bincount(y, minlength=N_CLASSES).astype("float64")
    per_class = np.where(counts > 0, len(y) / (N_CLASSES * np.maximum(counts, 1)), 0.0)
    return per_class[y]


def base_params(config: TrainingConfig) -> dict[str, object]:
    """LightGBM parameters shared by every search candidate."""
    lg = config.lightgbm
    return {
        "objective": "multiclass",
        "num_class": N_CLASSES,
        "metric": "multi_logloss",
        "seed": config.seed,
        "deterministic": True,
        "force_col_wise": True,
        "num_threads": lg.num_threads,
        "verbosity": -1,
        "lambda_l2": lg.lambda_l2,
        "feature_fraction": lg.feature_fraction,
        "bagging_fraction": lg.bagging_fraction,
        "bagging_freq": lg.bagging_freq,
        "max_depth": lg.max_depth,
        "feature_pre_filter": False,
    }


def candidates(config: TrainingConfig) -> list[dict[str, object]]:
    """Every combination of the search grid, in a fixed order."""
    s = config.search
    grid = itertools.product(s.num_leaves, s.learning_rate, s.min_data_in_leaf)
    return [{"num_leaves": nl, "learning_rate": lr, "min_data_in_leaf": md} for nl, lr, md in grid]


@dataclass(frozen=True)
class FitData:
    """Encoded train and validation matrices with labels and training weights."""

    train: np.ndarray
    y_train: np.ndarray
    validation: np.ndarray
    y_validation: np.ndarray
    weights: np.ndarray
    feature_names: list[str]
    categorical: list[int]


def _train_one(data: FitData, params: dict[str, object], config: TrainingConfig) -> lgb.Booster:
    train = lgb.Dataset(
        data.train,
        label=data.y_train,
        weight=data.weights,
        feature_name=data.feature_names,
        categorical_feature=data.categorical,
        free_raw_data=False,
    )
    valid = lgb.Dataset(data.validation, label=data.y_validation, reference=train)
    booster = lgb.train(
        params,
        train,
        num_boost_round=config.lightgbm.num_boost_round,
        valid_sets=[valid],
        valid_names=["validation"],
        callbacks=[
            lgb.early_stopping(
                config.lightgbm.early_stopping_rounds,
                verbose=False,
                min_delta=config.lightgbm.early_stopping_min_delta,
            )
        ],
    )
    best = booster.best_iteration or booster.current_iteration()
    # Keep only the trees up to the best iteration, exactly as they will be saved.
    return lgb.Booster(model_str=booster.model_to_string(num_iteration=best))


def _validation_scores(booster: lgb.Booster, x: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """Log loss, macro-F1 and ECE (before calibration) on the validation split."""
    proba = np.asarray(booster.predict(x)).reshape(len(y), N_CLASSES)
    ev = evaluate(proba, y)
    return {
        "validation_log_loss": ev.log_loss,
        "validation_macro_f1": ev.macro_f1,
        "validation_ece": ev.ece,
    }


def fit_lightgbm(
    train: pd.DataFrame,
    y_train: np.ndarray,
    validation: pd.DataFrame,
    y_validation: np.ndarray,
    config: TrainingConfig,
) -> tuple[CreditSourceModel, pd.DataFrame]:
    """Search the grid on the validation split, keep the best (lowest validation log loss),
    calibrate its temperature on the validation split.

    Returns:
        The fitted model and the search table (one row per candidate).
    """
    encoder = FeatureEncoder().fit(train)
    data = FitData(
        train=np.asarray(encoder.transform(train), dtype="float64"),
        y_train=y_train,
        validation=np.asarray(encoder.transform(validation), dtype="float64"),
        y_validation=y_validation,
        weights=class_weights(y_train, config.class_weight),
        feature_names=[str(n) for n in encoder.get_feature_names_out()],
        categorical=encoder.categorical_indices(),
    )
    rows, best, best_loss = [], None, np.inf
    for candidate in candidates(config):
        booster = _train_one(data, {**base_params(config), **candidate}, config)
        scores = _validation_scores(booster, data.validation, y_validation)
        rows.append({**candidate, "best_iteration": booster.current_iteration(), **scores})
        loss = scores["validation_log_loss"]
        if loss < best_loss:
            best, best_loss, best_params = booster, loss, candidate
    assert best is not None
    temperature = 1.0
    if config.calibration == "temperature":
        raw = np.asarray(best.predict(data.validation, raw_score=True)).reshape(
            len(y_validation), N_CLASSES
        )
        temperature = fit_temperature(raw, y_validation)
    metadata = {
        "params": {**base_params(config), **best_params},
        "best_iteration": best.current_iteration(),
    }
    model = CreditSourceModel(
        encoder=encoder, booster=best, temperature=temperature, metadata=metadata
    )
    return model, pd.DataFrame(rows)
