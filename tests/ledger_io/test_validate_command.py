"""``cbclassify validate LEDGER_DIR`` through a Typer app holding only the ledger commands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from ledger_factory import tiny_ledger
from typer.testing import CliRunner

from cbclassify.cli.ledger_cmds import register
from cbclassify.ledger_io import write_ledger


@pytest.fixture()
def app() -> typer.Typer:
    application = typer.Typer()
    register(application)

    @application.callback()
    def _root() -> None:  # keeps "validate" a named sub-command
        """Test app."""

    return application


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    out = tmp_path / "ledger"
    write_ledger(tiny_ledger(), out, fmt="csv")
    return out


def test_valid_ledger_prints_ok_with_counts(app: typer.Typer, folder: Path) -> None:
    result = CliRunner().invoke(app, ["validate", str(folder)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("OK: 4 claim lines (3 claims), 15 transactions, 2 payers, ")
    assert "as of 2024-03-01" in result.output


def test_invalid_ledger_lists_every_issue_and_exits_1(app: typer.Typer, folder: Path) -> None:
    path = folder / "claim_lines.csv"
    path.write_text(path.read_text().replace("2024-01-08", "2024-01-32").replace("PT2", "PT7"))
    (folder / "remittances.csv").write_bytes(b"")
    result = CliRunner().invoke(app, ["validate", str(folder)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert (
        "claim_lines.csv, row 4, column patient_id: patient_id 'PT7' is not in patients.csv;"
        " expected a patient_id listed there" in lines
    )
    assert any(
        line.startswith("claim_lines.csv, row 4, column service_date: expected a date")
        for line in lines
    )
    assert any(line.startswith("remittances.csv: the file is empty") for line in lines)
    assert lines[-1].startswith("3 problem(s) in ")
    assert "Traceback" not in result.output


def test_json_output(app: typer.Typer, folder: Path) -> None:
    (folder / "patients.csv").write_text("patient_id,state\nPT1,PA\nPT2,\n")
    result = CliRunner().invoke(app, ["validate", str(folder), "--json"])
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["ok"] is False
    assert report["issues"] == [
        {
            "file": "patients.csv",
            "row": 3,
            "column": "state",
            "message": "required value is blank; expected a value",
        }
    ]


def test_as_of_option_is_used_and_checked(app: typer.Typer, folder: Path) -> None:
    path = folder / "resolutions.csv"
    path.write_text(path.read_text().replace("2024-02-15", ""))  # blank identified_date
    assert CliRunner().invoke(app, ["validate", str(folder)]).exit_code == 1
    assert (
        CliRunner().invoke(app, ["validate", str(folder), "--as-of", "2024-02-20"]).exit_code == 0
    )
    bad = CliRunner().invoke(app, ["validate", str(folder), "--as-of", "20/02/2024"])
    assert bad.exit_code == 2 and "expected a date YYYY-MM-DD" in bad.output


def test_missing_folder_is_reported_without_traceback(app: typer.Typer, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["validate", str(tmp_path / "missing")])
    assert result.exit_code == 1
    assert "the ledger folder does not exist" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
