"""Cost of reading a ``POST /api/v1/classify`` body, in-process: FastAPI's declared body
(``json.loads`` then validation, what the route does) against pydantic-core's one-pass
``model_validate_json``, over the requests ``bench_single_claim.py`` builds (one per credit of
a synthetic practice, with the patient's other claims). Prints p50 per body; asserts nothing.

    .venv/bin/python benchmarks/bench_classify_body.py [--claims 1200] [--repeat 30]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_single_claim import practice_bodies

from api.schemas_classify import ClassifyIn


def p50_ms(read: Callable[[str], object], bodies: list[str], repeat: int) -> float:
    """Median wall time of ``read(body)`` over every body, ``repeat`` times each."""
    times = []
    for body in bodies:
        for _ in range(repeat):
            start = time.perf_counter()
            read(body)
            times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--claims", type=int, default=1200)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args(argv)
    bodies = [json.dumps(b) for b in practice_bodies(args.claims, args.seed, others=True)][:40]
    sizes = sorted(len(b) for b in bodies)
    print(f"{len(bodies)} bodies, p50 {sizes[len(sizes) // 2]:,} bytes, max {sizes[-1]:,}")
    for _ in range(2):
        declared = p50_ms(lambda b: ClassifyIn.model_validate(json.loads(b)), bodies, args.repeat)
        one_pass = p50_ms(ClassifyIn.model_validate_json, bodies, args.repeat)
        print(
            f"declared body (json.loads + validate) p50 {declared:.3f} ms; "
            f"model_validate_json p50 {one_pass:.3f} ms"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
