"""``cbclassify worklist LEDGER_DIR``: every credit balance, as a table for a biller and a file."""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.console import Console, JustifyMethod
from rich.table import Table

from cbclassify.balances.worklist import build_worklist
from cbclassify.balances.worklist_export import summarize_worklist, to_export_frame
from cbclassify.balances.worklist_query import SORTABLE_COLUMNS, filter_worklist, sort_worklist
from cbclassify.cli.options import BAD_INPUT, as_timestamp, date_option
from cbclassify.contract.enums import PAYER_TYPES
from cbclassify.contract.errors import LedgerValidationError
from cbclassify.contract.money import MoneyFormatError, dollars, parse_money

log = logging.getLogger(__name__)

#: ``--sort`` words -> (worklist column, descending by default).
SORT_KEYS: dict[str, tuple[str, bool]] = {
    "age": ("age_days", True),
    "amount": ("credit_amount_cents", True),
    "service_date": ("first_service_date", False),
    "payer": ("payer_name", False),
    "location": ("location_id", False),
}
#: Rows printed when --limit is not given (the --out file always gets every matching row).
DEFAULT_SHOWN = 50
#: Console width when the output is not a terminal (files, pipes, tests): no wrapped cells.
WIDTH_WHEN_PIPED = 200
_OUT_SUFFIXES = (".csv", ".parquet")


def register(app: typer.Typer) -> None:
    """Add the ``worklist`` command to ``app``."""
    app.command("worklist")(worklist)


def _sort_spec(words: list[str], desc: bool | None) -> tuple[list[str], list[bool]]:
    """--sort words (or raw sortable column names) -> columns and descending flags."""
    columns, flags = [], []
    for word in words:
        column, default_desc = SORT_KEYS.get(word, (word, False))
        if column not in SORTABLE_COLUMNS:
            allowed = ", ".join(list(SORT_KEYS) + list(SORTABLE_COLUMNS))
            raise typer.BadParameter(
                f"unknown sort key {word!r}; use one of: {allowed}", param_hint="--sort"
            )
        columns.append(column)
        flags.append(default_desc if desc is None else desc)
    return columns, flags


def _min_cents(text: str | None) -> int | None:
    if text is None:
        return None
    try:
        cents = parse_money(text.replace("$", "").replace(",", ""))
    except MoneyFormatError:
        raise typer.BadParameter(
            f"expected an amount such as 10.00, got {text!r}", param_hint="--min-amount"
        )
    if cents < 0:
        raise typer.BadParameter("must not be negative", param_hint="--min-amount")
    return cents


def _check_payer_types(values: list[str] | None) -> None:
    allowed = set(PAYER_TYPES) | {"self_pay"}
    bad = [v for v in values or [] if v.lower() not in allowed]
    if bad:
        raise typer.BadParameter(
            f"unknown payer type {bad[0]!r}; use one of: {', '.join(sorted(allowed))}",
            param_hint="--payer-type",
        )


def _check_out(out: Path | None) -> None:
    if out is not None and out.suffix.lower() not in _OUT_SUFFIXES:
        raise typer.BadParameter(
            f"the file name must end in .csv or .parquet, got {out.name!r}", param_hint="--out"
        )


def _date_text(value: Any) -> str:
    return "" if pd.isna(value) else f"{pd.Timestamp(value):%Y-%m-%d}"


def _service_text(row: pd.Series) -> str:
    first, last = _date_text(row["first_service_date"]), _date_text(row["last_service_date"])
    return first if first == last else f"{first} to {last}"


def render_table(df: pd.DataFrame, as_of: pd.Timestamp) -> Table:
    """A rich table of worklist rows for a biller (money as $1,234.56)."""
    table = Table(title=f"Credit balances as of {as_of:%Y-%m-%d}", title_justify="left")
    columns: tuple[tuple[str, JustifyMethod], ...] = (
        ("Claim", "left"),
        ("Patient", "left"),
        ("Payer", "left"),
        ("Type", "left"),
        ("Location", "left"),
        ("Provider", "left"),
        ("Service", "left"),
        ("Credit", "right"),
        ("In credit since", "left"),
        ("Age (days)", "right"),
        ("Last posted", "left"),
        ("Patient owes elsewhere", "right"),
    )
    for name, justify in columns:
        table.add_column(name, justify=justify, no_wrap=justify == "right")
    for _, row in df.iterrows():  # only the rows shown (bounded by --limit / DEFAULT_SHOWN)
        owed = int(row["patient_open_balance_cents"])
        owed_text = (
            ""
            if owed == 0
            else (
                f"{dollars(owed)} ({int(row['patient_open_claims'])} claim"
                f"{'' if row['patient_open_claims'] == 1 else 's'})"
            )
        )
        table.add_row(
            str(row["claim_id"]),
            str(row["patient_id"]),
            str(row["payer_name"]),
            str(row["payer_type"]),
            str(row["location_id"]),
            str(row["provider_id"]),
            _service_text(row),
            dollars(row["credit_amount_cents"]),
            _date_text(row["credit_since"]),
            f"{int(row['age_days']):,}",
            _date_text(row["last_posted_date"]),
            owed_text,
        )
    return table


