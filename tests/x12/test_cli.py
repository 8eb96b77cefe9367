"""``cbclassify ingest-835`` end to end: files in, a contract-valid ledger folder out."""

from __future__ import annotations

import ast
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from cbclassify.cli import x12_cmds
from cbclassify.contract.ledger import Ledger

FIXTURES = Path(__file__).parent / "fixtures"


def _app() -> typer.Typer:
    app = typer.Typer()
    x12_cmds.register(app)

    @app.command("version")
    def _version() -> None:  # a second command keeps typer in multi-command mode
        """Unused."""

    return app


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(_app(), ["ingest-835", *args])
    return result.exit_code, result.output


def _read_ledger() -> Callable[[Path], Ledger]:
    """helper A's contract reader; skip (not fail) while it does not exist yet."""
    module = pytest.importorskip("cbclassify.ledger_io.read")
    return module.read_ledger  # type: ignore[no-any-return]


def test_registered_in_the_main_app() -> None:
    # read main.py's COMMAND_MODULES without importing it (other groups may still be in progress)
    source = Path(x12_cmds.__file__).with_name("main.py").read_text()
    tree = ast.parse(source)
    (modules,) = [
        ast.literal_eval(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.AnnAssign) and getattr(node.target, "id", "") == "COMMAND_MODULES"
    ]
    assert "x12_cmds" in modules


def test_fixture_folder_converts_to_a_valid_ledger(tmp_path: Path) -> None:
    read_ledger = _read_ledger()
    out = tmp_path / "ledger"
    code, output = _run(str(FIXTURES), "--out", str(out))
    assert code == 0, output
    ledger = read_ledger(out)  # raises LedgerValidationError when not contract-valid
    assert len(ledger.remittances) == 4 and not ledger.remittances["balanced"].all()
    assert "Remittances (ERAs) converted: 4" in output
    assert "Unbalanced remittances: 1; duplicate ERAs: 1; errors (not converted): 0." in output
    assert "unbalanced_5010.835, segment 3 (ST 7001)" in output
    assert "Payments posted: $1,057.80" in output
    for identifier in ("TESTPATIENT", "M123456", "PT1001"):  # no patient/claim ids printed
        assert identifier not in output


def test_shared_samples_through_the_cli(shared_x12_dir: Path, tmp_path: Path) -> None:
    read_ledger = _read_ledger()
    out = tmp_path / "ledger"
    code, output = _run(str(shared_x12_dir), "--out", str(out), "--state", "pa")
    assert code == 1, output  # the folder holds 837s and a README: converted the rest, exit 1
    assert "3 of 14 file(s) failed" in output and "SOURCES.md" in output
    ledger = read_ledger(out)
    assert len(ledger.remittances) == 14
    assert set(ledger.patients["state"]) >= {"PA"}
    assert "errors (not converted): 3" in output
    assert "lfh_837p_demo.example1.837, segment 3 (ST 0021): not an 835" in output


def test_merge_into_an_existing_ledger_keeps_it_valid(tmp_path: Path) -> None:
    read_ledger = _read_ledger()
    out = tmp_path / "ledger"
    therapy = str(FIXTURES / "therapy_5010.835")
    assert _run(therapy, "--out", str(out), "--format", "parquet")[0] == 0
    code, output = _run(therapy, str(FIXTURES / "unbalanced_5010.835"), "--out", str(out))
    assert code == 0, output
    assert "already in the ledger" in output and "merged into" in output
    assert sorted(p.suffix for p in out.iterdir()) == [".parquet"] * 6  # format kept
    ledger = read_ledger(out)
    assert len(ledger.remittances) == 3
    assert ledger.claim_lines["claim_id"].nunique() == 6


def test_nothing_converted_exits_non_zero_and_writes_nothing(
    shared_x12_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "ledger"
    code, output = _run(str(shared_x12_dir / "lfh_837p_demo.example1.837"), "--out", str(out))
    assert code == 1
    assert "not an 835" in output and "no ledger was written" in output
    assert not out.exists()


def test_an_invalid_existing_ledger_is_left_alone(tmp_path: Path) -> None:
    _read_ledger()
    out = tmp_path / "ledger"
    out.mkdir()
    (out / "payers.csv").write_text("payer_id,payer_name,payer_type\nP1,Acme,not-a-type\n")
    code, output = _run(str(FIXTURES / "therapy_5010.835"), "--out", str(out))
    assert code == 1
    assert "payers.csv" in output
    assert sorted(p.name for p in out.iterdir()) == ["payers.csv"]


def test_bad_options_are_refused(tmp_path: Path) -> None:
    code, output = _run(str(FIXTURES), "--out", str(tmp_path / "o"), "--state", "Penn")
    assert code == 2 and "two-letter" in output
    code, output = _run(str(tmp_path / "missing.835"), "--out", str(tmp_path / "o"))
    assert code == 2 and "not found" in output


def test_one_bad_file_does_not_stop_the_batch(tmp_path: Path) -> None:
    batch = tmp_path / "in"
    batch.mkdir()
    shutil.copy(FIXTURES / "therapy_5010.835", batch / "good.835")
    (batch / "bad.835").write_bytes(b"\xff\xfe not x12")
    code, output = _run(str(batch), "--out", str(tmp_path / "ledger"))
    assert code == 1, output  # a partial failure: the good file converted, the bad one listed
    assert "bad.835, segment 1: not an X12 interchange" in output
    assert "1 of 2 file(s) failed" in output and output.rstrip().endswith("bad.835")
    assert "Remittances (ERAs) converted: 1" in output
