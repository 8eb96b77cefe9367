"""Benchmark: explaining the whole worklist, naive shap vs cbclassify's FastExplainer.

Goal (issue 5): at least 10x the naive ``shap.TreeExplainer(model).shap_values(X)`` path on the
same 4-class, ~200-round LightGBM model, with identical values. Trains that model on synthetic
features (default 40 features, 20,000 rows), then in ONE run:

* naive: ``shap.TreeExplainer(model).shap_values(X)`` on the first ``--naive-rows`` rows
  (it computes every class; shap delegates to LightGBM's pred_contrib with default threads);
* fast: ``FastExplainer(model).explain(X)`` on all rows: predicted class from the raw margins,
  TreeSHAP of that class only through per-leaf lookup tables. Timed cold (tables built inside
  the timing), warm (tables built), with 2 threads, and again on an unchanged worklist through
  the row-hash cache.

Prints rows/s (wall clock and per CPU-second, since the machine may be shared), the ratios and
the largest |difference| between the naive values of each row's predicted class and ours.

Then, per batch size (1 row, as one claim's request, up to a worklist of ``--rows``), the median
time of the two codes that could explain it: ``FastExplainer.explain`` (lookup tables, warm) and
LightGBM's ``pred_contrib`` (every class, C++). FastExplainer has one path for every size (issue
15); this table is the measurement behind that choice. No assertion; results also go to
benchmarks/out/bench_explain.json. Usage:

    .venv/bin/python benchmarks/bench_explain.py [--rows 20000] [--naive-rows 3000]
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np
import pandas as pd

from cbclassify.explain import ExplanationCache, FastExplainer
from cbclassify.explain.contributions import lightgbm_contributions

OUT = Path(__file__).resolve().parent / "out" / "bench_explain.json"


def synthetic_features(rows: int, features: int, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    """Continuous features, some missing, and a 4-class label that depends on a dozen of them."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, features))
    x[rng.random(x.shape) < 0.05] = np.nan
    filled = np.nan_to_num(x)
    logits = filled[:, :8] @ rng.normal(size=(8, 4)) + np.sin(
        filled[:, 8:12] @ rng.normal(size=(4, 4))
    )
    y = np.argmax(logits + rng.gumbel(size=(rows, 4)), axis=1)
    return pd.DataFrame(x, columns=[f"feature_{i:02d}" for i in range(features)]), y


def timed(fn: Callable[[], Any]) -> tuple[Any, float, float]:
    """(result, wall seconds, CPU seconds of this process)."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def median_ms(fn: Callable[[], Any], repeat: int) -> float:
    """Median wall time of ``fn`` over ``repeat`` calls, in milliseconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return float(np.median(times))


