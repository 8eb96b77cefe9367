"""Bounded load test of single-claim classify + explain + verify against a running server.

Loopback only, a fixed number of requests, N concurrent clients (default 20). Prints p50, p90,
p99, max latency and throughput. Goal (issue 6): p50 < 20 ms, p99 < 100 ms at 20 clients on
2 cores.

    cbclassify serve &                                   # champion loaded at start-up
    TOKEN=$(cbclassify users token alice --name bench)   # a user with the classify permission
    python benchmarks/load_classify.py --token "$TOKEN" --requests 2000 --concurrency 20
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

import httpx

LOOPBACK = {"127.0.0.1", "localhost", "::1"}

#: One claim with a patient credit of 20.00 (the patient paid the copay twice).
DEFAULT_BODY = {
    "payers": [{"payer_id": "C1", "payer_name": "Acme", "payer_type": "commercial"}],
    "patients": [{"patient_id": "PT2", "state": "NJ"}],
    "claim_lines": [{"claim_id": "CL2", "line_no": 1, "patient_id": "PT2", "payer_id": "C1",
                     "location_id": "LOC1", "provider_id": "PR2", "service_date": "2024-01-08",
                     "cpt": "92507", "units": 1, "charge_amount": "150.00",
                     "billed_date": "2024-01-09"}],
    "transactions": [
        {"txn_id": "T08", "claim_id": "CL2", "line_no": 1, "kind": "payment", "source": "payer",
         "payer_id": "C1", "amount": "100.00", "allowed_amount": "120.00", "method": "check",
         "posted_date": "2024-01-30", "posted_by": "u1"},
        {"txn_id": "T09", "claim_id": "CL2", "line_no": 1, "kind": "adjustment", "source": "payer",
         "payer_id": "C1", "amount": "30.00", "group_code": "CO", "reason_code": "45",
         "method": "manual", "posted_date": "2024-01-30", "posted_by": "u1"},
        {"txn_id": "T10", "claim_id": "CL2", "line_no": 1, "kind": "responsibility",
         "source": "payer", "payer_id": "C1", "amount": "20.00", "group_code": "PR",
         "reason_code": "3", "method": "manual", "posted_date": "2024-01-30", "posted_by": "u1"},
        {"txn_id": "T11", "claim_id": "CL2", "kind": "payment", "source": "patient",
         "amount": "20.00", "method": "cash", "posted_date": "2024-01-08", "posted_by": "u1"},
        {"txn_id": "T12", "claim_id": "CL2", "kind": "payment", "source": "patient",
         "amount": "20.00", "method": "card", "posted_date": "2024-02-02", "posted_by": "u1"},
    ],
}  # fmt: skip


def percentile(sorted_values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank) of already sorted values."""
    if not sorted_values:
        return float("nan")
    rank = max(1, min(len(sorted_values), round(q / 100 * len(sorted_values) + 0.5)))
    return sorted_values[rank - 1]


def run(url: str, token: str, body: dict, requests: int, concurrency: int) -> dict[str, float]:
    """Send ``requests`` classify calls from ``concurrency`` clients; latency figures in ms."""
    latencies: list[float] = []
    errors: list[int] = []
    lock = threading.Lock()
    remaining = [requests]

    def client_loop() -> None:
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=url, headers=headers, timeout=30) as client:
            while True:
                with lock:
                    if remaining[0] == 0:
                        return
                    remaining[0] -= 1
                started = time.perf_counter()
                try:
                    status = client.post("/api/v1/classify", json=body).status_code
                except httpx.HTTPError:
                    status = 0  # timeout or connection error
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    if status == 200:
                        latencies.append(elapsed)
                    else:
                        errors.append(status)

    threads = [threading.Thread(target=client_loop) for _ in range(concurrency)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    ordered = sorted(latencies)
    return {
        "requests": requests, "concurrency": concurrency, "ok": len(latencies),
        "errors": len(errors), "wall_s": round(wall, 2),
        "throughput_rps": round(len(latencies) / wall, 1) if wall else 0.0,
        "p50_ms": round(percentile(ordered, 50), 1), "p90_ms": round(percentile(ordered, 90), 1),
        "p99_ms": round(percentile(ordered, 99), 1), "max_ms": round(ordered[-1], 1) if ordered else 0.0,
        "mean_ms": round(statistics.fmean(ordered), 1) if ordered else 0.0,
    }  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--token", default=os.environ.get("CBCLASSIFY_TOKEN"),
                        help="API token (or CBCLASSIFY_TOKEN)")  # fmt: skip
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=40)
    parser.add_argument("--body", type=Path, help="JSON body to send instead of the built-in claim")
    args = parser.parse_args(argv)
    if urlparse(args.url).hostname not in LOOPBACK:
        parser.error("load runs are for loopback servers only")
    if not args.token:
        parser.error("--token (or CBCLASSIFY_TOKEN) is required")
    if not 0 < args.requests <= 100_000 or not 0 < args.concurrency <= 64:
        parser.error("--requests must be 1..100000 and --concurrency 1..64")
    body = json.loads(args.body.read_text()) if args.body else DEFAULT_BODY
    probe = httpx.post(f"{args.url}/api/v1/classify", json=body, timeout=30,
                       headers={"Authorization": f"Bearer {args.token}"})  # fmt: skip
    if probe.status_code != 200:
        print(f"probe failed: {probe.status_code} {probe.text[:300]}", file=sys.stderr)
        return 2
    run(args.url, args.token, body, args.warmup, min(args.concurrency, args.warmup))
    figures = run(args.url, args.token, body, args.requests, args.concurrency)
    print(f"classify+explain+verify, {figures['requests']} requests, "
          f"{figures['concurrency']} clients: p50 {figures['p50_ms']} ms, "
          f"p90 {figures['p90_ms']} ms, p99 {figures['p99_ms']} ms, max {figures['max_ms']} ms, "
          f"{figures['throughput_rps']} req/s, errors {figures['errors']}")  # fmt: skip
    print(json.dumps(figures))
    return 0 if figures["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
