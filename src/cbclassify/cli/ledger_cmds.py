"""``cbclassify validate LEDGER_DIR``: check a ledger folder, listing every problem."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from cbclassify.cli.options import BAD_INPUT, as_timestamp, date_option
from cbclassify.contract.errors import Issue
from cbclassify.contract.ledger import Ledger
from cbclassify.ledger_io.read import check_ledger_dir

#: (table, words) in the order the OK line lists them.
_COUNTED = (
    ("claim_lines", "claim lines"),
    ("transactions", "transactions"),
    ("payers", "payers"),
    ("patients", "patients"),
    ("fee_schedule", "fee-schedule rows"),
    ("remittances", "remittances"),
    ("provider_adjustments", "provider adjustments"),
    ("resolutions", "resolutions"),
)


def register(app: typer.Typer) -> None:
    """Add the ledger commands to ``app``."""
    app.command("validate")(validate)


def validate(
    ledger_dir: Annotated[Path, typer.Argument(help="Folder with the ledger's CSV/Parquet files.")],
    as_of: Annotated[
        date | None,
        date_option("--as-of", help="Ledger as-of date YYYY-MM-DD (default: latest posted_date)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Check a ledger folder against the ledger contract; list every problem (exit 1) or
    print what it holds (exit 0)."""
    try:
        checked = check_ledger_dir(ledger_dir, as_of=as_timestamp(as_of))
    except Exception as exc:  # noqa: BLE001 - a bug, not bad input: one line, no traceback
        typer.echo(
            f"internal error while validating {ledger_dir} (please report): "
            f"{type(exc).__name__}: {exc}",
            err=True,
        )
        raise typer.Exit(BAD_INPUT) from None
    if as_json:
        typer.echo(json.dumps(_as_json(checked.ledger, checked.issues), indent=2))
    elif checked.issues:
        for issue in sorted(checked.issues, key=_order):
            typer.echo(str(issue))
        typer.echo(f"{len(checked.issues)} problem(s) in {ledger_dir}; the ledger was not loaded.")
    else:
        typer.echo(f"OK: {summary(checked.ledger)}")
    if checked.issues:
        raise typer.Exit(1)


def summary(ledger: Ledger) -> str:
    """``"4 claim lines (3 claims), 15 transactions, ...; as of 2024-03-01"``."""
    parts = []
    for table, words in _COUNTED:
        count = len(ledger.table(table))
        text = f"{count:,} {words}"
        if table == "claim_lines":
            text += f" ({ledger.claim_lines['claim_id'].nunique():,} claims)"
        parts.append(text)
    return ", ".join(parts) + f"; as of {ledger.default_as_of():%Y-%m-%d}"


def _order(issue: Issue) -> tuple[str, int, str]:
    return issue.file, issue.row or 0, issue.column or ""


def _as_json(ledger: Ledger, issues: list[Issue]) -> dict[str, object]:
    return {
        "ok": not issues,
        "issues": [
            {"file": i.file, "row": i.row, "column": i.column, "message": i.message}
            for i in sorted(issues, key=_order)
        ],
        "counts": {} if issues else {table: len(ledger.table(table)) for table, _ in _COUNTED},
    }
