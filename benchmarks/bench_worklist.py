"""Benchmark: the credit-balance worklist on a large ledger (issue 2 goal: 1M claim lines, 30 s).

Times, for a ledger of N claim lines written as Parquet and as CSV:
  1. read + validate (``ledger_io.read_ledger``),
  2. ``balances.build_worklist`` on the loaded ledger,
  3. the whole ``cbclassify worklist LEDGER_DIR --out FILE`` command in a fresh process,
and a baseline measured in the same run: a naive per-claim ``groupby().apply`` (balance, running
balance for credit_since, header facts) on a 1% sample of claims, extrapolated to all claims, so the
speed-up of the vectorized build is visible. It also checks that the baseline and the build agree
on the sampled claims. Prints figures and ratios; asserts nothing about time.

The ledger comes from ``cbclassify.synth.generate_practice`` (about 2.4 lines per claim) and is
cached under ``benchmarks/out/`` (gitignored); when synth is unavailable a minimal numpy generator
(``_fallback_ledger``) is used and the output says so. Usage:

    .venv/bin/python benchmarks/bench_worklist.py [--lines 1000000] [--formats parquet,csv]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from cbclassify.balances import build_worklist, signed_balance_effect
from cbclassify.contract.ledger import Ledger
from cbclassify.ledger_io import read_ledger, write_ledger

T = TypeVar("T")
GOAL_SECONDS = 30.0
LINES_PER_CLAIM = 2.4  # synth's average
_FALLBACK_APP = (
    "import typer; from cbclassify.cli import worklist_cmds; app = typer.Typer(); "
    "worklist_cmds.register(app); app.command('noop')(lambda: None); app()"
)


def generate(lines: int, seed: int) -> tuple[Ledger, str]:
    """A ledger of about ``lines`` claim lines and the name of the generator used."""
    try:
        from cbclassify.synth import SynthConfig, generate_practice

        claims = max(1, round(lines / LINES_PER_CLAIM))
        return generate_practice(SynthConfig(claims=claims, seed=seed)).ledger, "cbclassify.synth"
    except Exception as exc:  # noqa: BLE001 - synth missing or failing: use the fallback
        from _fallback_ledger import fallback_ledger

        reason = f"{type(exc).__name__}: {exc}"
        return fallback_ledger(lines, seed), f"benchmarks/_fallback_ledger.py (synth: {reason})"


def cached_ledger(
    lines: int, seed: int, formats: list[str], regenerate: bool = False
) -> tuple[Path, dict]:
    """Folders ``<root>/<fmt>`` holding the ledger, generated and written once per size/seed."""
    root = HERE / "out" / f"worklist-ledger-{lines}-s{seed}"
    meta_path = root / "meta.json"
    meta = json.loads(meta_path.read_text()) if meta_path.exists() and not regenerate else {}
    missing = [f for f in formats if f not in meta.get("formats", [])]
    if missing:
        started = time.perf_counter()
        ledger, source = generate(lines, seed)
        generated = time.perf_counter() - started
        for fmt in sorted(set(missing) | set(meta.get("formats", []))):
            write_ledger(ledger, root / fmt, fmt=fmt)  # type: ignore[arg-type]
        meta = {
            "source": source,
            "claim_lines": len(ledger.claim_lines),
            "claims": int(ledger.claim_lines["claim_id"].nunique()),
            "transactions": len(ledger.transactions),
            "generate_seconds": round(generated, 1),
            "formats": sorted(set(formats) | set(meta.get("formats", []))),
        }
        meta_path.write_text(json.dumps(meta, indent=2))
    return root, meta


def cpu_seconds(who: int = resource.RUSAGE_SELF) -> float:
    """User + system CPU seconds used so far by this process (or its finished children)."""
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def report(label: str, wall: float, cpu: float, note: str = "") -> None:
    """One result line: wall and CPU seconds, and the wall time as a share of the goal."""
    print(
        f"  {label:<40} wall {wall:7.2f} s   cpu {cpu:7.2f} s   "
        f"{wall / GOAL_SECONDS:6.1%} of the 30 s goal{note}"
    )


def timed(label: str, func: Callable[[], T]) -> tuple[float, T]:
    """Run ``func`` once; print wall and CPU time; return (wall seconds, result)."""
    started, cpu_started = time.perf_counter(), cpu_seconds()
    result = func()
    wall = time.perf_counter() - started
    report(label, wall, cpu_seconds() - cpu_started)
    return wall, result


def run_cli(folder: Path, out_file: Path) -> tuple[float, float, str]:
    """``cbclassify worklist`` in a fresh interpreter: (wall s, CPU s, how it was invoked)."""
    args = ["worklist", str(folder), "--out", str(out_file)]
    commands = [
        ([sys.executable, "-m", "cbclassify.cli.main", *args], "cbclassify (cli.main)"),
        (
            [sys.executable, "-c", _FALLBACK_APP, *args],
            "worklist command alone: cli.main did not import",
        ),
    ]
    for command, how in commands:
        started, cpu_started = time.perf_counter(), cpu_seconds(resource.RUSAGE_CHILDREN)
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - started
        cpu = cpu_seconds(resource.RUSAGE_CHILDREN) - cpu_started
        if done.returncode == 0:
            return wall, cpu, how
        if "ModuleNotFoundError" not in done.stderr and "ImportError" not in done.stderr:
            raise RuntimeError(f"worklist command failed:\n{done.stderr[-2000:]}")
    raise RuntimeError("the worklist command could not be run")


def startup_cost() -> tuple[float, float]:
    """(wall s, CPU s) of a fresh interpreter importing the CLI: paid by every command."""
    started, cpu_started = time.perf_counter(), cpu_seconds(resource.RUSAGE_CHILDREN)
    subprocess.run(
        [sys.executable, "-c", "import cbclassify.cli.main"], check=False, capture_output=True
    )
    return time.perf_counter() - started, cpu_seconds(resource.RUSAGE_CHILDREN) - cpu_started


def naive_claim(claim: pd.DataFrame) -> pd.Series:
    """The per-claim way (what the vectorized build replaces): one claim's events in Python."""
    events = claim.sort_values("date")
    running, since, last_posted = 0, pd.NaT, pd.NaT
    for date, day in events.groupby("date", sort=True):
        running += int(day["delta_cents"].sum())
        since = (since if pd.notna(since) else date) if running <= -1 else pd.NaT
        if (~day["is_charge"]).any():
            last_posted = date
    charges = events[events["is_charge"]]
    if pd.notna(since) and since < charges["date"].min():  # not older than the claim
        since = charges["date"].min()
    first = charges.sort_values("line_no").iloc[0]
    return pd.Series(
        {
            "balance_cents": running,
            "credit_since": since,
            "last_posted_date": last_posted,
            "patient_id": first["patient_id"],
            "location_id": first["location_id"],
        }
    )


