"""``cbclassify portfolio train``: one model trained across practices with ``lightgbm.dask``.

1. Each practice's labelled credits (features, label, dates) are built on a worker
   (``labelled_practice``) and stay there as one partition.
2. Practices are split into training and held-out practices (whole practices, so the figures
   say how the model does on a practice it never saw); within the training practices the
   newest ``validation_share`` of each practice's credits is the validation set.
3. ``lightgbm.dask.DaskLGBMClassifier`` trains on the partitions where they lie (the same
   parameters, class weights and first search candidate as ``cbclassify train``); the best
   iteration by validation log loss is kept and the temperature calibrated on validation.
4. The result is the same ``CreditSourceModel`` that ``cbclassify score`` serves (encoder +
   booster + temperature), evaluated per held-out practice, and the caller logs it to MLflow.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from cbclassify.contract.enums import CREDIT_SOURCES
from cbclassify.contract.errors import LedgerValidationError
from cbclassify.features import FEATURE_NAMES, FeatureEncoder
from cbclassify.model.classifier import CreditSourceModel
from cbclassify.model.config import TrainingConfig
from cbclassify.model.dataset import label_ids
from cbclassify.model.fit import base_params, candidates, class_weights
from cbclassify.model.metrics import Evaluation, evaluate, fit_temperature
from cbclassify.portfolio.practices import Practice

if TYPE_CHECKING:  # imported where used: workers import this module without MLflow
    from cbclassify.model.registry import Registration
    from cbclassify.settings import Settings


@dataclass
class LabelledPractice:
    """A practice's labelled credits (``model.dataset`` columns), or its ledger's problems."""

    practice: str
    frame: pd.DataFrame | None = None
    problems: list[str] = field(default_factory=list)


def labelled_practice(practice: Practice) -> LabelledPractice:
    """Read and validate a practice's ledger and build its labelled credits (on a worker)."""
    from cbclassify.ledger_io import read_ledger
    from cbclassify.model.dataset import ledger_labelled_set
    from cbclassify.model.workflow import resolutions_file

    try:
        ledger = read_ledger(practice.ledger_dir)
        frame = ledger_labelled_set(
            practice.name, ledger, resolutions_file(Path(practice.ledger_dir)), workers=1
        )  # one process: a Dask worker is daemonic and may not start a process pool
    except LedgerValidationError as exc:
        return LabelledPractice(practice.name, problems=[str(i) for i in exc.issues])
    except ValueError as exc:  # e.g. a resolutions file that names unknown claims
        return LabelledPractice(practice.name, problems=[str(exc)])
    return LabelledPractice(practice.name, frame=frame)


def held_out_practices(names: list[str], share: float) -> list[str]:
    """The practices held out for evaluation: a stable hash order (not alphabetical, so a
    naming scheme does not choose them), the first ``share`` of them, at least one."""
    if len(names) < 2:
        raise ValueError("portfolio training needs at least two valid practices")
    count = min(len(names) - 1, max(1, round(len(names) * share)))
    ranked = sorted(names, key=lambda n: (zlib.crc32(n.encode("utf-8")), n))
    return sorted(ranked[:count])


