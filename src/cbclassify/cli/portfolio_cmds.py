"""``cbclassify portfolio score``: every practice of a billing service scored on Dask."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from cbclassify.cli.logs import quiet_mlflow
from cbclassify.cli.options import as_timestamp, date_option, fail
from cbclassify.settings import Settings

portfolio_app = typer.Typer(
    help="Score a portfolio of practices (one ledger folder each) on a Dask cluster.",
    no_args_is_help=True,
)


#: The options every portfolio command shares.
PortfolioRoot = Annotated[
    Path, typer.Argument(help="folder holding one ledger folder per practice")
]
Workers = Annotated[
    int | None,
    typer.Option(min=1, help="local cluster worker processes (default: every core)"),
]
Scheduler = Annotated[
    str | None,
    typer.Option(help="address of a running Dask scheduler (instead of a local cluster)"),
]


@contextmanager
def dask_client(workers: int | None, scheduler: str | None) -> Iterator[Any]:
    """A client of the cluster at ``scheduler``, or of a local cluster of ``workers`` processes
    (default: every core), closed on exit."""
    from distributed import Client, LocalCluster

    if scheduler:
        with Client(scheduler) as client:
            yield client
        return
    count = workers or os.cpu_count() or 1
    with (
        LocalCluster(
            n_workers=count,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.WARNING,  # Dask's INFO chatter off, as for MLflow
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


def score_command(
    root: PortfolioRoot,
    out: Annotated[Path, typer.Option(help="output folder: <practice>/predictions.csv + summary")],
    workers: Workers = None,
    scheduler: Scheduler = None,
    model: Annotated[
        str | None, typer.Option(help="model URI (default: models:/<name>@champion)")
    ] = None,
    as_of: Annotated[
        date | None,
        date_option("--as-of", help="as-of date YYYY-MM-DD (default: each ledger's latest)"),
    ] = None,
    split_mb: Annotated[
        int,
        typer.Option(
            min=0,
            help="split a practice whose ledger files exceed this many MB "
            "into patient groups scored in parallel (0: never split)",
        ),
    ] = 64,
) -> None:
    """Score every practice under ROOT: OUT/<practice>/predictions.csv (what `cbclassify score`
    writes for that practice alone) and OUT/portfolio_summary.csv. An invalid practice is
    reported with its problems (exit 1) and the others complete."""
    from rich.progress import Progress

    from cbclassify.cli.model_choice import choose_model
    from cbclassify.model.registry import ModelNotFoundError
    from cbclassify.portfolio import find_practices, score_portfolio
    from cbclassify.portfolio.work import ModelRef

    if workers is not None and scheduler is not None:
        fail("give --workers (a local cluster) or --scheduler (a running one), not both", 2)
    quiet_mlflow()
    settings = Settings()
    try:
        practices = find_practices(root)
        choice = choose_model(model, settings)
    except NotADirectoryError as exc:
        fail(str(exc))
    except ModelNotFoundError as exc:
        fail(str(exc))
    except LookupError as exc:
        fail(f"no model to score with ({exc}): train one with `cbclassify train LEDGER_DIR`")
    if not practices:
        fail(f"{root}: no practice folders in the portfolio root")
    ref = ModelRef(choice.uri, str(settings.resolved_tracking_uri))
    with dask_client(workers, scheduler) as client, Progress(transient=True) as bar:
        job = bar.add_task("Scoring practices", total=len(practices))
        result = score_portfolio(
            root,
            out,
            ref,
            client,
            as_of=as_timestamp(as_of),
            split_bytes=split_mb * 1024 * 1024,
            progress=lambda done, _total: bar.update(job, completed=done),
        )
    scored = len(result.outcomes) - len(result.not_scored)
    typer.echo(f"Scored {scored} of {len(result.outcomes)} practice(s) with {choice.words()}.")
    for outcome in result.not_scored:
        first = outcome.problems[0] if outcome.problems else ""
        more = f" (and {len(outcome.problems) - 1} more)" if len(outcome.problems) > 1 else ""
        typer.echo(f"Practice {outcome.practice} {outcome.status}: {first}{more}", err=True)
    typer.echo(f"Wrote {result.summary_path}.")
    if result.not_scored:
        raise typer.Exit(1)


def train_command(
    root: PortfolioRoot,
    workers: Workers = None,
    scheduler: Scheduler = None,
    config: Annotated[
        Path | None, typer.Option(help="training configuration YAML (as for `train`)")
    ] = None,
    holdout_share: Annotated[
        float,
        typer.Option(min=0.01, max=0.9, help="share of practices held out for evaluation"),
    ] = 0.2,
) -> None:
    """Train one model across the practices under ROOT with lightgbm.dask (features built per
    practice on the workers), evaluate it per held-out practice, and register it in MLflow as
    the model type `cbclassify score` serves. An invalid practice is reported (exit 1) and
    training goes on without it."""
    import pandas as pd

    from cbclassify.features import FEATURE_NAMES
    from cbclassify.model.config import TrainingConfigError, load_training_config
    from cbclassify.portfolio import find_practices
    from cbclassify.portfolio.train import (
        frame_of,
        labelled_practice,
        log_portfolio_model,
        problems_of,
        train_portfolio,
    )

    if workers is not None and scheduler is not None:
        fail("give --workers (a local cluster) or --scheduler (a running one), not both", 2)
    quiet_mlflow()
    settings = Settings()
    try:
        training_config = load_training_config(config)
        practices = find_practices(root)
    except (TrainingConfigError, NotADirectoryError) as exc:
        fail(str(exc))
    with dask_client(workers, scheduler) as client:
        labelled = client.map(labelled_practice, practices, pure=False)
        problems = {}
        frames = {}
        for practice, future in zip(practices, labelled, strict=True):
            found = client.submit(problems_of, future).result()
            if found:
                problems[practice.name] = found
            else:
                frames[practice.name] = client.submit(frame_of, future)
        if len(frames) < 2:
            fail(f"{root}: portfolio training needs at least two valid practices")
        try:
            training = train_portfolio(client, frames, training_config, holdout_share)
        except ValueError as exc:
            fail(str(exc))
        example = client.submit(pd.DataFrame.head, frames[training.trained_on[0]], 5).result()
    registration = log_portfolio_model(
        training, example[list(FEATURE_NAMES)], training_config, settings
    )
    typer.echo(
        f"Trained on {len(training.trained_on)} practice(s) ({training.n_train} credits, "
        f"{training.n_validation} for validation) with lightgbm.dask; "
        f"registered {registration.name} version {registration.version}."
    )
    typer.echo("Held-out practices (never seen in training), macro-F1 each:")
    for row in training.per_practice.itertuples():
        typer.echo(f"  {row.practice}: {row.macro_f1:.3f} on {row.credits} credits")
    typer.echo(f"  all held-out credits: {training.pooled.macro_f1:.3f}")
    for name, found in problems.items():
        more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
        typer.echo(f"Practice {name} invalid, left out: {found[0]}{more}", err=True)
    if problems:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add the ``portfolio`` command group to the CLI."""
    portfolio_app.command("score")(score_command)
    portfolio_app.command("train")(train_command)
    app.add_typer(portfolio_app, name="portfolio")