def naive_baseline(
    ledger: Ledger, share: float, max_claims: int, seed: int
) -> tuple[float, pd.DataFrame, int]:
    """Per-claim groupby-apply on a sample of claims: (seconds for the sample, result, claims
    in the sample). Only the apply is timed; building the event table is not."""
    lines, txns = ledger.claim_lines, ledger.transactions
    claim_ids = pd.Series(lines["claim_id"].unique())
    size = max(1, min(max_claims, round(len(claim_ids) * share)))
    sample = set(claim_ids.sample(n=size, random_state=seed))
    lines = lines[lines["claim_id"].isin(sample)]
    txns = txns[txns["claim_id"].isin(sample)]
    events = pd.concat(
        [
            lines.assign(
                date=lines["billed_date"], delta_cents=lines["charge_amount_cents"], is_charge=True
            )[
                [
                    "claim_id",
                    "line_no",
                    "patient_id",
                    "location_id",
                    "date",
                    "delta_cents",
                    "is_charge",
                ]
            ],
            txns.assign(
                date=txns["posted_date"], delta_cents=signed_balance_effect(txns), is_charge=False
            )[["claim_id", "line_no", "date", "delta_cents", "is_charge"]],
        ],
        ignore_index=True,
    )
    events = events[events["date"] <= ledger.default_as_of()]
    started = time.perf_counter()
    result = events.groupby("claim_id").apply(naive_claim)
    return time.perf_counter() - started, result, len(sample)


