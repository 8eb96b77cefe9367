"""Crash test: kill -9 the server in the middle of a batch of workflow actions; after a restart
every acknowledged action is there and no case is half-changed (each action is one transaction)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select
from store.helpers import PASSWORD, analysed

from cbclassify.store.accounts import create_practice, create_user, issue_token, practice_by_code
from cbclassify.store.audit import SYSTEM, verify_chain
from cbclassify.store.db import Database
from cbclassify.store.ingest import ingest_cases
from cbclassify.store.migrate import upgrade
from cbclassify.store.models_audit import AuditEvent
from cbclassify.store.models_cases import CaseEvent, CreditCase

REPO = Path(__file__).resolve().parents[2]
N_CASES = 40
#: The steps each case goes through (small patient refunds: no approval needed).
STEPS = [
    ("review", {}),
    ("propose", {"action": "refund_patient"}),
    ("complete", {"refund_date": str(date.today()), "check_number": "1001"}),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _seed(db: Database) -> str:
    upgrade(db.engine)
    with db.transaction() as s:
        create_practice(s, "a", "A")
        biller = create_user(s, "biller", PASSWORD, ["biller"], ["a"])
        _, token = issue_token(s, biller, "crash")
        credits = {f"CLM-{i:03d}": 1_000 + i for i in range(N_CASES)}
        ingest_cases(
            s,
            practice_by_code(s, "a"),
            analysed(date.today(), credits),
            kind="ledger",
            content_sha256="seed",
            actor=SYSTEM,
        )
    return token


def _start(tmp: Path, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "CBCLASSIFY_DATA_DIR": str(tmp / "data"),
        "CBCLASSIFY_DATABASE_URL": f"sqlite:///{tmp / 'crash.db'}",
        "CBCLASSIFY_LOAD_MODEL": "false",
        "CBCLASSIFY_SECRET_KEY": "crash",
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "api.app:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/ready", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("server did not start")


def _sender(
    base: str,
    token: str,
    case_ids: list[int],
    acked: list[tuple[int, str, int]],
    stop: threading.Event,
) -> None:
    """Walk the cases through the steps; record (case, step, new version) of every 2xx."""
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, headers=headers, timeout=10) as client:
        for case_id in case_ids:
            version = 1
            for step, body in STEPS:
                if stop.is_set():
                    return
                try:
                    r = client.post(
                        f"/api/v1/cases/{case_id}/{step}", json={"version": version, **body}
                    )
                except httpx.HTTPError:
                    return  # the server died under this request: not acknowledged
                assert r.status_code == 200, r.text
                version = r.json()["version"]
                acked.append((case_id, step, version))


@pytest.mark.slow
def test_kill_9_mid_batch_loses_no_acknowledged_action(tmp_path: Path) -> None:
    db = Database.from_url(f"sqlite:///{tmp_path / 'crash.db'}")
    token = _seed(db)
    with db.read_session() as s:
        case_ids = list(s.scalars(select(CreditCase.id).order_by(CreditCase.id)))
    port = _free_port()
    server = _start(tmp_path, port)
    acked: list[tuple[int, str, int]] = []
    stop = threading.Event()
    halves = [case_ids[::2], case_ids[1::2]]
    threads = [
        threading.Thread(target=_sender, args=(f"http://127.0.0.1:{port}", token, h, acked, stop))
        for h in halves
    ]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 60
    while len(acked) < 25 and time.monotonic() < deadline:
        time.sleep(0.01)
    os.kill(server.pid, signal.SIGKILL)  # mid-batch: requests are in flight
    server.wait(timeout=10)
    stop.set()
    for t in threads:
        t.join(timeout=30)
    total_steps = len(case_ids) * len(STEPS)
    assert 25 <= len(acked) < total_steps, "the kill must land in the middle of the batch"

    restarted = _start(tmp_path, port)  # recovery: the server opens the same database
    try:
        with httpx.Client(
            base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {token}"}
        ) as client:
            for case_id, _, version in acked:
                assert client.get(f"/api/v1/cases/{case_id}").json()["version"] >= version
    finally:
        restarted.kill()
        restarted.wait(timeout=10)

    with db.read_session() as s:
        events = {(e.case_id, e.command) for e in s.scalars(select(CaseEvent))}
        command = {"review": "start_review", "propose": "propose", "complete": "complete"}
        assert {(c, command[step]) for c, step, _ in acked} <= events
        expected_state = {0: "open", 1: "in_review", 2: "action_proposed", 3: "done"}
        for case in s.scalars(select(CreditCase)):
            n_events = s.scalar(
                select(func.count()).select_from(CaseEvent).where(CaseEvent.case_id == case.id)
            )
            n_audit = s.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(
                    AuditEvent.case_id == case.id,
                    AuditEvent.action.like("case.%"),
                    AuditEvent.action != "case.read",
                )
            )
            # one step = one event + one audit row + one version, all or nothing
            assert case.version == 1 + n_events == 1 + n_audit
            assert case.state == expected_state[n_events]
            assert (case.resolution_kind == "refunded") == (case.state == "done")
            assert (case.proposed_action is None) == (n_events < 2)
        assert verify_chain(s).ok
    db.dispose()
    assert len({a[0] for a in acked}) >= 8
