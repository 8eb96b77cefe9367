"""Benchmark: the billers' web pages on a practice with 50,000 credit cases (issue 7: "fast on a
worklist of 50,000 credits").

Seeds a temporary SQLite database with N cases through the store's own ``ingest_cases`` (one
batch), then times the pages through the real app (in process, ``TestClient``): the default
worklist, a deep page, sorts, filters, the approval queue and a case page. For scale it also times
a baseline measured in the same run: loading every case of the practice into Python (what a page
without server-side pagination would do). Prints medians in milliseconds and the ratio; asserts
nothing about time. Usage:

    .venv/bin/python benchmarks/bench_web_worklist.py [--cases 50000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

PASSWORD = "benchmark-password"


def analysed_cases(n: int, seed: int = 3) -> object:
    """N credits with realistic spreads of payer, location, source, verification, due date."""
    from cbclassify.contract.enums import CREDIT_SOURCES, VERIFICATIONS
    from cbclassify.store.ingest import CASE_COLUMNS, AnalysedLedger

    rng = np.random.default_rng(seed)
    today = date.today()
    sources = rng.choice(np.array(CREDIT_SOURCES), n)
    frame = pd.DataFrame({
        "claim_id": [f"C{i:07d}" for i in range(n)],
        "patient_id": [f"P{i % 9000:05d}" for i in range(n)],
        "payer_id": rng.choice(np.array([f"PAYER-{k:02d}" for k in range(40)]), n),
        "payer_type": rng.choice(np.array(["medicare", "medicaid", "commercial"]), n),
        "location_id": rng.choice(np.array([f"LOC-{k}" for k in range(8)]), n),
        "credit_amount_cents": rng.integers(100, 250_000, n),
        "credit_since": [today - timedelta(days=int(d)) for d in rng.integers(1, 700, n)],
        "predicted_source": sources,
        "confidence": rng.uniform(0.3, 0.99, n),
        "verification": rng.choice(np.array(VERIFICATIONS), n),
        "recommended_action": np.where(sources == "payer_overpayment", "refund_payer",
                                       "correct_adjustment"),
        "due_date": [today + timedelta(days=int(d)) for d in rng.integers(-90, 120, n)],
    })  # fmt: skip
    for column in CASE_COLUMNS:
        if column not in frame.columns:
            frame[column] = None
    frame["evidence"] = [[] for _ in range(n)]
    frame["top_reasons"] = [[] for _ in range(n)]
    return AnalysedLedger(today, frame.loc[:, list(CASE_COLUMNS)])


def seed(db_url: str, n: int) -> float:
    """Migrate, create a practice and a biller, ingest n cases; returns seconds."""
    from sqlalchemy import update

    from cbclassify.store.accounts import create_practice, create_user
    from cbclassify.store.audit import SYSTEM
    from cbclassify.store.db import Database
    from cbclassify.store.ingest import ingest_cases
    from cbclassify.store.migrate import upgrade
    from cbclassify.store.models_cases import CreditCase

    started = time.perf_counter()
    db = Database.from_url(db_url)
    upgrade(db.engine)
    with db.transaction() as s:
        practice = create_practice(s, "big", "Big Practice")
        biller = create_user(s, "biller", PASSWORD, ["biller", "manager"], ["big"])
        ingest_cases(s, practice, analysed_cases(n), kind="ledger", content_sha256="bench",
                     actor=SYSTEM)  # type: ignore[arg-type]  # fmt: skip
        s.execute(  # every 7th case is the biller's ("My cases")
            update(CreditCase).where(CreditCase.id % 7 == 0).values(assigned_to_id=biller.id)
        )
    db.dispose()
    return time.perf_counter() - started


def median_ms(fn: Callable[[], object], repeat: int) -> float:
    """Median wall time of ``fn`` in milliseconds (one warm-up call first)."""
    fn()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    from fastapi.testclient import TestClient
    from sqlalchemy import select

    from api.app import create_app
    from api.config import ServiceConfig
    from cbclassify.settings import Settings
    from cbclassify.store.models_cases import CreditCase

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        seconds = seed(url, args.cases)
        print(f"seeded {args.cases:,} cases in {seconds:.1f} s")
        settings = Settings(data_dir=Path(tmp) / "data", database_url=url, secret_key="bench")
        app = create_app(settings, config=ServiceConfig(load_model=False))
        with TestClient(app, base_url="http://127.0.0.1", follow_redirects=False) as client:
            form = client.get("/login").text  # the sign-in form's login-CSRF token first
            token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', form)
            assert token, "no csrf_token in the sign-in form"
            assert client.post("/login", data={"username": "biller", "password": PASSWORD,
                                               "csrf_token": token.group(1)}
                               ).status_code == 303  # fmt: skip
            base = "/practices/big/worklist"
            pages = {
                "worklist, default (due date)": base,
                "worklist, page 400 of 1,000": f"{base}?page=400",
                "worklist, sort by amount desc": f"{base}?sort=amount&dir=desc",
                "worklist, payer + confirmed + $500": f"{base}?payer=PAYER-07&verification="
                "confirmed&min_amount=500",
                "worklist, overdue, 100 rows": f"{base}?due=overdue&per_page=100",
                "worklist, search by claim number": f"{base}?q=C0012345",
                "worklist, aging bucket 91-120 d": f"{base}?age=91-120",
                "worklist, my cases": f"{base}?assigned=me",
                "approval queue": "/approvals",
                "case page": "/cases/12345",
            }
            results = {}
            for name, path in pages.items():
                assert client.get(path).status_code == 200, path
                results[name] = median_ms(lambda p=path: client.get(p), args.repeat)
                print(f"{name:<40} {results[name]:8.1f} ms (median of {args.repeat})")
            export = median_ms(lambda: client.get(f"{base}.csv"), max(args.repeat // 2, 1))
            print(f"{'export: every case as CSV (all pages)':<40} {export:8.1f} ms")
            db = app.state.service.db

            def load_all() -> int:
                with db.read_session() as s:
                    return len(list(s.scalars(select(CreditCase))))

            baseline = median_ms(load_all, max(args.repeat // 2, 1))
            print(f"{'baseline: load every case (no paging)':<40} {baseline:8.1f} ms")
            ratio = baseline / results["worklist, default (due date)"]
            print(f"default worklist page is {ratio:.1f}x faster than loading all cases")


if __name__ == "__main__":
    main()
