"""The audit trail is append-only and hash-chained; verification finds tampering."""

from __future__ import annotations

import itertools
import threading

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DBAPIError

from cbclassify.store.audit import (
    GENESIS_HASH,
    AuditActor,
    AuditTamperError,
    append_audit,
    verify_chain,
)
from cbclassify.store.db import Database
from cbclassify.store.models_audit import AuditEvent

ALICE = AuditActor(7, "alice")


def _append(db: Database, n: int) -> None:
    for i in range(n):
        with db.transaction() as s:
            append_audit(s, ALICE, "case.read", practice_id=1, case_id=i, details={"i": i})


def _verify(db: Database) -> list[str]:
    with db.read_session() as s:
        return verify_chain(s).problems


def _bypass_triggers(db: Database, sql: str) -> None:
    """What someone with raw database access could do: disable the guard, then edit."""
    with db.engine.begin() as conn:
        if db.engine.dialect.name == "sqlite":
            conn.exec_driver_sql("DROP TRIGGER audit_events_no_update")
            conn.exec_driver_sql("DROP TRIGGER audit_events_no_delete")
        else:
            conn.exec_driver_sql("ALTER TABLE audit_events DISABLE TRIGGER USER")
        conn.exec_driver_sql(sql)


def test_chain_links_rows_and_verifies(db: Database) -> None:
    _append(db, 5)
    with db.read_session() as s:
        rows = list(s.scalars(select(AuditEvent).order_by(AuditEvent.seq)))
        report = verify_chain(s)
    assert [r.seq for r in rows] == [1, 2, 3, 4, 5]
    assert rows[0].prev_hash == GENESIS_HASH
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(rows))
    assert report.ok and report.rows_checked == 5 and report.head_hash == rows[-1].hash


def test_orm_refuses_update_and_delete(db: Database) -> None:
    _append(db, 1)
    with db.write_session() as s:
        row = s.scalars(select(AuditEvent)).one()
        row.action = "nothing.happened"
        with pytest.raises(AuditTamperError):
            s.flush()
        s.rollback()
        s.delete(s.scalars(select(AuditEvent)).one())
        with pytest.raises(AuditTamperError):
            s.flush()
        s.rollback()
        with pytest.raises(AuditTamperError):
            s.execute(update(AuditEvent).values(actor="mallory"))
        with pytest.raises(AuditTamperError):
            s.execute(delete(AuditEvent))


@pytest.mark.parametrize(
    "sql",
    ["UPDATE audit_events SET actor = 'mallory'", "DELETE FROM audit_events WHERE seq = 1"],
)
def test_database_triggers_refuse_raw_sql(db: Database, sql: str) -> None:
    _append(db, 1)
    with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as conn:
        conn.execute(text(sql))
    assert _verify(db) == []


def test_verify_detects_an_edited_row(db: Database) -> None:
    _append(db, 4)
    _bypass_triggers(db, "UPDATE audit_events SET details = '{\"i\":99}' WHERE seq = 2")
    assert _verify(db) == ["row 2: content does not match its hash (edited)"]


def test_verify_detects_a_deleted_row(db: Database) -> None:
    _append(db, 4)
    _bypass_triggers(db, "DELETE FROM audit_events WHERE seq = 3")
    assert _verify(db) == ["rows 3..3 are missing (deleted)"]


def test_verify_detects_a_cut_tail(db: Database) -> None:
    _append(db, 4)
    _bypass_triggers(db, "DELETE FROM audit_events WHERE seq >= 3")
    problems = _verify(db)
    assert len(problems) == 1 and "ends at row 2" in problems[0]


def test_verify_detects_a_rehashed_row(db: Database) -> None:
    """Editing a row and recomputing its own hash still breaks the next row's link."""
    from cbclassify.store.audit import HASHED_FIELDS, row_hash

    _append(db, 3)
    with db.read_session() as s:
        row = s.get_one(AuditEvent, 2)
        values = {f: getattr(row, f) for f in HASHED_FIELDS} | {"actor": "mallory"}
    forged = row_hash(values)
    _bypass_triggers(
        db, f"UPDATE audit_events SET actor = 'mallory', hash = '{forged}' WHERE seq = 2"
    )
    assert _verify(db) == ["row 3: previous-hash link broken"]


def test_concurrent_appends_never_fork_the_chain(db: Database) -> None:
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            _append(db, 5)
        except Exception as err:  # noqa: BLE001 - reported below
            errors.append(err)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with db.read_session() as s:
        report = verify_chain(s)
    assert report.ok and report.rows_checked == 20


def test_export_by_case_and_date_range(db: Database) -> None:
    import io
    from datetime import UTC, datetime, timedelta

    from cbclassify.service.exports import write_audit_csv
    from cbclassify.store.audit_queries import audit_events

    _append(db, 3)  # cases 0, 1, 2 of practice 1
    with db.transaction() as s:
        append_audit(s, ALICE, "auth.login")  # a system row (no practice)
        append_audit(s, ALICE, "case.read", practice_id=2, case_id=9)
    today = datetime.now(UTC).date()
    with db.read_session() as s:
        case_rows = [r.seq for r in audit_events(s, [1], case_id=1)]
        week = {"start": today - timedelta(days=1), "end": today}
        scoped = [r.action for r in audit_events(s, [1], **week)]
        with_global = [r.action for r in audit_events(s, [1], **week, include_system=True)]
        tomorrow = list(audit_events(s, [1], start=today + timedelta(days=1)))
        out = io.StringIO()
        count = write_audit_csv(audit_events(s, None), out)
    assert case_rows == [2]
    assert scoped == ["case.read"] * 3  # practice 2 and the global sign-in left out
    assert with_global == ["case.read"] * 3 + ["auth.login"]  # for user administrators
    assert tomorrow == [] and count == 5
    header, first = out.getvalue().splitlines()[:2]
    assert header.startswith("seq,occurred_at,actor,actor_id,action") and first.startswith("1,")
