"""The ``cbclassify`` entry point: registers each command group's commands."""

from __future__ import annotations

import importlib
from typing import Annotated

import typer

from cbclassify.cli.logs import configure_logging

app = typer.Typer(
    name="cbclassify",
    help="Find, classify, verify and resolve credit balances in a therapy practice's ledger.\n\n"
    "Dates are YYYY-MM-DD everywhere. Exit codes: 0 done, 1 bad input or a partial failure, "
    "2 a usage error.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

#: Command-group modules under cbclassify.cli; each defines ``register(app)``.
COMMAND_MODULES: tuple[str, ...] = (
    "ledger_cmds",  # validate
    "x12_cmds",  # ingest-835
    "synth_cmds",  # synth
    "worklist_cmds",  # worklist
    "demo_cmds",  # demo
    "model_cmds",  # train, promote, score
    "service_cmds",  # serve, db, practices, users, ingest-ledger, export-resolutions, audit
    "report_cmds",  # root-causes, report
    "policy_cmds",  # policy-check, policy-default
    "portfolio_cmds",  # portfolio score
)


@app.callback()
def _run_options(
    verbose: Annotated[
        bool,
        typer.Option(
            "--verbose",
            help="Show INFO logging of cbclassify and its libraries (MLflow, alembic); "
            "by default only warnings and errors.",
        ),
    ] = False,
) -> None:
    """Options of every run: logging is configured here, when a command runs (not on import)."""
    configure_logging(verbose)


for _module in COMMAND_MODULES:
    importlib.import_module(f"cbclassify.cli.{_module}").register(app)


if __name__ == "__main__":  # pragma: no cover
    app()