def _write(frame: pd.DataFrame, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix.lower() == ".csv":
        from cbclassify.csv_cells import formula_safe_frame

        formula_safe_frame(frame).to_csv(out, index=False, encoding="utf-8")
    else:
        frame.to_parquet(out, index=False)


def worklist(
    ledger_dir: Annotated[
        Path,
        typer.Argument(help="Folder with the ledger's CSV/Parquet files."),
    ],
    as_of: Annotated[
        date | None,
        date_option(
            "--as-of", help="Date YYYY-MM-DD the balances are taken at (default: latest posting)."
        ),
    ] = None,
    payer: Annotated[
        list[str] | None,
        typer.Option(
            "--payer",
            metavar="PAYER",
            help="Payer id or name; repeat for several; 'self-pay' for no payer.",
        ),
    ] = None,
    payer_type: Annotated[
        list[str] | None,
        typer.Option(
            "--payer-type",
            metavar="TYPE",
            help="medicare, medicaid, commercial, ... or self_pay; repeatable.",
        ),
    ] = None,
    location: Annotated[
        list[str] | None, typer.Option("--location", metavar="ID", help="Location id; repeatable.")
    ] = None,
    provider: Annotated[
        list[str] | None,
        typer.Option("--provider", metavar="ID", help="Rendering provider id; repeatable."),
    ] = None,
    min_amount: Annotated[
        str | None,
        typer.Option(
            "--min-amount",
            metavar="AMOUNT",
            help="Only credits of at least this amount, e.g. 10.00.",
        ),
    ] = None,
    older_than: Annotated[
        int | None,
        typer.Option(
            "--older-than",
            metavar="DAYS",
            min=0,
            help="Only credits more than DAYS days old (age > DAYS).",
        ),
    ] = None,
    service_from: Annotated[
        date | None,
        date_option(
            "--service-from", help="Only claims whose services are all on or after this date."
        ),
    ] = None,
    service_to: Annotated[
        date | None,
        date_option(
            "--service-to", help="Only claims whose services are all on or before this date."
        ),
    ] = None,
    sort: Annotated[
        list[str] | None,
        typer.Option(
            "--sort",
            metavar="KEY",
            help="age, amount, service_date, payer or location (or a column name); "
            "repeat for tie-breakers. Default: age.",
        ),
    ] = None,
    desc: Annotated[
        bool | None,
        typer.Option("--desc/--asc", help="Sort order (default: oldest/largest first, else A-Z)."),
    ] = None,
    limit: Annotated[
        int | None,
        typer.Option(
            "--limit",
            metavar="N",
            min=1,
            help=f"Keep the first N rows (table and file; table default {DEFAULT_SHOWN}).",
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", metavar="FILE", help="Also write the rows to this .csv or .parquet file."
        ),
    ] = None,
) -> None:
    """List every credit balance in a ledger: who, how much, since when, and what else the
    patient owes. Exit 1 when the ledger is invalid."""
    cutoff = as_timestamp(as_of)
    start, end = as_timestamp(service_from), as_timestamp(service_to)
    columns, flags = _sort_spec(sort or ["age"], desc)
    min_cents = _min_cents(min_amount)
    _check_payer_types(payer_type)
    _check_out(out)
    if start is not None and end is not None and start > end:
        raise typer.BadParameter("is after --service-to", param_hint="--service-from")

    from cbclassify.ledger_io import read_ledger  # the adapter; imported when the command runs

    try:
        ledger = read_ledger(ledger_dir, as_of=cutoff)
    except LedgerValidationError as exc:
        typer.echo(str(exc), err=True)
        typer.echo(
            f"The ledger in {ledger_dir} was not loaded; fix the problems above "
            "(`cbclassify validate` lists them).",
            err=True,
        )
        raise typer.Exit(BAD_INPUT) from None

    built = build_worklist(ledger, as_of=cutoff)
    when = built.attrs["as_of"]
    matching = filter_worklist(
        built,
        payer=payer,
        payer_type=payer_type,
        location=location,
        provider=provider,
        min_credit_cents=min_cents,
        min_age_days=None if older_than is None else older_than + 1,
        service_from=start,
        service_to=end,
    )
    ordered = sort_worklist(matching, by=columns, descending=flags)
    kept = ordered if limit is None else ordered.head(limit)
    log.info("worklist: %d credit claims, %d after filters", len(built), len(matching))
    _report(ordered, kept.head(limit or DEFAULT_SHOWN), when, len(built))
    if out is not None:
        _write(to_export_frame(kept, as_of=when), out)
        typer.echo(f"Wrote {len(kept):,} row(s) to {out}")


def _console() -> Console:
    """A console for the table: the terminal's width, or wide when output is piped."""
    console = Console(highlight=False)
    return console if console.is_terminal else Console(highlight=False, width=WIDTH_WHEN_PIPED)


def _report(
    matching: pd.DataFrame, shown: pd.DataFrame, as_of: pd.Timestamp, in_ledger: int
) -> None:
    """Print the ``shown`` rows as a table and the totals of every ``matching`` row."""
    console = _console()
    if in_ledger == 0:
        console.print(f"No credit balances as of {as_of:%Y-%m-%d}.")
        return
    if matching.empty:
        console.print(
            f"No credit balances as of {as_of:%Y-%m-%d} match the filters "
            f"({in_ledger:,} credit balance(s) in the ledger)."
        )
        return
    console.print(render_table(shown, as_of))
    if len(shown) < len(matching):
        console.print(
            f"Showing {len(shown):,} of {len(matching):,} rows "
            "(--limit N to change, --out FILE to export)."
        )
    total = summarize_worklist(matching).sentence()
    scope = "" if len(matching) == in_ledger else f" (filtered from {in_ledger:,} in the ledger)"
    console.print(f"{total}{scope}.")