def by_batch_size(model: Any, frame: pd.DataFrame, sizes: list[int]) -> dict[str, dict[str, float]]:
    """Median ms of the lookup tables (FastExplainer, warm, 1 thread) and of LightGBM's
    pred_contrib (1 thread) per batch size; the predicted class is given to both."""
    explainer = FastExplainer(model).prepare()
    matrix = frame.to_numpy(dtype="float64")
    predicted = explainer.explain(frame.head(1)).predicted
    out: dict[str, dict[str, float]] = {}
    for size in sizes:
        x = matrix[:size]
        chosen = np.resize(predicted, size)
        repeat = max(3, min(200, 20_000 // size))
        out[str(size)] = {
            "tables_ms": median_ms(lambda x=x, chosen=chosen: explainer.explain(x, chosen), repeat),
            "pred_contrib_ms": median_ms(
                lambda x=x: lightgbm_contributions(model, x, threads=1), repeat
            ),
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=20_000, help="rows to train on and explain")
    parser.add_argument("--features", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument(
        "--naive-rows", type=int, default=3_000, help="rows for the (slow) naive path"
    )
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()

    import shap

    frame, y = synthetic_features(args.rows, args.features, args.seed)
    params = {"objective": "multiclass", "num_class": 4, "verbosity": -1, "seed": args.seed}
    model, train_s, _ = timed(lambda: lgb.train(params, lgb.Dataset(frame, y), args.rounds))
    print(
        f"trained 4-class x {args.rounds}-round model ({model.num_trees()} trees, "
        f"{args.features} features) on {args.rows:,} rows in {train_s:.1f} s"
    )

    naive_x = frame.head(args.naive_rows)
    naive, naive_wall, naive_cpu = timed(lambda: shap.TreeExplainer(model).shap_values(naive_x))
    naive_rate = len(naive_x) / naive_wall
    print(
        f"naive shap.TreeExplainer: {len(naive_x):,} rows in {naive_wall:.1f} s = "
        f"{naive_rate:,.0f} rows/s ({len(naive_x) / naive_cpu:,.0f} rows per CPU-s)"
    )

    cold_explainer = FastExplainer(model)
    cold, cold_wall, cold_cpu = timed(lambda: cold_explainer.explain(frame))
    tables_s = timed(lambda: FastExplainer(model).prepare())[1]
    warm_explainer = FastExplainer(model).prepare()
    warm, warm_wall, warm_cpu = timed(lambda: warm_explainer.explain(frame))
    threaded_explainer = FastExplainer(model, threads=2).prepare()
    threaded, thr_wall, _ = timed(lambda: threaded_explainer.explain(frame))

    cached_explainer = FastExplainer(model, threads=2).prepare()
    cached_explainer.cache = ExplanationCache(cached_explainer.fingerprint(), args.features + 1)
    cached_explainer.explain(frame)
    _, cache_wall, _ = timed(lambda: cached_explainer.explain(frame))

    picked = np.transpose(np.asarray(naive), (0, 2, 1))[
        np.arange(len(naive_x)), cold.predicted[: len(naive_x)]
    ]
    diff = float(np.abs(picked - cold.contributions[: len(naive_x)]).max())
    diff_threads = float(np.abs(threaded.contributions - warm.contributions).max())
    results = {
        "rows": args.rows,
        "features": args.features,
        "rounds": args.rounds,
        "naive_rows_per_s": naive_rate,
        "naive_rows_per_cpu_s": len(naive_x) / naive_cpu,
        "fast_cold_rows_per_s": args.rows / cold_wall,
        "fast_warm_rows_per_s": args.rows / warm_wall,
        "fast_warm_rows_per_cpu_s": args.rows / warm_cpu,
        "fast_2_threads_rows_per_s": args.rows / thr_wall,
        "cached_rerun_rows_per_s": args.rows / cache_wall,
        "table_build_s": tables_s,
        "ratio_cold": (args.rows / cold_wall) / naive_rate,
        "ratio_warm": (args.rows / warm_wall) / naive_rate,
        "ratio_2_threads": (args.rows / thr_wall) / naive_rate,
        "ratio_per_cpu_s": (args.rows / warm_cpu) / (len(naive_x) / naive_cpu),
        "ratio_cold_per_cpu_s": (args.rows / cold_cpu) / (len(naive_x) / naive_cpu),
        "max_abs_diff_vs_naive": diff,
        "max_abs_diff_threads": diff_threads,
    }
    print(
        f"fast, cold (incl. {tables_s:.1f} s one-off table build): {results['fast_cold_rows_per_s']:,.0f} rows/s"
        f"  -> {results['ratio_cold']:.1f}x naive (per CPU-second: {results['ratio_cold_per_cpu_s']:.1f}x)"
    )
    print(
        f"fast, warm, 1 thread: {results['fast_warm_rows_per_s']:,.0f} rows/s -> {results['ratio_warm']:.1f}x naive"
        f" (per CPU-second: {results['ratio_per_cpu_s']:.1f}x)"
    )
    print(
        f"fast, warm, 2 threads: {results['fast_2_threads_rows_per_s']:,.0f} rows/s -> "
        f"{results['ratio_2_threads']:.1f}x naive"
    )
    print(
        f"unchanged worklist again, from the cache: {results['cached_rerun_rows_per_s']:,.0f} rows/s"
    )
    print(
        f"max |naive - fast| on the predicted class: {diff:.2e}; threads vs 1 thread: {diff_threads:.2e}"
    )
    sizes = sorted({1, 8, 64, 1000, min(args.rows, 10_000)})
    results["by_batch_size"] = by_batch_size(model, frame, sizes)
    print("\nper batch size, median ms (FastExplainer tables, warm | LightGBM pred_contrib):")
    for size, row in results["by_batch_size"].items():
        print(f"  {int(size):>6,} rows: {row['tables_ms']:9.2f} | {row['pred_contrib_ms']:9.2f}")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(results, indent=2), encoding="utf-8")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