def check_agreement(naive: pd.DataFrame, worklist: pd.DataFrame) -> str:
    """Whether the baseline's credits on the sample equal the build's (claims, amounts, dates)."""
    credits = naive[naive["balance_cents"] <= -1]
    built = worklist.set_index("claim_id").reindex(credits.index)
    same = (
        built["credit_amount_cents"].notna().all()
        and (built["credit_amount_cents"].astype("int64") == -credits["balance_cents"]).all()
        and (built["credit_since"] == credits["credit_since"]).all()
        and len(set(worklist["claim_id"]) & set(naive.index)) == len(credits)
    )
    return f"{'agree' if same else 'DISAGREE'} on {len(credits):,} sampled credits"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--lines", type=int, default=1_000_000, help="claim lines (approx.)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--formats", default="parquet,csv")
    parser.add_argument("--baseline-share", type=float, default=0.01)
    parser.add_argument(
        "--baseline-max-claims",
        type=int,
        default=1000,
        help="cap on the baseline sample (it is slow by design)",
    )
    parser.add_argument("--regenerate", action="store_true", help="ignore the cached ledger")
    args = parser.parse_args()
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]

    started = time.perf_counter()
    root, meta = cached_ledger(args.lines, args.seed, formats, args.regenerate)
    print(
        f"ledger: {meta['claim_lines']:,} claim lines, {meta['claims']:,} claims, "
        f"{meta['transactions']:,} transactions; generator: {meta['source']} "
        f"(ready in {time.perf_counter() - started:.1f} s; cached in {root})"
    )

    import_s, import_cpu = startup_cost()
    print("startup:")
    report(
        "python -c 'import cbclassify.cli.main'",
        import_s,
        import_cpu,
        "   (included in every whole-command figure)",
    )
    totals: dict[str, float] = {}
    ledger: Ledger | None = None
    for fmt in formats:
        print(f"{fmt}:")
        read_s, loaded = timed("read + validate (read_ledger)", lambda f=fmt: read_ledger(root / f))
        ledger = ledger or loaded
        build_s, worklist = timed("build_worklist", lambda led=loaded: build_worklist(led))
        cli_s, cli_cpu, how = run_cli(root / fmt, HERE / "out" / f"worklist-{fmt}.csv")
        report("whole command, fresh process", cli_s, cli_cpu, f"   [{how}]")
        totals[fmt] = cli_s
        print(f"  credits: {len(worklist):,}; read+build wall {read_s + build_s:.2f} s")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak memory of the command: {peak:,.0f} MiB")

    assert ledger is not None
    print(
        f"baseline (naive per-claim groupby-apply on {args.baseline_share:.0%} of claims, "
        f"at most {args.baseline_max_claims:,}):"
    )
    build_s, worklist = timed("build_worklist (for comparison)", lambda: build_worklist(ledger))
    sample_s, naive, sampled = naive_baseline(
        ledger, args.baseline_share, args.baseline_max_claims, args.seed
    )
    projected = sample_s * meta["claims"] / max(sampled, 1)
    print(
        f"  naive on {sampled:,} claims: {sample_s:.2f} s -> {projected:,.0f} s projected for "
        f"all claims (balances, credit_since, header facts only)"
    )
    print(
        f"  vectorized build_worklist is {projected / build_s:,.0f}x faster; "
        f"{check_agreement(naive, worklist)}"
    )
    load = os.getloadavg()[0]
    cores = os.cpu_count() or 1
    if load > cores:
        print(
            f"note: load average {load:.1f} on {cores} cores during this run; wall times are "
            "inflated by other processes, CPU seconds are the load-independent figure"
        )
    worst = max(totals.values())
    print(
        f"verdict: slowest whole command {worst:.2f} s = {worst / GOAL_SECONDS:.0%} of the "
        f"30 s goal ({'met' if worst <= GOAL_SECONDS else 'NOT met'}) at "
        f"{meta['claim_lines']:,} lines"
    )


if __name__ == "__main__":
    main()
