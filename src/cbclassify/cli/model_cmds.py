"""``cbclassify train``, ``promote`` and ``score``: the classifier's life cycle on the command line.

Tracking goes to ``MLFLOW_TRACKING_URI`` or the embedded default (SQLite + local artifacts in
the data directory); nothing has to be started.
"""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer

from cbclassify.cli.logs import quiet_mlflow
from cbclassify.cli.options import as_timestamp, date_option, fail
from cbclassify.contract.errors import LedgerValidationError
from cbclassify.settings import Settings

# MLflow, scikit-learn and LightGBM are imported inside the commands, so that every other
# ``cbclassify`` command starts without paying for them.

log = logging.getLogger(__name__)
FEW_LABELS = 200  # below this, held-out metrics are too noisy to judge a model by

LedgerDirs = Annotated[
    list[Path], typer.Argument(help="ledger folders whose resolutions are the labels")
]


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

    quiet_mlflow()
    try:
        cfg = load_training_config(config)
        report = train_and_register(ledger_dirs, cfg, Settings(), register=register)
    except (LedgerValidationError, TrainingConfigError) as exc:
        fail(str(exc))
    except ValueError as exc:
        fail(f"cannot train: {exc}")
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
    verdict = champion_verdict(report)
    if verdict:
        typer.echo(verdict)


def champion_verdict(report: Any) -> str:
    """Whether the new model beats the champion on the metric promotion decides by (macro-F1
    on the same held-out test slice, ``model.promotion``), and how to promote it."""
    old, reg = report.champion_on_holdout, report.registration
    if old is None:
        return ""
    new = report.result.test["lightgbm"].macro_f1
    name = "This model" if reg is None else f"Version {reg.version}"
    versus = (
        f"macro-F1 {new:.4f} vs {old.macro_f1:.4f} for the champion "
        f"(version {report.champion_version}) on the same {len(report.result.split.test)} "
        "held-out test credits"
    )
    if new > old.macro_f1:
        verdict = f"{name} beats the champion: {versus}."
    elif new == old.macro_f1:
        verdict = f"{name} ties with the champion: {versus}."
    else:
        verdict = f"{name} does not beat the champion: {versus}."
    if reg is None:
        return verdict + " It was not registered (--no-register)."
    if new >= old.macro_f1:
        return verdict + " Promote it with `cbclassify promote`."
    return (
        verdict + " `cbclassify promote` keeps the champion; "
        "`cbclassify promote --force` promotes it anyway."
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

    quiet_mlflow()
    try:
        decision = promote(Settings(), force=force, ledger_dirs=ledger or None)
    except (PromotionError, ModelNotFoundError, LedgerValidationError, ValueError) as exc:
        fail(str(exc))
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
        date | None,
        date_option("--as-of", help="as-of date YYYY-MM-DD (default: latest posting)"),
    ] = None,
    policy: Annotated[
        Path | None,
        typer.Option(help="resolution policy YAML (default: the shipped one; policy-default)"),
    ] = None,
) -> None:
    """Write one row per credit balance with its predicted source and probabilities (rounded
    to 6 places), naming the model version that predicted them; verification and the
    recommended action follow the resolution policy (``--policy``)."""
    from cbclassify.cli.model_choice import choose_model
    from cbclassify.ledger_io import read_ledger
    from cbclassify.model.registry import ModelNotFoundError, load_pyfunc
    from cbclassify.resolve import PolicyError, load_policy
    from cbclassify.scoring import score_ledger, write_scores

    try:
        chosen_policy = load_policy(policy) if policy is not None else None
    except PolicyError as exc:
        fail(str(exc))
    quiet_mlflow()
    settings = Settings()
    cutoff = as_timestamp(as_of)
    try:
        ledger = read_ledger(ledger_dir, as_of=cutoff)
        choice = choose_model(model, settings)
        loaded = load_pyfunc(choice.uri)
    except (LedgerValidationError, ModelNotFoundError) as exc:
        fail(str(exc))
    except LookupError as exc:  # no registry yet
        fail(f"no model to score with ({exc}): train one with `cbclassify train LEDGER_DIR`")
    scores = score_ledger(ledger, loaded, as_of=cutoff, policy=chosen_policy)
    path = write_scores(scores, out)
    counts = scores["predicted_source"].value_counts()
    summary = ", ".join(f"{n} {src}" for src, n in counts.items()) or "none"
    typer.echo(f"Scored {len(scores)} credit balance(s) ({summary}) with {choice.words()}.")
    typer.echo(f"Wrote {path}.")


def register(app: typer.Typer) -> None:
    """Add train, promote and score to the CLI."""
    app.command("train")(train_command)
    app.command("promote")(promote_command)
    app.command("score")(score_command)
