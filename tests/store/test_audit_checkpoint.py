"""Issue 14, failure 9: a cut-off tail with a rewritten head verified as intact, and
``audit_head`` had no trigger. Now the head only moves forward along the chain (database
triggers, SQLite and PostgreSQL), and a checkpoint kept outside the database catches any
truncation or rewrite before it, even by someone who dropped every trigger."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from cbclassify.cli import service_cmds
from cbclassify.settings import get_settings
from cbclassify.store.audit import (
    GENESIS_HASH,
    AuditActor,
    Checkpoint,
    CheckpointError,
    append_audit,
    current_head,
    parse_checkpoint,
    verify_chain,
)
from cbclassify.store.db import Database
from cbclassify.store.models_audit import AuditEvent

ALICE = AuditActor(7, "alice")


def _append(db: Database, n: int, start: int = 0) -> None:
    for i in range(start, start + n):
        with db.transaction() as s:
            append_audit(s, ALICE, "case.read", practice_id=1, case_id=i, details={"i": i})


def _head(db: Database) -> Checkpoint:
    with db.read_session() as s:
        return current_head(s)


def _drop_every_guard(db: Database) -> None:
    """What someone with full database access could do before cutting the trail."""
    with db.engine.begin() as conn:
        if db.engine.dialect.name == "sqlite":
            for trigger in (
                "audit_events_no_update",
                "audit_events_no_delete",
                "audit_head_forward_only",
                "audit_head_no_delete",
                "audit_head_single_row",
            ):
                conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {trigger}")
        else:
            conn.exec_driver_sql("ALTER TABLE audit_events DISABLE TRIGGER USER")
            conn.exec_driver_sql("ALTER TABLE audit_head DISABLE TRIGGER USER")


def _cut_tail_and_rewrite_head(db: Database, keep: int) -> None:
    with db.read_session() as s:
        last_kept = s.get_one(AuditEvent, keep).hash
    _drop_every_guard(db)
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_events WHERE seq > :k"), {"k": keep})
        conn.execute(
            text("UPDATE audit_head SET seq = :k, hash = :h WHERE id = 1"),
            {"k": keep, "h": last_kept},
        )


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_head SET seq = seq - 1",
        "UPDATE audit_head SET hash = '" + "f" * 64 + "'",
        "UPDATE audit_head SET seq = seq + 1",
        "DELETE FROM audit_head",
        "INSERT INTO audit_head (id, seq, hash) VALUES (2, 0, '" + "0" * 64 + "')",
    ],
)
def test_audit_head_is_guarded_by_triggers(db: Database, sql: str) -> None:
    _append(db, 3)
    before = _head(db)
    with pytest.raises(DBAPIError, match="audit_head only moves forward"), db.engine.begin() as c:
        c.execute(text(sql))
    assert _head(db) == before
    with db.read_session() as s:
        assert verify_chain(s).ok


def test_appends_still_move_the_head_forward(db: Database) -> None:
    _append(db, 2)
    with db.transaction() as s:  # several appends in one transaction
        for i in range(3):
            append_audit(s, ALICE, "case.read", case_id=100 + i)
    head = _head(db)
    with db.read_session() as s:
        report = verify_chain(s, head)
        assert report.ok and head.seq == 5 and s.get_one(AuditEvent, 5).hash == head.hash


def test_truncation_with_rewritten_head_is_caught_by_the_checkpoint(db: Database) -> None:
    _append(db, 6)
    kept = _head(db)  # kept elsewhere, e.g. in a ticket
    _cut_tail_and_rewrite_head(db, keep=4)
    with db.read_session() as s:
        assert verify_chain(s).ok  # the chain alone cannot tell (the reported failure)
        report = verify_chain(s, kept)
    assert report.problems == [
        "checkpoint row 6 is gone: the trail ends at row 4 (rows cut off before the checkpoint)"
    ]


def test_rewrite_before_the_checkpoint_is_caught(db: Database) -> None:
    """Everything re-written from row 2 on and re-hashed, head included: only the checkpoint
    can tell."""
    from cbclassify.store.audit import HASHED_FIELDS, row_hash

    _append(db, 4)
    kept = _head(db)
    with db.read_session() as s:
        rows = [
            {f: getattr(r, f) for f in HASHED_FIELDS}
            for r in s.query(AuditEvent).order_by(AuditEvent.seq)
        ]
    _drop_every_guard(db)
    prev = rows[0]["prev_hash"]
    with db.engine.begin() as conn:
        for values in rows:
            values = {**values, "prev_hash": prev}
            if values["seq"] >= 2:
                values["actor"] = "mallory"
            digest = row_hash(values)
            conn.execute(
                text(
                    "UPDATE audit_events SET actor = :a, prev_hash = :p, hash = :h WHERE seq = :s"
                ),
                {"a": values["actor"], "p": prev, "h": digest, "s": values["seq"]},
            )
            prev = digest
        conn.execute(text("UPDATE audit_head SET hash = :h WHERE id = 1"), {"h": prev})
    with db.read_session() as s:
        assert verify_chain(s).ok
        assert verify_chain(s, kept).problems == [
            "row 4 differs from the checkpoint (the trail up to it was rewritten)"
        ]


def test_an_older_checkpoint_still_verifies_after_more_appends(db: Database) -> None:
    _append(db, 3)
    kept = _head(db)
    _append(db, 3, start=3)
    with db.read_session() as s:
        assert verify_chain(s, kept).ok
        assert verify_chain(s, Checkpoint(0, GENESIS_HASH)).ok


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("not json", "ck.json: not JSON"),
        ('{"seq": -1, "hash": "' + "a" * 64 + '"}', "ck.json: field seq"),
        ('{"seq": "3", "hash": "' + "a" * 64 + '"}', "ck.json: field seq"),
        ('{"seq": 3, "hash": "abc"}', "ck.json: field hash"),
        ("[1, 2]", "ck.json: field seq"),
    ],
)
def test_bad_checkpoint_files_name_the_file_and_field(content: str, needle: str) -> None:
    with pytest.raises(CheckpointError, match=needle):
        parse_checkpoint(content, "ck.json")


@pytest.fixture
def cli() -> typer.Typer:
    app = typer.Typer()
    service_cmds.register(app)
    return app


def _run(cli: typer.Typer, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def test_cli_checkpoint_then_verify_detects_truncation(cli: typer.Typer, tmp_path: Path) -> None:
    assert _run(cli, "db", "upgrade")[0] == 0
    db = Database.from_url(get_settings().resolved_database_url)
    _append(db, 5)
    ck = tmp_path / "kept" / "checkpoint.json"
    code, out = _run(cli, "audit", "checkpoint", "--out", str(ck))
    head = _head(db)
    assert code == 0 and head.to_json() in out
    assert parse_checkpoint(ck.read_text(), "ck") == head
    code, out = _run(cli, "audit", "verify", "--checkpoint", str(ck))
    assert code == 0 and "matches checkpoint at row 5" in out, out
    _cut_tail_and_rewrite_head(db, keep=3)
    db.dispose()
    assert _run(cli, "audit", "verify")[0] == 0  # the chain alone looks intact
    code, out = _run(cli, "audit", "verify", "--checkpoint", str(ck))
    assert code == 1 and "checkpoint row 5 is gone" in out, out
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    code, out = _run(cli, "audit", "verify", "--checkpoint", str(bad))
    assert code == 1 and "bad.json: field seq" in out, out
