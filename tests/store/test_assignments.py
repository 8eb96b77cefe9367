"""Assigning cases: to a biller or manager of the practice only, audited per case, without
touching the case's version; "my cases" and the worklist's new reads (search, aging totals,
the ledger as-of date) on every backend."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from cbclassify.store.accounts import practice_by_code
from cbclassify.store.assignments import AssigneeNotAllowed, assign_cases, assignable_users
from cbclassify.store.audit import SYSTEM, verify_chain
from cbclassify.store.audit_queries import audit_events
from cbclassify.store.batches import latest_as_of
from cbclassify.store.case_queries import (
    CaseFilter,
    assignee_filter,
    export_rows,
    matching_case_ids,
    page_of_cases,
    worklist_totals,
)
from cbclassify.store.cases import ActingUser
from cbclassify.store.db import Database
from cbclassify.store.ingest import ingest_cases
from cbclassify.store.models_cases import CreditCase

from .helpers import analysed, seed_practices_and_users

AS_OF = date(2025, 3, 1)


@pytest.fixture
def users(db: Database) -> dict[str, ActingUser]:
    seeded = seed_practices_and_users(db)
    credits = {"C_1": 1_000, "C%2": 2_000, "X-3": 3_000, "x-30": 4_000}
    with db.transaction() as s:
        data = analysed(AS_OF, credits)
        ages = {"C_1": 10, "C%2": 45, "X-3": 100, "x-30": 400}
        data.cases["credit_since"] = [AS_OF - timedelta(days=ages[c]) for c in credits]
        data.cases["payer_name"] = "Aetna Better Health"
        ingest_cases(
            s, practice_by_code(s, "a"), data, kind="ledger", content_sha256="h", actor=SYSTEM
        )
        ingest_cases(
            s,
            practice_by_code(s, "b"),
            analysed(date(2025, 4, 30), {"B1": 500}),
            kind="ledger",
            content_sha256="hb",
            actor=SYSTEM,
        )
    return seeded


def _cases(db: Database) -> dict[str, CreditCase]:
    with db.read_session() as s:
        return {c.claim_id: c for c in s.scalars(select(CreditCase))}


def test_assign_is_audited_and_keeps_the_version(
    db: Database, users: dict[str, ActingUser]
) -> None:
    before = _cases(db)
    pid = before["C_1"].practice_id
    ids = [before["C_1"].id, before["C%2"].id, before["B1"].id]  # B1: another practice
    with db.transaction() as s:
        assert assignable_users(s, pid) == {
            users["biller"].user_id: "bill",
            users["manager"].user_id: "max",
            users["manager2"].user_id: "mia",
        }
        changed, same = assign_cases(s, pid, ids, users["biller"].user_id, users["manager"])
    assert sorted(c.claim_id for c in changed) == ["C%2", "C_1"] and same == []
    after = _cases(db)
    assert after["C_1"].assigned_to_id == users["biller"].user_id
    assert after["B1"].assigned_to_id is None
    assert all(after[k].version == before[k].version for k in before)
    with db.read_session() as s:
        rows = [e for e in audit_events(s, {pid}) if e.action == "case.assign"]
        assert len(rows) == 2 and verify_chain(s).ok
        assert all('"assigned_to":"bill"' in (r.details or "") for r in rows)
    with db.read_session() as s:
        mine = page_of_cases(s, pid, CaseFilter(assigned_to_id=users["biller"].user_id))
        nobody = page_of_cases(s, pid, CaseFilter(unassigned=True))
    assert sorted(c.claim_id for c in mine) == ["C%2", "C_1"]
    assert sorted(c.claim_id for c in nobody) == ["X-3", "x-30"]


def test_only_the_practices_case_workers_can_be_assigned(
    db: Database, users: dict[str, ActingUser]
) -> None:
    pid = _cases(db)["C_1"].practice_id
    with pytest.raises(AssigneeNotAllowed), db.transaction() as s:
        assign_cases(s, pid, [_cases(db)["C_1"].id], users["biller_b"].user_id, users["manager"])
    assert _cases(db)["C_1"].assigned_to_id is None


def test_search_escapes_wildcards_and_ignores_case(
    db: Database, users: dict[str, ActingUser]
) -> None:
    pid = _cases(db)["C_1"].practice_id

    def found(text: str) -> list[str]:
        with db.read_session() as s:
            return sorted(c.claim_id for c in page_of_cases(s, pid, CaseFilter(search=text)))

    assert found("c_1") == ["C_1"]  # "_" is no wildcard
    assert found("C%") == ["C%2"]  # "%" neither
    assert found("x-3") == ["X-3", "x-30"]  # a prefix, either case
    assert found("p-x-30") == ["x-30"]  # the patient id
    assert found("-3") == []


def test_aging_totals_count_to_the_as_of_date(db: Database, users: dict[str, ActingUser]) -> None:
    pid = _cases(db)["C_1"].practice_id
    with db.read_session() as s:
        totals = worklist_totals(s, pid, CaseFilter(), AS_OF)
        assert latest_as_of(s, [pid]) == {pid: AS_OF}
        ids = matching_case_ids(s, pid, CaseFilter(min_amount_cents=2_000), "amount", True)
        rows = list(export_rows(s, pid, CaseFilter(), "amount", True))
    assert (totals.cases, totals.credit_amount_cents, totals.undated) == (4, 10_000, 0)
    got = {b.key: (b.cases, b.credit_amount_cents) for b in totals.buckets}
    assert got == {
        "0-30": (1, 1_000),
        "31-60": (1, 2_000),
        "61-90": (0, 0),
        "91-120": (1, 3_000),
        "120+": (1, 4_000),
    }
    cases = _cases(db)
    assert ids == [cases[k].id for k in ("x-30", "X-3", "C%2")]
    assert [r.claim_id for r in rows] == ["x-30", "X-3", "C%2", "C_1"]
    assert rows[0].payer_name == "Aetna Better Health"


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        ("me", (7, None)),
        ("none", (None, True)),
        ("12", (12, None)),
        (None, (None, None)),
        ("", (None, None)),
        ("bogus", (None, None)),
    ],
)
def test_assignee_filter_reads_the_assigned_to_choice(choice, expected) -> None:
    """The web worklist and the API read "assigned to" through this one rule."""
    assert assignee_filter(choice, 7) == expected
