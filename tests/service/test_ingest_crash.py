"""Issue 14, failure 4: kill -9 late in an upload left the batch committed with a partial (or no)
snapshot, and the next 835 was merged into the previous snapshot, dropping the killed batch's
postings for good (re-sending it was refused as already ingested).

Now the snapshot is written, fsynced and renamed before the batch commits, and start-up
recovery removes partial work. A subprocess ingest is killed with SIGKILL at each point; after
recovery the killed batch is either fully there (snapshot included) or not there at all (and
re-sending it posts it), and the next 835 merges into the right base: nothing is lost."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from remit_factory import CREDIT_CENTS, credit_835, credit_claim
from sqlalchemy import select

from cbclassify.ledger_io import read_ledger
from cbclassify.service.ingest import (
    X12Outcome,
    ingest_835_texts,
    latest_snapshot,
    recover_ingest_work,
)
from cbclassify.settings import Settings
from cbclassify.store.audit import SYSTEM, verify_chain
from cbclassify.store.db import Database
from cbclassify.store.models_cases import CreditCase, LedgerBatch

VICTIM = Path(__file__).with_name("ingest_victim.py")
#: Kill point -> whether the killed batch is committed (the snapshot is published first).
POINTS = {"snapshot_written": False, "snapshot_renamed": False, "committed": True}


def _upload(db: Database, settings: Settings, i: int) -> X12Outcome:
    return ingest_835_texts(db, settings, "a", [(f"remit{i}.835", credit_835(i))], None, SYSTEM)


def _present_credits(db: Database) -> dict[str, int]:
    with db.read_session() as s:
        rows = s.execute(
            select(CreditCase.claim_id, CreditCase.credit_amount_cents).where(
                CreditCase.credit_present
            )
        )
        return dict(rows.tuples().all())


def _kill_during_ingest(db_url: str, settings: Settings, remit: Path, point: str) -> None:
    proc = subprocess.run(
        [sys.executable, str(VICTIM), db_url, str(settings.data_dir), str(remit), point],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stdout + proc.stderr


@pytest.mark.parametrize("point", POINTS)
def test_kill_9_during_ingest_then_recovery_keeps_the_right_merge_base(
    db: Database, db_url: str, settings: Settings, tmp_path: Path, point: str
) -> None:
    assert not _upload(db, settings, 0).already_ingested  # the practice's base
    remit = tmp_path / "remit1.835"
    remit.write_text(credit_835(1))
    _kill_during_ingest(db_url, settings, remit, point)

    recover_ingest_work(db, settings)  # what the service does at start-up
    with db.read_session() as s:
        committed = set(s.scalars(select(LedgerBatch.id)))
    folder = settings.data_dir / "ledgers" / "1"
    kept = {p.name for p in folder.iterdir()}
    assert kept <= {str(i) for i in committed}, f"partial work left after recovery: {kept}"
    newest = latest_snapshot(db, settings, 1)
    assert newest is not None and newest.name == str(max(committed))

    assert len(committed) == 1 + POINTS[point]
    again = _upload(db, settings, 1)  # re-sent: posted unless the killed ingest committed
    assert again.already_ingested == POINTS[point]
    assert not _upload(db, settings, 2).already_ingested
    expected = {credit_claim(i): CREDIT_CENTS for i in range(3)}
    assert _present_credits(db) == expected
    snapshot = latest_snapshot(db, settings, 1)
    assert snapshot is not None
    assert set(read_ledger(snapshot).claim_lines["claim_id"]) == set(expected)
    with db.read_session() as s:
        assert verify_chain(s).ok


def test_recovery_removes_only_partial_work(db: Database, settings: Settings) -> None:
    assert not _upload(db, settings, 0).already_ingested
    folder = settings.data_dir / "ledgers" / "1"
    committed = latest_snapshot(db, settings, 1)
    assert committed is not None
    for name in ("7.partial", "8", "9.trash"):  # unpublished, uncommitted, half-deleted
        (folder / name).mkdir()
        (folder / name / "payers.parquet").write_bytes(b"x")
    assert recover_ingest_work(db, settings) == 3
    assert sorted(p.name for p in folder.iterdir()) == [committed.name]
    assert not _upload(db, settings, 1).already_ingested  # merges into the committed base
    assert set(_present_credits(db)) == {credit_claim(0), credit_claim(1)}


def test_a_missing_merge_base_refuses_the_835_instead_of_using_an_older_one(
    db: Database, settings: Settings
) -> None:
    from cbclassify.service.ingest import MergeBaseMissing

    assert not _upload(db, settings, 0).already_ingested
    assert not _upload(db, settings, 1).already_ingested
    newest = latest_snapshot(db, settings, 1)
    assert newest is not None
    shutil.rmtree(newest)  # e.g. lost by an older version of the service
    with pytest.raises(MergeBaseMissing, match="has no kept ledger snapshot"):
        _upload(db, settings, 2)
    assert set(_present_credits(db)) == {credit_claim(0), credit_claim(1)}
