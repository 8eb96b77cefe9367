"""``cbclassify train``, ``promote`` and ``score``: the classifier's life cycle on the command line.

Tracking goes to ``MLFLOW_TRACKING_URI`` or the embedded default (SQLite + local artifacts in
the data directory); nothing has to be started.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from cbclassify.contract.errors import LedgerValidationError
from cbclassify.settings import Settings

# MLflow, scikit-learn and LightGBM are imported inside the commands, so that every other
# ``cbclassify`` command starts without paying for them.

log = logging.getLogger(__name__)
FEW_LABELS = 200  # below this, held-out metrics are too noisy to judge a model by

LedgerDirs = Annotated[
    list[Path], typer.Argument(help="ledger folders whose resolutions are the labels")
]


def _fail(message: str, code: int = 1) -> None:
    typer.echo(message, err=True)
    raise typer.Exit(code)


def _percent_table(table: pd.DataFrame) -> str:
    return table.map(lambda v: f"{v:.3f}" if isinstance(v, float) else str(v)).to_string()


def train_command(
    ledger_dirs: LedgerDirs,
    config: Annotated[
        Path | None,
        typer.Option(help="training YAML (default: built-in, see training/config.yaml)"),
    ] = None,
    register: Annotated[bool, typer.Option(help="register the model as challenger")] = True,
) -> None:
    """Train on the union of the ledgers' resolutions, log to MLflow, register as challenger,
    and report metrics against the rules-only and logistic baselines and the current champion."""
    from cbclassify.model.config import TrainingConfigError, load_training_config
    from cbclassify.model.workflow import train_and_register

    try:
        cfg = load_training_config(config)
        report = train_and_register(ledger_dirs, cfg, Settings(), register=register)
    except (LedgerValidationError, TrainingConfigError) as exc:
        _fail(str(exc), 2)
        return
    except ValueError as exc:
        _fail(f"cannot train: {exc}", 2)
        return
    result = report.result
    data = result.data
    typer.echo(
        f"Trained on {len(data)} labelled credits from {len(ledger_dirs)} ledger(s): "
        f"{len(result.split.train)} train / {len(result.split.validation)} validation / "
        f"{len(result.split.test)} test (newest). Dataset {report.fingerprint}."
    )
    if data.duplicates_dropped or data.conflicts_resolved:
        typer.echo(
            f"  {data.duplicates_dropped} duplicate label(s) counted once; "
            f"{data.conflicts_resolved} conflicting label(s) settled by the latest resolution."
        )
    if len(data) < FEW_LABELS:
        typer.echo(
            f"  Warning: only {len(data)} labelled credits; the metrics below rest on "
            f"{len(result.split.test)} test credits and mean little. Gather more resolutions."
        )
    absent = result.test["lightgbm"].per_class.query("support == 0").index.tolist()
    if absent:
        typer.echo(f"  No test credits of: {', '.join(absent)} (their precision/recall show 0).")
    typer.echo("\nHeld-out test slice (newest credits):")
    typer.echo(_percent_table(result.comparison().T))
    changes = report.changes()
    if changes is not None:
        typer.echo(
            f"\nChampion (version {report.champion_version}, old) vs this model (new), same test slice:"
        )
        typer.echo(_percent_table(changes))
    typer.echo(f"\nMLflow run {report.run_id}")
    if report.registration is not None:
        reg = report.registration
        role = "challenger and champion (first model)" if reg.became_champion else "challenger"
        typer.echo(f"Registered {reg.name} version {reg.version} as {role}.")
        if not reg.became_champion:
            typer.echo(
                "Run `cbclassify promote` to make it the champion if it is at least as good."
            )


def promote_command(
    force: Annotated[
        bool, typer.Option(help="promote even when the challenger scores lower")
    ] = False,
    ledger: Annotated[
        list[Path] | None,
        typer.Option(
            help="compare on these ledgers' newest labels instead of the challenger's held-out slice"
        ),
    ] = None,
) -> None:
    """Move `champion` to the challenger if it is at least as good on the same held-out data."""
    from cbclassify.model.promotion import PromotionError, promote
    from cbclassify.model.registry import ModelNotFoundError

    try:
        decision = promote(Settings(), force=force, ledger_dirs=ledger or None)
    except (PromotionError, ModelNotFoundError, LedgerValidationError, ValueError) as exc:
        _fail(str(exc))
        return
    if decision.challenger is not None and decision.champion is not None:
        typer.echo(
            f"On {decision.holdout_size} held-out credits: challenger v{decision.challenger_version} "
            f"macro-F1 {decision.challenger.macro_f1:.4f}, champion v{decision.champion_version} "
            f"macro-F1 {decision.champion.macro_f1:.4f}."
        )
    verb = "Promoted" if decision.promoted else "Not promoted"
    typer.echo(f"{verb}: {decision.reason}.")
    if not decision.promoted and decision.champion is not None:
        raise typer.Exit(3)


def score_command(
    ledger_dir: Annotated[Path, typer.Argument(help="the ledger folder to score")],
    out: Annotated[Path, typer.Option(help="predictions file (.csv or .parquet)")],
    model: Annotated[
        str | None, typer.Option(help="model URI (default: models:/<name>@champion)")
    ] = None,
    as_of: Annotated[
        str | None, typer.Option(help="as-of date YYYY-MM-DD (default: latest posting)")
    ] = None,
) -> None:
    """Write one row per credit balance with its predicted source and probabilities."""
    from cbclassify.ledger_io import read_ledger
    from cbclassify.model import tracking
    from cbclassify.model.registry import ModelNotFoundError, load_pyfunc, resolve_model_uri
    from cbclassify.scoring import score_ledger, write_scores

    settings = Settings()
    try:
        ledger = read_ledger(ledger_dir, as_of=as_of)
        tracking.point_mlflow(settings)
        loaded = load_pyfunc(resolve_model_uri(model, settings))
    except (LedgerValidationError, ModelNotFoundError) as exc:
        _fail(str(exc))
        return
    scores = score_ledger(ledger, loaded, as_of=as_of)
    path = write_scores(scores, out)
    counts = scores["predicted_source"].value_counts()
    summary = ", ".join(f"{n} {src}" for src, n in counts.items()) or "none"
    typer.echo(f"Scored {len(scores)} credit balance(s) ({summary}); wrote {path}.")


def register(app: typer.Typer) -> None:
    """Add train, promote and score to the CLI."""
    app.command("train")(train_command)
    app.command("promote")(promote_command)
    app.command("score")(score_command)
