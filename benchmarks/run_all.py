"""Run the timing benchmarks one after another and print each one's figures (``make bench``).

Each script measures its own baseline in the same run and prints ratios; run this on a quiet
machine. ``--lines`` scales the ledger-sized benchmarks (default 1,000,000 claim lines).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def benchmarks(lines: int) -> list[list[str]]:
    """The benchmark command lines, cheapest first."""
    return [
        ["bench_synth.py", "--lines", str(lines)],
        ["bench_ledger_load.py", "--lines", str(lines)],
        ["bench_worklist.py", "--lines", str(lines)],
        ["bench_features.py", "--claims", str(int(lines / 2.4))],
        ["bench_verify.py", "--lines", str(lines)],
        ["bench_train_score.py"],
        ["bench_explain.py"],
        ["bench_single_claim.py"],
        ["bench_web_worklist.py"],
        ["bench_portfolio.py"],
        ["../training/eval_redteam.py"],
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--only", nargs="*", help="script names to run (default: all)")
    args = parser.parse_args()
    failures = 0
    for script, *rest in benchmarks(args.lines):
        if args.only and script not in args.only:
            continue
        print(f"\n=== {script} {' '.join(rest)}", flush=True)
        started = time.perf_counter()
        code = subprocess.call([sys.executable, str(HERE / script), *rest])
        print(f"=== {script}: exit {code}, {time.perf_counter() - started:.1f} s", flush=True)
        failures += code != 0
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
