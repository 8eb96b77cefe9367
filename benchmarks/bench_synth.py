"""Benchmark the synthetic practice generator.

Usage: ``.venv/bin/python benchmarks/bench_synth.py [--lines 1000000] [--seed 0]``.
Prints wall seconds, claim lines, transactions, injected credits and peak RSS. The goal for
1,000,000 lines is under 60 s and a few GB on a 2-core machine; this script only measures.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time

from cbclassify.synth import SynthConfig, generate_practice

#: Average lines per claim of the default mix (measured), used to size the run.
LINES_PER_CLAIM = 2.41


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000, help="target number of claim lines")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--payer-mix", default="default")
    args = parser.parse_args(argv)
    claims = max(1, round(args.lines / LINES_PER_CLAIM))
    started = time.perf_counter()
    practice = generate_practice(
        SynthConfig(claims=claims, seed=args.seed, payer_mix=args.payer_mix)
    )
    seconds = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    lines = len(practice.ledger.claim_lines)
    txns = len(practice.ledger.transactions)
    print(
        f"synth: claims={claims:,} lines={lines:,} transactions={txns:,} credits={len(practice.truth):,}"
    )
    print(
        f"synth: seconds={seconds:.1f} lines_per_second={lines / seconds:,.0f} "
        f"peak_rss_gib={peak_kib / 1024**2:.2f} target_seconds=60 ratio={seconds / 60:.2f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