def split_validation(frame: pd.DataFrame, share: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A practice's credits as (train, validation): the newest ``share`` by as-of date."""
    order = np.argsort(pd.to_datetime(frame["as_of_date"]).to_numpy(), kind="stable")
    n_val = round(len(frame) * share) if len(frame) > 1 else 0
    cut = len(frame) - n_val
    return frame.iloc[np.sort(order[:cut])], frame.iloc[np.sort(order[cut:])]


def validation_rows(frame: pd.DataFrame, share: float, validation: bool) -> pd.DataFrame:
    """The validation (``validation``) or training rows of a practice's credits."""
    return split_validation(frame, share)[1 if validation else 0]


def frame_of(labelled: LabelledPractice) -> pd.DataFrame | None:
    """The labelled frame of a ``LabelledPractice`` (on a worker)."""
    return labelled.frame


def problems_of(labelled: LabelledPractice) -> list[str]:
    """The ledger problems of a ``LabelledPractice`` (on a worker; empty when valid)."""
    return labelled.problems


def frame_labels(frame: pd.DataFrame) -> np.ndarray:
    """Class ids of a labelled frame's labels."""
    return label_ids(frame["label"])


def encoded(frame: pd.DataFrame, encoder: FeatureEncoder) -> np.ndarray:
    """The model matrix of a labelled frame (float64)."""
    return np.asarray(encoder.transform(frame[list(FEATURE_NAMES)]), dtype="float64")


@dataclass(frozen=True)
class PortfolioTraining:
    """A model trained across practices, its per-practice evaluation on held-out practices."""

    model: CreditSourceModel
    trained_on: list[str]
    held_out: list[str]
    per_practice: pd.DataFrame  # practice, credits, macro_f1, accuracy
    pooled: Evaluation
    n_train: int
    n_validation: int


def train_portfolio(
    client: Any, frames: dict[str, Any], config: TrainingConfig, holdout_share: float = 0.2
) -> PortfolioTraining:
    """Train on the training practices' partitions with ``lightgbm.dask`` and evaluate on the
    held-out practices. ``frames``: practice -> a Dask future of its labelled frame."""
    import dask.array as da
    from lightgbm.dask import DaskLGBMClassifier

    held = held_out_practices(sorted(frames), holdout_share)
    trained = [name for name in sorted(frames) if name not in held]
    sample = client.submit(pd.DataFrame.head, frames[trained[0]], 50).result()
    encoder = FeatureEncoder().fit(sample[list(FEATURE_NAMES)])
    share = config.split.validation_share

    def parts(validation: bool) -> tuple[Any, Any, int]:
        """Dask arrays of X and y of the training or validation rows, and their count."""
        pieces = [client.submit(validation_rows, frames[n], share, validation) for n in trained]
        sizes = client.gather([client.submit(len, p) for p in pieces])
        width = len(encoder.get_feature_names_out())
        xs, ys = [], []
        for piece, size in zip(pieces, sizes, strict=True):
            if size == 0:
                continue
            x = client.submit(encoded, piece, encoder)
            y = client.submit(frame_labels, piece)
            xs.append(da.from_delayed(x, shape=(size, width), dtype="float64"))
            ys.append(da.from_delayed(y, shape=(size,), dtype="int64"))
        return da.concatenate(xs), da.concatenate(ys), sum(sizes)

    x_train, y_train, n_train = parts(False)
    x_val, y_val, n_val = parts(True)
    labels = y_train.compute()
    weights = class_weights(labels, config.class_weight)
    w_train = da.from_array(weights, chunks=y_train.chunks)
    params = {**base_params(config), **candidates(config)[0]}
    lgb_params: dict[str, Any] = {
        k: v for k, v in params.items() if k not in ("objective", "num_class", "seed")
    }
    classifier = DaskLGBMClassifier(
        client=client,
        objective="multiclass",
        n_estimators=config.lightgbm.num_boost_round,
        random_state=config.seed,
        **lgb_params,
    )
    classifier.fit(
        x_train,
        y_train,
        sample_weight=w_train,
        eval_set=[(x_val, y_val)],
        eval_names=["validation"],
        feature_name=[str(n) for n in encoder.get_feature_names_out()],
        categorical_feature=encoder.categorical_indices(),
    )
    losses = classifier.evals_result_["validation"]["multi_logloss"]
    best = int(np.argmin(losses)) + 1
    import lightgbm as lgb

    booster = lgb.Booster(model_str=classifier.booster_.model_to_string(num_iteration=best))
    raw_val = np.asarray(booster.predict(x_val.compute(), raw_score=True)).reshape(
        n_val, len(CREDIT_SOURCES)
    )
    y_validation = y_val.compute()
    temperature = (
        fit_temperature(raw_val, y_validation) if config.calibration == "temperature" else 1.0
    )
    metadata = {
        "params": params,
        "best_iteration": best,
        "trained_on_practices": trained,
        "held_out_practices": held,
        "trainer": "lightgbm.dask",
    }
    model = CreditSourceModel(encoder, booster, temperature, metadata)
    held_frames = client.gather([frames[n] for n in held])
    rows, all_proba, all_y = [], [], []
    for name, frame in zip(held, held_frames, strict=True):
        proba = model.predict_proba(frame[list(FEATURE_NAMES)])
        y = label_ids(frame["label"])
        ev = evaluate(proba, y, config.calibration_bins)
        rows.append(
            {"practice": name, "credits": len(frame), "macro_f1": ev.macro_f1,
             "accuracy": float((proba.argmax(axis=1) == y).mean())}
        )  # fmt: skip
        all_proba.append(proba)
        all_y.append(y)
    pooled = evaluate(np.vstack(all_proba), np.concatenate(all_y), config.calibration_bins)
    return PortfolioTraining(model, trained, held, pd.DataFrame(rows), pooled, n_train, n_val)


def log_portfolio_model(
    training: PortfolioTraining, example: pd.DataFrame, config: TrainingConfig, settings: Settings
) -> Registration:
    """Log the portfolio model to MLflow as the pyfunc ``cbclassify score`` serves, with its
    per-practice evaluation, and register it (``challenger``; ``champion`` when there is
    none). Returns ``model.registry.Registration``."""
    import tempfile

    import mlflow

    from cbclassify.model import registry, tracking
    from cbclassify.model.pyfunc import log_pyfunc

    client = tracking.configure(settings)
    with (
        tempfile.TemporaryDirectory() as tmp,
        mlflow.start_run(
            experiment_id=tracking.experiment_id(client, config.experiment, settings),
            run_name="portfolio-train",
        ) as run,
    ):
        model = training.model
        mlflow.log_params(
            {
                **{f"lgbm_{k}": v for k, v in model.metadata["params"].items()},
                "best_iteration": model.metadata["best_iteration"],
                "temperature": round(model.temperature, 6),
                "trainer": "lightgbm.dask",
                "n_practices_trained": len(training.trained_on),
                "n_practices_held_out": len(training.held_out),
                "n_train": training.n_train,
                "n_validation": training.n_validation,
            }
        )
        mlflow.log_metrics(training.pooled.flat("held_out_practices_"))
        mlflow.log_text(training.per_practice.to_csv(index=False), "tables/per_practice.csv")
        info = log_pyfunc(model, example, Path(tmp))
        return registry.register(
            client, settings.registered_model_name, info.model_uri, run.info.run_id
        )
