"""``cbclassify demo``: the main job on the embedded default, end to end, for a newcomer.

Generates a synthetic therapy practice, validates and loads it, and shows its credit-balance
worklist; later steps (train, score, explain, report, serve) join as they land. Files and SQLite
only, under the data directory (``CBCLASSIFY_DATA_DIR``, default ``.cbclassify/``).
"""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from cbclassify.cli.options import date_option
from cbclassify.settings import Settings, get_settings

DEMO_SHOWN = 15


def register(app: typer.Typer) -> None:
    """Add the ``demo`` command to ``app``."""
    app.command("demo")(demo)


class _Steps:
    """Numbered, timed step headers a biller can follow."""

    def __init__(self, console: Console, total: int) -> None:
        self.console, self.total, self.done = console, total, 0

    def start(self, title: str) -> float:
        self.done += 1
        self.console.rule(f"[bold]Step {self.done}/{self.total}: {title}", align="left")
        return time.perf_counter()

    def finish(self, started: float) -> None:
        self.console.print(f"[dim]({time.perf_counter() - started:.1f} s)[/dim]\n")


def _generate(console: Console, ledger_dir: Path, claims: int, seed: int, end: date) -> None:
    from cbclassify.synth import SynthConfig, generate_practice, write_practice

    practice = generate_practice(SynthConfig(claims=claims, seed=seed, end_date=end))
    write_practice(practice, ledger_dir)
    ledger = practice.ledger
    console.print(
        f"A synthetic PT/OT/speech/ABA/behavioral-health practice: "
        f"{ledger.claim_lines['claim_id'].nunique():,} claims, {len(ledger.claim_lines):,} "
        f"claim lines, {len(ledger.transactions):,} postings, {len(ledger.payers):,} payers, "
        f"{len(ledger.resolutions):,} credits already resolved by billers; its books run to "
        f"{ledger.default_as_of():%Y-%m-%d}.\n"
        f"Written to {ledger_dir} (no real patient data: every identifier is made up)."
    )


def _load(console: Console, ledger_dir: Path):
    from cbclassify.ledger_io import read_ledger

    ledger = read_ledger(ledger_dir)
    console.print(
        f"The ledger passed every check of the ledger contract "
        f"(docs/ledger.md); balances are taken as of {ledger.default_as_of():%Y-%m-%d}."
    )
    return ledger


def _worklist(console: Console, ledger, out: Path) -> None:
    from cbclassify.balances.worklist import build_worklist
    from cbclassify.balances.worklist_export import summarize_worklist, to_export_frame
    from cbclassify.balances.worklist_query import sort_worklist
    from cbclassify.cli.worklist_cmds import render_table

    built = build_worklist(ledger)
    as_of = built.attrs["as_of"]
    ordered = sort_worklist(built, by=["age_days"], descending=[True])
    console.print(render_table(ordered.head(DEMO_SHOWN), as_of))
    console.print(
        f"Oldest {min(DEMO_SHOWN, len(ordered))} shown. {summarize_worklist(ordered).sentence()}."
    )
    from cbclassify.csv_cells import formula_safe_frame

    formula_safe_frame(to_export_frame(ordered, as_of=as_of)).to_csv(out, index=False)
    console.print(f"The whole worklist is in {out}.")


def _report(console: Console, ledger_dir: Path, out: Path, settings: Settings) -> None:
    from cbclassify.cli.report_cmds import write_ledger_report

    path, notes = write_ledger_report(ledger_dir, out, settings=settings)
    for note in notes:
        console.print(note)
    console.print(f"The manager's report (one HTML file, open it in any browser): {path.resolve()}")


def _train(console: Console, ledger_dir: Path) -> None:
    from cbclassify.cli.model_cmds import promote_command, train_command

    train_command([ledger_dir])
    try:
        promote_command()
    except typer.Exit:  # not promoted: the current champion stays (the reason was printed)
        pass


