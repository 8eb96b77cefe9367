"""One as-of date per practice: the latest ledger's, today only before any ledger."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from cbclassify.service.as_of import practice_as_of, practices_as_of
from cbclassify.store.accounts import create_practice
from cbclassify.store.audit import SYSTEM
from cbclassify.store.ingest import ingest_cases
from cbclassify.store.testing import sqlite_database
from tests.store.helpers import analysed


def test_the_latest_ledgers_as_of_governs(tmp_path: Path) -> None:
    with sqlite_database(tmp_path / "as_of.db") as db:
        with db.transaction() as s:
            a = create_practice(s, "a", "A")
            b = create_practice(s, "b", "B")
            ingest_cases(s, a, analysed(date(2026, 6, 30), {"C1": 100}), kind="ledger",
                         content_sha256="1", actor=SYSTEM)  # fmt: skip
            # a later ingest of an earlier ledger: the latest ingest decides
            ingest_cases(s, a, analysed(date(2026, 5, 31), {"C1": 100}), kind="ledger",
                         content_sha256="2", actor=SYSTEM)  # fmt: skip
            ids = (a.id, b.id)
        with db.read_session() as s:
            assert practice_as_of(s, ids[0]) == date(2026, 5, 31)
            assert practices_as_of(s, ids, today=date(2027, 1, 2)) == {
                ids[0]: date(2026, 5, 31),
                ids[1]: date(2027, 1, 2),  # no ledger yet: today
            }
