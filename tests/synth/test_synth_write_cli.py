"""Writing a practice to a folder, reading it back, and the ``cbclassify synth`` command."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from cbclassify.cli import synth_cmds
from cbclassify.synth import TRUTH_FILE, SynthConfig, generate_practice, read_truth, write_practice


@pytest.fixture(scope="module")
def small():
    return generate_practice(SynthConfig(claims=600, seed=21, label_noise=0.1))


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_write_then_read_ledger_round_trips_and_validates(small, tmp_path: Path, fmt: str) -> None:
    ledger_io = pytest.importorskip("cbclassify.ledger_io")
    if not hasattr(ledger_io, "read_ledger"):
        pytest.skip("cbclassify.ledger_io.read_ledger is not available yet")
    written = write_practice(small, tmp_path, fmt=fmt)
    assert (tmp_path / TRUTH_FILE) in written
    assert (tmp_path / f"transactions.{fmt}").is_file()
    ledger = ledger_io.read_ledger(tmp_path)  # raises on any validation issue
    for name in ledger.table_names():
        expected = small.ledger.table(name).reset_index(drop=True)
        pd.testing.assert_frame_equal(ledger.table(name).reset_index(drop=True), expected, obj=name)


def test_truth_file_round_trips(small, tmp_path: Path) -> None:
    write_practice(small, tmp_path)
    pd.testing.assert_frame_equal(read_truth(tmp_path), small.truth)
    text = (tmp_path / TRUTH_FILE).read_text(encoding="utf-8").splitlines()
    assert text[0].startswith(
        "claim_id,source,variant,action,credit_amount_cents,identified_date,resolved"
    )
    assert len(text) == len(small.truth) + 1


def test_read_truth_names_missing_columns(tmp_path: Path) -> None:
    (tmp_path / TRUTH_FILE).write_text(
        "claim_id,source\n000000001,duplicate_payment\n", encoding="utf-8"
    )
    with pytest.raises(ValueError, match="missing columns"):
        read_truth(tmp_path)


def _app() -> typer.Typer:
    app = typer.Typer()
    synth_cmds.register(app)

    @app.callback()
    def _root() -> None:
        """Test root."""

    return app


def test_cli_writes_a_folder_and_prints_a_summary(tmp_path: Path) -> None:
    out = tmp_path / "practice"
    result = CliRunner().invoke(
        _app(),
        [
            "synth",
            "--out",
            str(out),
            "--claims",
            "300",
            "--seed",
            "4",
            "--label-noise",
            "0.02",
            "--payer-mix",
            "commercial_heavy",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "claims 300" in result.output and "payer_overpayment" in result.output
    for name in (
        "payers",
        "patients",
        "claim_lines",
        "transactions",
        "fee_schedule",
        "remittances",
    ):
        assert (out / f"{name}.csv").is_file(), name
    truth = read_truth(out)
    expected = generate_practice(
        SynthConfig(claims=300, seed=4, label_noise=0.02, payer_mix="commercial_heavy")
    )
    pd.testing.assert_frame_equal(truth, expected.truth)


def test_cli_parquet_and_bad_options(tmp_path: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(
        _app(), ["synth", "--out", str(tmp_path / "p"), "--claims", "50", "--format", "parquet"]
    )
    assert ok.exit_code == 0, ok.output
    assert (tmp_path / "p" / "claim_lines.parquet").is_file()
    bad = runner.invoke(_app(), ["synth", "--out", str(tmp_path / "q"), "--format", "xml"])
    assert bad.exit_code != 0 and "--format" in bad.output
    bad_mix = runner.invoke(_app(), ["synth", "--out", str(tmp_path / "q"), "--payer-mix", "nope"])
    assert bad_mix.exit_code != 0 and "--payer-mix" in bad_mix.output
    assert not (tmp_path / "q").exists()


def test_cli_is_registered_in_the_main_app() -> None:
    main = pytest.importorskip("cbclassify.cli.main", exc_type=ImportError)
    assert "synth_cmds" in main.COMMAND_MODULES
