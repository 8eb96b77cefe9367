"""Benchmark: read + validate a large ledger folder (CSV and Parquet).

Goal (issue 2): 1M claim lines + ~3M transactions validated in a few seconds. Prints the
seconds per stage and rows per second; no assertion. Usage:

    .venv/bin/python benchmarks/bench_ledger_load.py [--lines 1000000] [--formats csv,parquet]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pv
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _fallback_ledger import fallback_ledger

from cbclassify.contract.schema import TABLES
from cbclassify.contract.validate import validate_ledger_frames
from cbclassify.ledger_io.read import check_ledger_dir
from cbclassify.ledger_io.write import to_contract_frame


def _write(ledger, folder: Path, fmt: str) -> dict:
    """Write contract text tables with pyarrow (fast), returning the text frames."""
    folder.mkdir(parents=True, exist_ok=True)
    texts = {}
    for name, table in TABLES.items():
        frame = ledger.table(name)
        if not table.required and frame.empty:
            continue
        text = to_contract_frame(table, frame).astype("string")
        texts[name] = text
        arrow = pa.Table.from_pandas(text, preserve_index=False)
        if fmt == "csv":
            pv.write_csv(arrow, folder / f"{name}.csv")
        else:
            pq.write_table(arrow, folder / f"{name}.parquet")
    return texts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--formats", default="csv,parquet")
    args = parser.parse_args()
    started = time.perf_counter()
    ledger = fallback_ledger(args.lines)
    n_lines, n_txns = len(ledger.claim_lines), len(ledger.transactions)
    print(
        f"ledger: {n_lines:,} claim lines, {n_txns:,} transactions "
        f"(built in {time.perf_counter() - started:.1f}s)"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for fmt in args.formats.split(","):
            folder = Path(tmp) / fmt
            started = time.perf_counter()
            texts = _write(ledger, folder, fmt)
            size = sum(p.stat().st_size for p in folder.iterdir())
            print(f"[{fmt}] written {size / 1e6:,.0f} MB in {time.perf_counter() - started:.1f}s")
            rows = n_lines + n_txns
            (pure, pure_cpu), _ = _timed(partial(validate_ledger_frames, texts))
            (total, total_cpu), checked = _timed(partial(check_ledger_dir, folder))
            assert not checked.issues, checked.issues[:5]
            print(
                f"[{fmt}] validate only (pure, in memory): {pure:.2f}s wall, {pure_cpu:.2f}s "
                f"CPU ({rows / pure / 1e6:.2f}M rows/s)"
            )
            print(
                f"[{fmt}] read + validate folder:          {total:.2f}s wall, "
                f"{total_cpu:.2f}s CPU ({rows / total / 1e6:.2f}M rows/s)"
            )
            del checked
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"peak memory of this process: {peak:,.0f} MB; load average now "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )


def _timed(work):
    """(wall seconds, CPU seconds of this process), result."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    return (time.perf_counter() - wall, time.process_time() - cpu), result


if __name__ == "__main__":
    main()
