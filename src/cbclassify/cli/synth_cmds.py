"""``cbclassify synth``: generate a synthetic practice (ledger + truth) into a folder."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from cbclassify.cli.options import date_option
from cbclassify.contract.enums import CREDIT_SOURCES
from cbclassify.synth import SynthConfig, SynthPractice, generate_practice, write_practice
from cbclassify.synth.catalog import PAYER_MIXES


def format_summary(practice: SynthPractice, out: Path, seconds: float) -> str:
    """A short plain-text summary of what was generated."""
    ledger, truth = practice.ledger, practice.truth
    lines = [
        f"Wrote a synthetic practice to {out} in {seconds:.1f} s",
        (
            f"  claims {ledger.claim_lines['claim_id'].nunique():,}, lines {len(ledger.claim_lines):,}, "
            f"transactions {len(ledger.transactions):,}, remittances {len(ledger.remittances):,}"
        ),
        (
            f"  injected credits {len(truth):,} (resolved {int(truth['resolved'].sum()):,}, "
            f"hard {int(truth['hard_case'].sum()):,}, mixed {int(truth['mixed'].sum()):,}); "
            f"resolutions rows {len(ledger.resolutions):,}"
        ),
        "  credits by source:",
    ]
    counts = truth["source"].value_counts()
    for source in CREDIT_SOURCES:
        lines.append(f"    {source:<18} {int(counts.get(source, 0)):>7,}")
    noisy = int((truth["resolved"] & (truth["label_source"] != truth["source"])).sum())
    lines.append(f"  labels differing from the true source (noise): {noisy:,}")
    return "\n".join(lines)


def synth(
    out: Annotated[
        Path, typer.Option("--out", help="Folder to write the ledger and synth_truth.csv into.")
    ],
    claims: Annotated[
        int, typer.Option("--claims", min=1, help="Number of claims (visits).")
    ] = 2000,
    seed: Annotated[
        int, typer.Option("--seed", help="Random seed; the same seed gives the same practice.")
    ] = 0,
    label_noise: Annotated[
        float,
        typer.Option(
            "--label-noise",
            min=0.0,
            max=1.0,
            help="Share of resolution labels with a wrong source.",
        ),
    ] = 0.0,
    payer_mix: Annotated[
        str, typer.Option("--payer-mix", help=f"One of: {', '.join(PAYER_MIXES)}.")
    ] = "default",
    fmt: Annotated[str, typer.Option("--format", help="csv or parquet.")] = "csv",
    credit_rate: Annotated[
        float,
        typer.Option(
            "--credit-rate", min=0.0, max=0.5, help="Share of claims with an injected credit."
        ),
    ] = 0.08,
    resolved_share: Annotated[
        float,
        typer.Option(
            "--resolved-share", min=0.0, max=1.0, help="Share of credits already resolved."
        ),
    ] = 0.6,
    hard_case_share: Annotated[
        float,
        typer.Option(
            "--hard-case-share", min=0.0, max=1.0, help="Share of credits that are hard cases."
        ),
    ] = 0.12,
    start_date: Annotated[
        date | None,
        date_option("--start-date", help="First service date (default 2025-01-01)."),
    ] = None,
    end_date: Annotated[
        date | None,
        date_option(
            "--end-date",
            help="Last day of the practice (its latest postings, the ledger's as-of); service "
            "dates start --months before it. Instead of --start-date.",
        ),
    ] = None,
    months: Annotated[int, typer.Option("--months", min=6, help="Months of service dates.")] = 18,
) -> None:
    """Generate a synthetic therapy practice with injected, labelled credit balances. The same
    seed and dates give the same practice."""
    if fmt not in ("csv", "parquet"):
        raise typer.BadParameter("must be csv or parquet", param_hint="--format")
    if payer_mix not in PAYER_MIXES:
        raise typer.BadParameter(
            f"must be one of {', '.join(PAYER_MIXES)}", param_hint="--payer-mix"
        )
    if start_date is not None and end_date is not None:
        raise typer.BadParameter(
            "give --start-date or --end-date, not both", param_hint="--end-date"
        )
    config = SynthConfig(
        claims=claims,
        seed=seed,
        label_noise=label_noise,
        resolved_share=resolved_share,
        credit_rate=credit_rate,
        hard_case_share=hard_case_share,
        payer_mix=payer_mix,
        start_date=start_date or SynthConfig.start_date,
        end_date=end_date,
        months=months,
    )
    started = time.perf_counter()
    practice = generate_practice(config)
    write_practice(practice, out, fmt="parquet" if fmt == "parquet" else "csv")
    typer.echo(format_summary(practice, out, time.perf_counter() - started))


def register(app: typer.Typer) -> None:
    """Add ``synth`` to the cbclassify app."""
    app.command("synth")(synth)
