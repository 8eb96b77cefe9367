"""Ingest is idempotent (same credit = same case), keeps history, marks cleared credits."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from sqlalchemy import func, select

from cbclassify.store.accounts import practice_by_code
from cbclassify.store.audit import SYSTEM, verify_chain
from cbclassify.store.db import Database
from cbclassify.store.ingest import ingest_cases
from cbclassify.store.models_cases import CaseObservation, CreditCase, LedgerBatch

from .helpers import analysed, seed_practices_and_users

D1, D2 = date(2025, 3, 1), date(2025, 4, 1)


def _ingest(db: Database, practice: str, digest: str, data: object) -> object:
    with db.transaction() as s:
        return ingest_cases(
            s,
            practice_by_code(s, practice),
            data,
            kind="ledger",  # type: ignore[arg-type]
            content_sha256=digest,
            actor=SYSTEM,
        )


def _cases(db: Database) -> dict[tuple[int, str], CreditCase]:
    with db.read_session() as s:
        return {(c.practice_id, c.claim_id): c for c in s.scalars(select(CreditCase))}


def test_reingest_same_ledger_keeps_same_cases_and_adds_history(db: Database) -> None:
    seed_practices_and_users(db)
    first = _ingest(db, "a", "h1", analysed(D1, {"C1": 1000, "C2": 2500}))
    before = _cases(db)
    again = _ingest(db, "a", "h1", analysed(D1, {"C1": 1000, "C2": 2500}))
    after = _cases(db)
    assert first.n_new == 2 and again.n_new == 0 and again.n_updated == 2  # type: ignore[attr-defined]
    assert again.duplicate_of == first.batch_id  # type: ignore[attr-defined]
    assert {k: c.id for k, c in before.items()} == {k: c.id for k, c in after.items()}
    assert all(c.identified_date == D1 for c in after.values())
    with db.read_session() as s:
        assert s.scalar(select(func.count()).select_from(CaseObservation)) == 4
        assert s.scalar(select(func.count()).select_from(LedgerBatch)) == 2
        assert verify_chain(s).ok


def test_later_ledger_updates_marks_cleared_and_reappears(db: Database) -> None:
    seed_practices_and_users(db)
    _ingest(db, "a", "h1", analysed(D1, {"C1": 1000, "C2": 2500}))
    summary = _ingest(db, "a", "h2", analysed(D2, {"C2": 3000, "C3": 700}))
    cases = {k[1]: c for k, c in _cases(db).items()}
    assert summary.n_cleared == 1 and summary.n_new == 1  # type: ignore[attr-defined]
    assert not cases["C1"].credit_present and cases["C1"].cleared_batch_id is not None
    assert cases["C1"].version == 2  # a change that users must see before acting
    assert cases["C2"].credit_amount_cents == 3000 and cases["C2"].identified_date == D1
    assert cases["C3"].identified_date == D2
    _ingest(db, "a", "h3", analysed(D2, {"C1": 1000, "C2": 3000, "C3": 700}))
    c1 = {k[1]: c for k, c in _cases(db).items()}["C1"]
    assert c1.credit_present and c1.cleared_batch_id is None
    with db.read_session() as s:
        present = s.scalars(
            select(CaseObservation.credit_present)
            .where(CaseObservation.case_id == c1.id)
            .order_by(CaseObservation.id)
        ).all()
    assert present == [True, False, True]


def test_same_claim_in_two_practices_is_two_cases(db: Database) -> None:
    seed_practices_and_users(db)
    _ingest(db, "a", "h1", analysed(D1, {"C1": 1000}))
    _ingest(db, "b", "h1", analysed(D1, {"C1": 500}))
    cases = _cases(db)
    assert len(cases) == 2 and len({c.practice_id for c in cases.values()}) == 2
    with db.read_session() as s:
        # a duplicate is only a duplicate within its own practice
        assert s.scalars(select(LedgerBatch.duplicate_of_id)).all() == [None, None]


def test_analysed_frame_must_have_one_row_per_claim(db: Database) -> None:
    seed_practices_and_users(db)
    data = analysed(D1, {"C1": 1000})
    doubled = type(data)(data.as_of, pd.concat([data.cases, data.cases]))
    with pytest.raises(ValueError, match="one row per claim_id"):
        _ingest(db, "a", "h1", doubled)
    assert _cases(db) == {}
