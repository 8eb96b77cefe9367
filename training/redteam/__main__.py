"""CLI: python -m training.redteam --out DIR --seed N [--scale S]"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from . import generate


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m training.redteam", description=__doc__)
    ap.add_argument("--out", required=True, type=Path, help="output folder")
    ap.add_argument("--seed", required=True, type=int)
    ap.add_argument("--scale", type=str, default="1.0", help="multiplies claim and instance counts")
    args = ap.parse_args(argv)
    scale = float(args.scale)  # a volume factor, never money
    t0 = time.perf_counter()
    results = generate(args.out, args.seed, scale)
    for r in results:
        credits = sum(1 for row in r.truth if row["is_credit_at_asof"] == "true")
        resolved = sum(1 for row in r.truth if row["resolved"] == "true")
        print(f"{r.key}: {r.claims} claims, {credits} open credits, {resolved} resolved 2025 credits, "
              f"{len(r.exceptions)} remittance exceptions, {r.seconds:.1f}s"
              + (f", shortages {r.shortages}" if r.shortages else ""))
    print(f"total {time.perf_counter() - t0:.1f}s -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
