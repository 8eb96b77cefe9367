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
import socket
import statistics
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

import httpx

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
NODELAY = [(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)]

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


def read_bodies(path: Path) -> list[dict]:
    """One JSON body, or one per line of a ``.jsonl`` file."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".jsonl":
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    return [json.loads(text)]


def processes_cpu(pids: list[int]) -> float:
    """CPU seconds (user + system) used so far by the processes ``pids`` (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def open_clients(url: str, token: str, count: int) -> list[httpx.Client]:
    """``count`` keep-alive clients (created before the clock starts: creating one costs CPU)."""
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    # TCP_NODELAY on the client too, as curl and browsers set it (httpx does not).
    return [
        httpx.Client(
            base_url=url,
            headers=headers,
            timeout=30,
            transport=httpx.HTTPTransport(socket_options=NODELAY),
        )
        for _ in range(count)
    ]


def run(
    clients: list[httpx.Client],
    bodies: list[bytes],
    requests: int,
    rate: float | None = None,
    server_pids: list[int] | None = None,
) -> dict[str, float]:
    """Send ``requests`` classify calls from the clients (one thread each); latency in ms.

    Closed loop (``rate`` None): each client sends its next request as soon as the previous one
    is answered, so the server is saturated and mean latency = clients / throughput (Little's
    law). Open loop (``rate`` req/s in all): requests are due at fixed intervals (``rate``
    spread over the clients) and latency counts from when a request was due, so a slow answer
    also delays the requests queued behind it (no coordinated omission).
    """
    latencies: list[float] = []
    errors: list[int] = []
    lock = threading.Lock()
    remaining = [requests]
    sent = [0]
    begin = [0.0]

    def next_due() -> tuple[float, bytes] | None:
        """Claim the next request: its due time (open loop) or now (closed loop), and body."""
        with lock:
            if remaining[0] == 0:
                return None
            remaining[0] -= 1
            index = sent[0]
            sent[0] += 1
        body = bodies[index % len(bodies)]
        if rate is None:
            return time.perf_counter(), body
        due = begin[0] + index / rate
        pause = due - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
        return due, body

    def client_loop(client: httpx.Client) -> None:
        while True:
            claimed = next_due()
            if claimed is None:
                return
            started, body = claimed
            try:
                status = client.post("/api/v1/classify", content=body).status_code
            except httpx.HTTPError:
                status = 0  # timeout or connection error
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                if status == 200:
                    latencies.append(elapsed)
                else:
                    errors.append(status)

    threads = [threading.Thread(target=client_loop, args=(c,)) for c in clients]
    server_pids = server_pids or []
    client_cpu, server_cpu = time.process_time(), processes_cpu(server_pids)
    started = begin[0] = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    client_cpu = time.process_time() - client_cpu
    server_cpu = processes_cpu(server_pids) - server_cpu
    answered = max(len(latencies), 1)
    ordered = sorted(latencies)
    return {
        "requests": requests, "concurrency": len(clients), "ok": len(latencies),
        "errors": len(errors), "wall_s": round(wall, 2),
        "throughput_rps": round(len(latencies) / wall, 1) if wall else 0.0,
        "p50_ms": round(percentile(ordered, 50), 1), "p90_ms": round(percentile(ordered, 90), 1),
        "p99_ms": round(percentile(ordered, 99), 1), "max_ms": round(ordered[-1], 1) if ordered else 0.0,
        "mean_ms": round(statistics.fmean(ordered), 1) if ordered else 0.0,
        "rate_rps": rate or 0.0,
        "client_cpu_ms_per_request": round(client_cpu * 1000 / answered, 2),
        "server_cpu_ms_per_request": round(server_cpu * 1000 / answered, 2) if server_pids else None,
    }  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--token", default=os.environ.get("CBCLASSIFY_TOKEN"),
                        help="API token (or CBCLASSIFY_TOKEN)")  # fmt: skip
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=40)
    parser.add_argument(
        "--body",
        type=Path,
        help="a JSON body, or a .jsonl file of bodies sent in turn "
        "(bench_single_claim.py --write-bodies), instead of the built-in claim",
    )
    parser.add_argument(
        "--server-pids",
        type=int,
        nargs="*",
        default=[],
        help="server worker pids: report their CPU per request (Linux)",
    )
    parser.add_argument(
        "--rate",
        type=float,
        default=None,
        help="open loop: requests per second in all (default: closed loop)",
    )
    args = parser.parse_args(argv)
    if urlparse(args.url).hostname not in LOOPBACK:
        parser.error("load runs are for loopback servers only")
    if not args.token:
        parser.error("--token (or CBCLASSIFY_TOKEN) is required")
    if not 0 < args.requests <= 100_000 or not 0 < args.concurrency <= 64:
        parser.error("--requests must be 1..100000 and --concurrency 1..64")
    bodies = read_bodies(args.body) if args.body else [DEFAULT_BODY]
    if args.rate is not None and not 0 < args.rate <= 10_000:
        parser.error("--rate must be in 0..10000 requests per second")
    probe = httpx.post(f"{args.url}/api/v1/classify", json=bodies[0], timeout=30,
                       headers={"Authorization": f"Bearer {args.token}"})  # fmt: skip
    if probe.status_code != 200:
        print(f"probe failed: {probe.status_code} {probe.text[:300]}", file=sys.stderr)
        return 2
    payloads = [json.dumps(b).encode() for b in bodies]
    clients = open_clients(args.url, args.token, args.concurrency)
    run(clients, payloads, max(args.warmup, args.concurrency))  # opens every connection
    figures = run(clients, payloads, args.requests, args.rate, args.server_pids)
    for client in clients:
        client.close()
    loop = "closed loop" if args.rate is None else f"open loop at {args.rate:g} req/s"
    print(f"classify+explain+verify, {figures['requests']} requests, "
          f"{figures['concurrency']} clients, {loop}: p50 {figures['p50_ms']} ms, "
          f"p90 {figures['p90_ms']} ms, p99 {figures['p99_ms']} ms, max {figures['max_ms']} ms, "
          f"{figures['throughput_rps']} req/s, errors {figures['errors']}; CPU per request: "
          f"client {figures['client_cpu_ms_per_request']} ms, "
          f"server {figures['server_cpu_ms_per_request']} ms")  # fmt: skip
    print(json.dumps(figures))
    return 0 if figures["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
