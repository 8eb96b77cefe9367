"""``cbclassify root-causes`` and ``cbclassify report``: why credits recur, and the manager's
one-file HTML report."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cbclassify.cli.options import as_timestamp, date_option, fail
from cbclassify.settings import Settings

if TYPE_CHECKING:  # imported where used: the CLI starts without pandas
    from cbclassify.contract.ledger import Ledger

LedgerDir = Annotated[Path, typer.Argument(help="the ledger folder")]
ModelOption = Annotated[
    str | None,
    typer.Option(
        help="saved model folder or MLflow URI (default: the registry's champion; none: verified sources only)"
    ),
]
AsOfOption = Annotated[
    date | None, date_option("--as-of", help="as-of date YYYY-MM-DD (default: latest posting)")
]


def _read(ledger_dir: Path, as_of: date | None) -> Ledger:
    from cbclassify.contract.errors import LedgerValidationError
    from cbclassify.ledger_io import read_ledger

    try:
        return read_ledger(ledger_dir, as_of=as_timestamp(as_of))
    except LedgerValidationError as exc:
        fail(str(exc))


def _model_or_none(model: str | None, settings: Settings, explicit: bool) -> tuple[Any, str]:
    """The model and the words naming it (``model NAME version V (alias champion)``), or
    (None, "") when there is none and the user did not ask for a specific one."""
    from cbclassify.cli.model_choice import choose_model
    from cbclassify.reports.pipeline import load_model

    try:
        choice = choose_model(model, settings)
        return load_model(choice.uri, settings), choice.words()
    except (LookupError, OSError, ValueError) as exc:
        if explicit:
            fail(f"cannot load model {model}: {exc}")
        return None, ""


def _evidence_text(ids: str, shown: int = 8) -> str:
    claims = [c for c in str(ids).split(";") if c]
    more = f" and {len(claims) - shown} more" if len(claims) > shown else ""
    return ", ".join(claims[:shown]) + more


def root_causes_command(
    ledger_dir: LedgerDir,
    model: ModelOption = None,
    as_of: AsOfOption = None,
    top: Annotated[int, typer.Option(help="how many findings to print")] = 15,
    by: Annotated[
        str | None,
        typer.Option(
            help="also print credits per 1,000 claims by: poster, posting_method, carc, payer, payer_type, location, provider, cpt, collection, month"
        ),
    ] = None,
    min_credits: Annotated[int, typer.Option(help="smallest group that can be a finding")] = 3,
    min_lift: Annotated[
        float, typer.Option(help="smallest rate ratio (group vs rest) that is a finding")
    ] = 1.5,
    out: Annotated[
        Path | None, typer.Option(help="write every finding (with evidence claims) to this CSV")
    ] = None,
) -> None:
    """Print the patterns that make credits recur, ranked, with the claims behind each."""
    from cbclassify.analytics import analyze, breakdown, findings
    from cbclassify.reports.pipeline import open_and_resolved

    settings = Settings()
    ledger = _read(ledger_dir, as_of)
    loaded, words = _model_or_none(model, settings, explicit=model is not None)
    credits = open_and_resolved(ledger, loaded, as_timestamp(as_of), explain=False)[3]
    data = analyze(ledger, credits)
    found = findings(data, min_credits=min_credits, min_lift=min_lift, top=None)
    basis = credits["basis"].value_counts()
    typer.echo(
        f"Analysed {len(credits)} credits ({', '.join(f'{n} {b}' for b, n in basis.items()) or 'none'}) "
        f"over {data.total_claims:,} claims."
    )
    if loaded is None:
        typer.echo(
            "No model found: open credits count only where verification confirmed their source."
        )
    else:
        typer.echo(f"Open credits' sources predicted by {words}.")
    if found.empty:
        typer.echo(
            f"No pattern stands out (no group of {min_credits}+ credits at {min_lift}x the practice's rate)."
        )
    for row in found.head(top).itertuples():
        typer.echo(f"\n{row.rank}. {row.finding}")
        typer.echo(f"   evidence claims: {_evidence_text(str(row.evidence_claims))}")
    if by is not None:
        try:
            table = breakdown(data, by)
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--by") from None
        typer.echo(f"\nCredits per 1,000 claims by {by}:")
        typer.echo(table.drop(columns="credit_amount_cents").to_string())
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        from cbclassify.csv_cells import formula_safe_frame

        formula_safe_frame(found).to_csv(out, index=False)
        typer.echo(f"\nWrote {len(found)} findings to {out}.")


def write_ledger_report(
    ledger_dir: Path,
    out: Path,
    model: str | None = None,
    as_of: date | None = None,
    settings: Settings | None = None,
) -> tuple[Path, list[str]]:
    """Build the manager's report of a ledger folder into ``out``; returns (path, notes)."""
    from cbclassify.reports import write_report
    from cbclassify.reports.pipeline import gather

    settings = settings or Settings()
    ledger = _read(ledger_dir, as_of)
    loaded, words = _model_or_none(model, settings, explicit=model is not None)
    inputs = gather(ledger, loaded, as_timestamp(as_of), ledger_name=ledger_dir.name)
    if loaded is not None:
        inputs.notes.append(f"Predicted sources, explanations and metrics are by {words}.")
    return write_report(inputs, out), inputs.notes


def report_command(
    ledger_dir: LedgerDir,
    out: Annotated[Path, typer.Option(help="the HTML file to write")] = Path("report.html"),
    model: ModelOption = None,
    as_of: AsOfOption = None,
) -> None:
    """Write the manager's report: one self-contained HTML file that opens without a server."""
    path, notes = write_ledger_report(ledger_dir, out, model, as_of)
    for note in notes:
        typer.echo(note)
    typer.echo(f"Wrote the report to {path.resolve()} (open it in any browser).")


def register(app: typer.Typer) -> None:
    """Add root-causes and report to the CLI."""
    app.command("root-causes")(root_causes_command)
    app.command("report")(report_command)
