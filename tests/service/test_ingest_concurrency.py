"""Issue 14, failure 1: simultaneous 835 uploads of one practice each answered 201 but only one
reached the ledger (each merged into the same old snapshot), and re-sending a lost file was
refused as already ingested. Ingests of a practice are now serialized with the merge base read
under the lock: N parallel uploads of distinct 835s leave all N postings in the ledger."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from remit_factory import CREDIT_CENTS, credit_835, credit_claim
from sqlalchemy import select

from cbclassify.ledger_io import read_ledger
from cbclassify.service.ingest import X12Outcome, ingest_835_texts, latest_snapshot
from cbclassify.settings import Settings
from cbclassify.store.audit import SYSTEM, verify_chain
from cbclassify.store.db import Database
from cbclassify.store.models_cases import CreditCase, LedgerBatch

N = 10


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


def test_parallel_835_uploads_of_one_practice_lose_no_posting(
    db: Database, settings: Settings
) -> None:
    barrier = threading.Barrier(N)

    def upload(i: int) -> X12Outcome:
        barrier.wait()  # all N start together
        return _upload(db, settings, i)

    with ThreadPoolExecutor(N) as pool:
        outcomes = list(pool.map(upload, range(N)))
    assert not any(o.already_ingested for o in outcomes)
    expected = {credit_claim(i): CREDIT_CENTS for i in range(N)}
    found = _present_credits(db)
    assert found == expected, f"{N} parallel uploads: found {len(found)}/{N} remittances"
    snapshot = latest_snapshot(db, settings, 1)
    assert snapshot is not None
    ledger = read_ledger(snapshot)
    assert set(ledger.claim_lines["claim_id"]) == set(expected)  # the next merge base
    with db.read_session() as s:
        assert len(s.scalars(select(LedgerBatch)).all()) == N
        assert verify_chain(s).ok
    # nothing posted twice: every file again is answered as already ingested
    assert all(_upload(db, settings, i).already_ingested for i in range(N))
    assert _present_credits(db) == expected


def test_the_same_835_sent_twice_at_once_is_posted_once(db: Database, settings: Settings) -> None:
    barrier = threading.Barrier(4)

    def upload(_: int) -> X12Outcome:
        barrier.wait()
        return _upload(db, settings, 7)

    with ThreadPoolExecutor(4) as pool:
        outcomes = list(pool.map(upload, range(4)))
    assert sorted(o.already_ingested for o in outcomes) == [False, True, True, True]
    assert len({o.summary.batch_id for o in outcomes if o.summary}) == 1
    with db.read_session() as s:
        assert len(s.scalars(select(LedgerBatch)).all()) == 1