def _score(console: Console, ledger_dir: Path, out: Path) -> None:
    import pandas as pd

    from cbclassify.cli.model_cmds import score_command
    from cbclassify.contract.money import dollars

    score_command(ledger_dir, out=out)
    scores = pd.read_csv(out, dtype=str, keep_default_na=False)
    confirmed = scores[scores["verification"] == "confirmed"]
    console.print(
        f"{len(confirmed):,} of {len(scores):,} credits are confirmed by the ledger to the cent "
        f"and carry a recommended action; the rest go to manual review with the reason."
    )
    table = Table(title="Confirmed credits, earliest due date first", title_justify="left")
    for name in (
        "Claim",
        "Credit",
        "Source (verified)",
        "Model confidence",
        "Action",
        "Due",
        "Strongest reason",
    ):
        table.add_column(
            name, justify="right" if name in ("Credit", "Model confidence") else "left"
        )
    shown = confirmed.assign(_due=confirmed["due_date"].replace("", "9999-12-31"))
    for _, row in shown.sort_values("_due").head(DEMO_SHOWN).iterrows():
        cents = round(float(row["credit_amount"]) * 100)
        table.add_row(
            row["claim_id"],
            dollars(cents),
            _source_text(row),
            f"{float(row['confidence']):.0%}",
            row["recommended_action"].replace("_", " "),
            row["due_date"],
            row["top_reasons"].split(";")[0],
        )
    console.print(table)
    console.print(f"Every credit with its probabilities, evidence and reasons: {out}")


def _serve(
    console: Console, settings: Settings, ledger_dir: Path, demo_dir: Path, port: int
) -> None:
    from api.web.demo import serve_demo

    console.print(
        f"Open http://127.0.0.1:{port}/ and sign in with a user printed below "
        "(biller, manager, auditor, data_scientist, admin). Ctrl+C stops the server."
    )
    serve_demo(settings.data_dir, ledger_dir, port=port, report_html=demo_dir / "report.html")


def _source_text(row) -> str:
    """The verified source, noting when the model predicted another one."""
    verified = row["verified_source"].replace("_", " ")
    predicted = row["predicted_source"].replace("_", " ")
    return verified if verified == predicted else f"{verified} (model said {predicted})"


def demo(
    claims: Annotated[int, typer.Option(help="Claims in the synthetic practice.")] = 8000,
    seed: Annotated[int, typer.Option(help="Random seed of the synthetic practice.")] = 7,
    serve: Annotated[
        bool, typer.Option(help="End by serving the web worklist on localhost (Ctrl+C stops it).")
    ] = True,
    port: Annotated[
        int, typer.Option(min=1, max=65535, help="Port of the demo server on 127.0.0.1.")
    ] = 8000,
    end_date: Annotated[
        date | None,
        date_option(
            "--end-date",
            help="Last day of the synthetic practice (default: today, so due dates and "
            "'overdue' read as of the day the demo runs).",
        ),
    ] = None,
) -> None:
    """Run the main job on a synthetic practice, with files and SQLite only."""
    from cbclassify.cli.worklist_cmds import _console

    console = _console()
    settings = get_settings()
    demo_dir = settings.data_dir / "demo"
    ledger_dir = demo_dir / "ledger"
    demo_dir.mkdir(parents=True, exist_ok=True)
    plan = [
        (
            "generate a synthetic practice",
            lambda: _generate(console, ledger_dir, claims, seed, end_date or date.today()),
        ),
        ("validate and load the ledger", lambda: _load(console, ledger_dir)),
        (
            "the credit-balance worklist",
            lambda: _worklist(console, _load_quietly(ledger_dir), demo_dir / "worklist.csv"),
        ),
        (
            "train the source classifier on the credits billers resolved",
            lambda: _train(console, ledger_dir),
        ),
        (
            "score, verify and recommend",
            lambda: _score(console, ledger_dir, demo_dir / "predictions.csv"),
        ),
        (
            "the manager's report",
            lambda: _report(console, ledger_dir, demo_dir / "report.html", settings),
        ),
    ]
    if serve:
        plan.append(
            (
                "serve the worklist, case workflow and audit trail",
                lambda: _serve(console, settings, ledger_dir, demo_dir, port),
            )
        )
    steps = _Steps(console, total=len(plan))
    for title, run in plan:
        started = steps.start(title)
        run()
        steps.finish(started)
    console.print(f"[bold]Done.[/bold] Everything is under {demo_dir.resolve()}.")


def _load_quietly(ledger_dir: Path):
    from cbclassify.ledger_io import read_ledger

    return read_ledger(ledger_dir)
