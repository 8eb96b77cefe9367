"""``cbclassify promote``: move ``champion`` to the challenger only when the challenger is at
least as good as the champion on the same held-out data (unless forced). The decision and both
scores are logged as an MLflow run and as tags on the model versions."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import mlflow
import pandas as pd

from cbclassify.model import registry, tracking
from cbclassify.model.config import TrainingConfig
from cbclassify.model.dataset import LabelledSet, time_split
from cbclassify.model.metrics import Evaluation
from cbclassify.model.train import evaluate_model_on
from cbclassify.model.workflow import HOLDOUT_ARTIFACT, load_labelled
from cbclassify.settings import Settings


class PromotionError(RuntimeError):
    """Promotion cannot be decided (no challenger, no held-out data)."""


@dataclass(frozen=True)
class PromotionDecision:
    """What ``promote`` decided and why."""

    promoted: bool
    reason: str
    challenger_version: str
    champion_version: str | None
    challenger: Evaluation | None = None
    champion: Evaluation | None = None
    holdout_size: int = 0


def challenger_holdout(client: mlflow.MlflowClient, run_id: str) -> LabelledSet:
    """The held-out slice logged by the challenger's training run."""
    with tempfile.TemporaryDirectory() as tmp:
        try:
            path = client.download_artifacts(run_id, HOLDOUT_ARTIFACT, tmp)
        except Exception as exc:
            raise PromotionError(
                f"the challenger's run {run_id} has no held-out data: {exc}"
            ) from exc
        frame = pd.read_parquet(path)
    return LabelledSet(frame)


def ledger_holdout(ledger_dirs: list[Path], config: TrainingConfig) -> LabelledSet:
    """The newest ``test_share`` of the labelled credits in ``ledger_dirs``."""
    data = load_labelled(ledger_dirs)
    split = time_split(
        data.frame["as_of_date"], config.split.test_share, config.split.validation_share
    )
    return LabelledSet(data.frame.iloc[split.test].reset_index(drop=True))


def promote(
    settings: Settings | None = None,
    force: bool = False,
    ledger_dirs: list[Path] | None = None,
    config: TrainingConfig | None = None,
) -> PromotionDecision:
    """Compare challenger and champion on the same held-out data and move ``champion`` when the
    challenger's macro-F1 is at least the champion's (or ``force``)."""
    settings = settings or Settings()
    config = config or TrainingConfig()
    client = tracking.configure(settings)
    name = settings.registered_model_name
    challenger = registry.version_by_alias(client, name, registry.CHALLENGER)
    if challenger is None:
        raise PromotionError(f"no '{registry.CHALLENGER}' for model {name}: train one first")
    champion = registry.version_by_alias(client, name, registry.CHAMPION)
    if champion is not None and str(champion.version) == str(challenger.version):
        return PromotionDecision(
            False,
            "the challenger already is the champion",
            str(challenger.version),
            str(champion.version),
        )
    if ledger_dirs:
        holdout = ledger_holdout(ledger_dirs, config)
    elif challenger.run_id is not None:
        holdout = challenger_holdout(client, challenger.run_id)
    else:
        raise PromotionError(f"the '{registry.CHALLENGER}' of model {name} has no training run")
    new = evaluate_model_on(registry.load_pyfunc(f"models:/{name}/{challenger.version}"), holdout)
    old = None
    if champion is not None:
        old = evaluate_model_on(registry.load_pyfunc(f"models:/{name}/{champion.version}"), holdout)
    promoted, reason = _decide(new, old, force)
    decision = PromotionDecision(
        promoted,
        reason,
        str(challenger.version),
        str(champion.version) if champion else None,
        new,
        old,
        len(holdout),
    )
    _log_decision(client, settings, config, decision)
    if promoted:
        client.set_registered_model_alias(name, registry.CHAMPION, str(challenger.version))
    return decision


def _decide(new: Evaluation, old: Evaluation | None, force: bool) -> tuple[bool, str]:
    if old is None:
        return True, "no champion yet"
    if new.macro_f1 >= old.macro_f1:
        return True, f"challenger macro-F1 {new.macro_f1:.4f} >= champion {old.macro_f1:.4f}"
    if force:
        return (
            True,
            f"forced although challenger macro-F1 {new.macro_f1:.4f} < champion {old.macro_f1:.4f}",
        )
    return (
        False,
        f"challenger macro-F1 {new.macro_f1:.4f} < champion {old.macro_f1:.4f}: champion kept",
    )


def _log_decision(
    client: mlflow.MlflowClient,
    settings: Settings,
    config: TrainingConfig,
    decision: PromotionDecision,
) -> None:
    experiment = tracking.experiment_id(client, config.experiment, settings)
    with mlflow.start_run(
        experiment_id=experiment, run_name=f"promote-v{decision.challenger_version}"
    ):
        mlflow.set_tags(
            {
                "kind": "promotion",
                "decision": "promoted" if decision.promoted else "kept_champion",
                "reason": decision.reason,
            }
        )
        mlflow.log_params(
            {
                "challenger_version": decision.challenger_version,
                "champion_version": decision.champion_version or "none",
                "holdout_size": decision.holdout_size,
            }
        )
        if decision.challenger is not None:
            mlflow.log_metrics(decision.challenger.flat("challenger_"))
        if decision.champion is not None:
            mlflow.log_metrics(decision.champion.flat("champion_"))
    name = settings.registered_model_name
    client.set_model_version_tag(name, decision.challenger_version, "promotion", decision.reason)
