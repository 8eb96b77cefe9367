"""The service CLI: first admin, practices, ingest-ledger, export-resolutions, audit verify/export."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
import typer
from ledger_factory import tiny_ledger
from sqlalchemy import select
from typer.testing import CliRunner

from cbclassify.cli import service_cmds
from cbclassify.ledger_io import write_ledger
from cbclassify.settings import get_settings
from cbclassify.store.cases import apply_command
from cbclassify.store.db import Database
from cbclassify.store.models_auth import User
from cbclassify.store.models_cases import CreditCase
from cbclassify.workflow import Completion, Proposal

from .helpers import PASSWORD, acting


@pytest.fixture
def cli() -> typer.Typer:
    app = typer.Typer()
    service_cmds.register(app)
    return app


def _run(cli: typer.Typer, *args: str, stdin: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), input=stdin)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def _db() -> Database:
    return Database.from_url(get_settings().resolved_database_url)


def _setup(cli: typer.Typer, tmp_path: Path) -> Path:
    assert _run(cli, "practices", "add", "sunrise", "--name", "Sunrise PT")[0] == 0
    code, out = _run(
        cli,
        "users",
        "add",
        "alice",
        "--role",
        "biller",
        "--role",
        "manager",
        "--practice",
        "sunrise",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert code == 0, out
    ledger_dir = tmp_path / "ledger"
    write_ledger(tiny_ledger(), ledger_dir)
    return ledger_dir


def test_first_admin_and_token(cli: typer.Typer) -> None:
    code, out = _run(
        cli, "users", "add", "root", "--role", "admin", "--password-stdin", stdin=PASSWORD + "\n"
    )
    assert code == 0 and "created" in out
    assert (
        _run(
            cli,
            "users",
            "add",
            "root",
            "--role",
            "admin",
            "--password-stdin",
            stdin=PASSWORD + "\n",
        )[0]
        == 1
    )
    code, out = _run(cli, "users", "token", "root", "--name", "bootstrap")
    assert code == 0 and out.strip().startswith("cbc_")
    code, out = _run(
        cli, "users", "add", "weak", "--role", "admin", "--password-stdin", stdin="x\n"
    )
    assert code == 1 and "at least" in out


def test_ingest_export_and_audit_cycle(cli: typer.Typer, tmp_path: Path) -> None:
    ledger_dir = _setup(cli, tmp_path)
    code, out = _run(cli, "ingest-ledger", str(ledger_dir), "--practice", "sunrise", "--no-model")
    assert code == 0 and "1 credit(s), 1 new case(s)" in out, out
    code, out = _run(cli, "ingest-ledger", str(ledger_dir), "--practice", "sunrise", "--no-model")
    assert code == 0 and "0 new case(s)" in out
    assert _run(cli, "ingest-ledger", str(ledger_dir), "--practice", "nope", "--no-model")[0] == 1

    db = _db()
    with db.transaction() as s:
        user = acting(s.scalars(select(User)).one())
        case = s.scalars(select(CreditCase)).one()
        for command, payload in [
            ("start_review", None),
            ("propose", Proposal("refund_patient", "patient_credit", reason="patient paid twice")),
            ("complete", Completion(refund_date=date.today(), reference="card")),
        ]:
            apply_command(
                s,
                case.id,
                user,
                command,
                payload,
                expected_version=case.version,
                default_threshold_cents=50_000,
            )
    db.dispose()
    out_csv = tmp_path / "resolutions.csv"
    code, out = _run(cli, "export-resolutions", "--practice", "sunrise", "--out", str(out_csv))
    assert code == 0 and "1 resolution(s)" in out
    rows = list(csv.DictReader(out_csv.open()))
    assert rows == [
        {
            "claim_id": "CL2",
            "source": "patient_credit",
            "action": "refund_patient",
            "amount": "20.00",
            "resolved_date": str(date.today()),
            "resolved_by": "alice",
            "identified_date": "2024-03-01",
        }
    ]

    code, out = _run(cli, "audit", "verify")
    assert code == 0 and "intact" in out
    trail = tmp_path / "trail.csv"
    code, out = _run(cli, "audit", "export", "--case", str(case.id), "--out", str(trail))
    assert code == 0
    actions = [r["action"] for r in csv.DictReader(trail.open())]
    assert actions == ["case.start_review", "case.propose", "case.complete"]


def test_audit_verify_fails_on_a_tampered_row(cli: typer.Typer, tmp_path: Path) -> None:
    _setup(cli, tmp_path)
    db = _db()
    with db.engine.begin() as conn:
        conn.exec_driver_sql("DROP TRIGGER audit_events_no_update")
        conn.exec_driver_sql("UPDATE audit_events SET actor = 'mallory' WHERE seq = 1")
    db.dispose()
    code, out = _run(cli, "audit", "verify")
    assert code == 1 and "row 1: content does not match its hash (edited)" in out


def test_users_password_and_deactivate_revoke_the_users_tokens(cli: typer.Typer) -> None:
    from cbclassify.store.accounts import user_for_token

    stdin = PASSWORD + "\n"
    assert (
        _run(cli, "users", "add", "Root", "--role", "admin", "--password-stdin", stdin=stdin)[0]
        == 0
    )
    token = _run(cli, "users", "token", "root")[1].strip()
    code, out = _run(
        cli, "users", "password", " ROOT", "--password-stdin", stdin="new pass phrase here\n"
    )
    assert code == 0 and "revoked" in out
    db = _db()
    try:
        with db.read_session() as s:
            assert user_for_token(s, token) is None
        token = _run(cli, "users", "token", "root")[1].strip()
        assert _run(cli, "users", "deactivate", "root")[0] == 0
        with db.read_session() as s:
            assert user_for_token(s, token) is None
            assert s.scalar(select(User.is_active)) is False
    finally:
        db.dispose()
    assert (
        _run(cli, "users", "password", "root", "--password-stdin", stdin="password1234\n")[0] != 0
    )
    assert _run(cli, "users", "deactivate", "nobody")[0] != 0
