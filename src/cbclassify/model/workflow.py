"""``cbclassify train``: labelled ledgers -> trained, tracked, registered model, with a report of
what changed against the current champion on the same held-out slice."""

from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass
from pathlib import Path

import mlflow
import pandas as pd
from mlflow.data.pandas_dataset import from_pandas
from mlflow.models.model import ModelInfo

from cbclassify.contract.enums import CREDIT_SOURCES
from cbclassify.features import VOCABULARY_VERSION
from cbclassify.model import registry, tracking
from cbclassify.model.config import TrainingConfig
from cbclassify.model.dataset import LabelledSet, combine, fingerprint, ledger_labelled_set
from cbclassify.model.metrics import Evaluation
from cbclassify.model.plots import confusion_figure, importance_figure, reliability_figure
from cbclassify.model.pyfunc import log_pyfunc
from cbclassify.model.train import TrainingResult, evaluate_model_on, train_models
from cbclassify.settings import Settings

log = logging.getLogger(__name__)
HOLDOUT_ARTIFACT = "holdout/holdout.parquet"


def resolutions_file(ledger_dir: Path) -> str:
    """The path of a ledger folder's resolutions file, for error messages."""
    for suffix in ("csv", "parquet"):
        path = ledger_dir / f"resolutions.{suffix}"
        if path.exists():
            return str(path)
    return str(ledger_dir / "resolutions.csv")


def load_labelled(ledger_dirs: list[Path]) -> LabelledSet:
    """Read each ledger (validated) and the union of their labelled credits."""
    from cbclassify.ledger_io import read_ledger

    frames = []
    for position, directory in enumerate(ledger_dirs):
        ledger = read_ledger(directory)
        name = f"{position}:{Path(directory).name}"
        frames.append(ledger_labelled_set(name, ledger, resolutions_file(Path(directory))))
    data = combine(frames)
    if len(data) == 0:
        raise ValueError("the ledgers hold no resolutions: nothing to train on")
    return data


@dataclass(frozen=True)
class TrainReport:
    """The outcome of ``train_and_register``."""

    result: TrainingResult
    run_id: str
    fingerprint: str
    registration: registry.Registration | None
    champion_version: str | None
    champion_on_holdout: Evaluation | None

    def changes(self) -> pd.DataFrame | None:
        """Per class and overall, the champion (old) vs this model (new) on this holdout."""
        if self.champion_on_holdout is None:
            return None
        return old_vs_new(self.champion_on_holdout, self.result.test["lightgbm"])


def old_vs_new(old: Evaluation, new: Evaluation) -> pd.DataFrame:
    """A table: rows = metrics (macro-F1, ECE, per-class precision/recall), old, new, change."""
    rows: list[tuple[str, object, object]] = [
        ("macro_f1", old.macro_f1, new.macro_f1),
        ("ece", old.ece, new.ece),
    ]
    for cls in CREDIT_SOURCES:
        for metric in ("precision", "recall"):
            rows.append(
                (f"{metric}_{cls}", old.per_class.loc[cls, metric], new.per_class.loc[cls, metric])
            )
    table = pd.DataFrame(rows, columns=["metric", "old", "new"]).set_index("metric")
    table["change"] = table["new"] - table["old"]
    return table


def _log_run(
    result: TrainingResult, config: TrainingConfig, digest: str, workdir: Path
) -> ModelInfo:
    """Parameters, metrics, figures, tables, holdout and the pyfunc of one training run."""
    model, data = result.model, result.data
    counts = data.frame["label"].value_counts().reindex(list(CREDIT_SOURCES), fill_value=0)
    mlflow.log_params(
        {
            **{f"lgbm_{k}": v for k, v in model.metadata["params"].items()},
            "best_iteration": model.metadata["best_iteration"],
            "temperature": round(model.temperature, 6),
            "class_weight": config.class_weight,
            "calibration": config.calibration,
            "test_share": config.split.test_share,
            "validation_share": config.split.validation_share,
            "dataset_fingerprint": digest,
            "vocabulary_version": VOCABULARY_VERSION,
            "n_labelled": len(data),
            "n_train": len(result.split.train),
            "n_validation": len(result.split.validation),
            "n_test": len(result.split.test),
            **{f"n_label_{c}": int(n) for c, n in counts.items()},
            "duplicates_dropped": data.duplicates_dropped,
            "label_conflicts_resolved": data.conflicts_resolved,
            **tracking.code_version(),
        }
    )
    mlflow.set_tags({"dataset_fingerprint": digest, **tracking.code_version()})
    for name, ev in result.test.items():
        mlflow.log_metrics(ev.flat(f"test_{name}_" if name != "lightgbm" else "test_"))
    mlflow.log_metrics(result.validation.flat("validation_"))
    mlflow.log_figure(confusion_figure(result.test["lightgbm"]), "plots/confusion_matrix.png")
    shown = {
        k: v
        for k, v in result.test.items()
        if k in ("lightgbm", "lightgbm_uncalibrated", "logistic")
    }
    mlflow.log_figure(reliability_figure(shown), "plots/calibration.png")
    mlflow.log_figure(importance_figure(model.feature_importance()), "plots/feature_importance.png")
    mlflow.log_text(result.comparison().to_csv(), "tables/model_comparison.csv")
    mlflow.log_text(result.search.to_csv(index=False), "tables/search.csv")
    mlflow.log_text(result.test["lightgbm"].confusion.to_csv(), "tables/confusion_matrix.csv")
    mlflow.log_text(
        result.test["lightgbm"].reliability.to_csv(index=False), "tables/reliability.csv"
    )
    mlflow.log_text(model.feature_importance().to_csv(), "tables/feature_importance.csv")
    mlflow.log_text(model.booster.model_to_string(), "lightgbm/model.txt")
    holdout = result.holdout.frame.drop(columns=["claim_id"])  # no claim identifiers in artifacts
    path = workdir / "holdout.parquet"
    holdout.to_parquet(path, index=False)
    mlflow.log_artifact(str(path), "holdout")
    training = data.frame.drop(columns=["claim_id"])
    mlflow.log_input(from_pandas(training, name=f"labelled-{digest}"), context="training")
    return log_pyfunc(model, data.features, workdir)


def train_and_register(
    ledger_dirs: list[Path],
    config: TrainingConfig,
    settings: Settings | None = None,
    register: bool = True,
) -> TrainReport:
    """Train on the union of the ledgers' labels, log everything to MLflow, register the model
    as ``challenger`` (and ``champion`` when there is none) and compare with the champion."""
    settings = settings or Settings()
    data = load_labelled([Path(d) for d in ledger_dirs])
    return train_labelled(data, config, settings, register)


def train_labelled(
    data: LabelledSet, config: TrainingConfig, settings: Settings, register: bool = True
) -> TrainReport:
    """``train_and_register`` for an already built labelled set."""
    digest = fingerprint(data.frame.drop(columns=["claim_id"]))
    result = train_models(data, config)
    client = tracking.configure(settings)
    name = settings.registered_model_name
    champion = registry.version_by_alias(client, name, registry.CHAMPION)
    champion_eval = None
    if champion is not None:
        champion_model = registry.load_pyfunc(f"models:/{name}/{champion.version}")
        champion_eval = evaluate_model_on(champion_model, result.holdout, config.calibration_bins)
    with (
        tempfile.TemporaryDirectory() as tmp,
        mlflow.start_run(
            experiment_id=tracking.experiment_id(client, config.experiment, settings),
            run_name=f"train-{digest[:8]}",
        ) as run,
    ):
        info = _log_run(result, config, digest, Path(tmp))
        if champion_eval is not None and champion is not None:
            mlflow.log_metrics(champion_eval.flat("champion_test_"))
            mlflow.log_param("compared_with_champion_version", str(champion.version))
            mlflow.log_text(
                old_vs_new(champion_eval, result.test["lightgbm"]).to_csv(), "tables/old_vs_new.csv"
            )
        registration = None
        if register:
            registration = registry.register(client, name, info.model_uri, run.info.run_id)
            mlflow.set_tag("registered_version", registration.version)
    log.info("trained on %d labelled credits, run %s", len(data), run.info.run_id)
    return TrainReport(
        result,
        run.info.run_id,
        digest,
        registration,
        str(champion.version) if champion is not None else None,
        champion_eval,
    )
