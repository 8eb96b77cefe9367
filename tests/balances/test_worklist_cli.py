"""``cbclassify worklist`` end to end on a tiny ledger folder written with ledger_io."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from cbclassify.cli import worklist_cmds
from cbclassify.ledger_io import write_ledger

from .builders import line, make_ledger, txn


def _app() -> typer.Typer:
    app = typer.Typer()
    worklist_cmds.register(app)

    @app.command("version")
    def _version() -> None:  # a second command keeps typer in multi-command mode
        """Unused."""

    return app


def _plain(text: str) -> str:
    """Output without rich's panel borders and line wrapping."""
    return " ".join(text.replace("│", " ").split())


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(_app(), ["worklist", *map(str, args)])
    return result.exit_code, result.output


@pytest.fixture
def ledger_dir(tmp_path: Path) -> Path:
    """As of 2024-03-31: C1 Medicare credit 1,234.56 since 02-10 (50 days, LOC1);
    C2 self-pay credit 10.00 since 03-21 (10 days, LOC2); C3 Aetna open 25.00 (same patient)."""
    ledger = make_ledger(
        [
            line("C1", charge="1500.00", payer="MCR", service="2024-01-20", billed="2024-01-22"),
            line("C2", charge="90.00", payer=None, location="LOC2", billed="2024-03-01"),
            line("C3", charge="25.00", billed="2024-03-01"),
        ],
        [
            txn("C1", "payment", "1500.00", "2024-02-01", payer="MCR"),
            txn("C1", "payment", "1234.56", "2024-02-10", payer="MCR"),
            txn("C2", "payment", "100.00", "2024-03-21", source="patient"),
            txn("C3", "responsibility", "25.00", "2024-03-31", group_code="PR"),
        ],
    )
    out = tmp_path / "ledger"
    write_ledger(ledger, out)
    return out


def test_table_shows_money_dates_and_totals(ledger_dir: Path) -> None:
    code, output = _run(ledger_dir)
    assert code == 0, output
    assert "Credit balances as of 2024-03-31" in output
    assert "$1,234.56" in output and "$10.00" in output
    assert "2024-02-10" in output and "Medicare Part B" in output and "Self-pay" in output
    assert "$25.00 (1 claim)" in output  # what the patient still owes on C3
    assert (
        "2 credits totalling $1,244.56 across 2 payers and 2 locations; oldest 50 days." in output
    )
    assert output.index("C1") < output.index("C2")  # oldest first by default


def test_filters_and_as_of(ledger_dir: Path) -> None:
    code, output = _run(ledger_dir, "--payer", "self-pay")
    assert code == 0, output
    assert "1 credit totalling $10.00 across 1 payer and 1 location; oldest 10 days" in output
    assert "filtered from 2 in the ledger" in output
    assert "$1,234.56" not in output
    code, output = _run(ledger_dir, "--older-than", "10")
    assert "1 credit totalling $1,234.56" in output  # age 10 is not older than 10 days
    code, output = _run(ledger_dir, "--min-amount", "10.01")
    assert "1 credit totalling $1,234.56" in output
    code, output = _run(ledger_dir, "--as-of", "2024-03-01")
    assert "Credit balances as of 2024-03-01" in output
    assert "1 credit totalling $1,234.56 across 1 payer and 1 location; oldest 20 days" in output
    code, output = _run(ledger_dir, "--location", "LOC9")
    assert code == 0 and "No credit balances as of 2024-03-31 match the filters" in output


def test_sort_and_limit(ledger_dir: Path) -> None:
    code, output = _run(ledger_dir, "--sort", "age", "--asc", "--limit", "1")
    assert code == 0, output
    assert "C2" in output and "C1 " not in output
    assert "Showing 1 of 2 rows" in output
    assert "2 credits totalling $1,244.56" in output  # totals cover every matching row


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_out_file_has_contract_money(ledger_dir: Path, tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"worklist{suffix}"
    code, output = _run(ledger_dir, "--sort", "amount", "--out", out)
    assert code == 0, output
    assert f"Wrote 2 row(s) to {out}" in output
    frame = (
        pd.read_csv(out, dtype=str, keep_default_na=False)
        if suffix == ".csv"
        else pd.read_parquet(out).astype(str)
    )
    assert frame["claim_id"].tolist() == ["C1", "C2"]
    assert frame["credit_amount"].tolist() == ["1234.56", "10.00"]
    assert frame["credit_since"].tolist() == ["2024-02-10", "2024-03-21"]
    assert frame["patient_open_balance"].tolist() == ["25.00", "25.00"]
    assert set(frame["as_of"]) == {"2024-03-31"}


@pytest.mark.parametrize(
    "args, words",
    [
        (["--sort", "balance"], "unknown sort key 'balance'"),
        (["--out", "worklist.xlsx"], ".csv or .parquet"),
        (["--min-amount", "ten"], "expected an amount"),
        (["--as-of", "03/31/2024"], "YYYY-MM-DD"),
        (["--payer-type", "hmo"], "unknown payer type"),
    ],
)
def test_bad_options_exit_2_with_a_reason(ledger_dir: Path, args: list[str], words: str) -> None:
    code, output = _run(ledger_dir, *args)
    assert code == 2
    assert words in _plain(output)


def test_invalid_ledger_prints_the_problems_and_exits_1(ledger_dir: Path) -> None:
    lines = ledger_dir / "claim_lines.csv"
    text = lines.read_text().splitlines()
    text[2] = text[2].replace("90.00", "ninety")
    lines.write_text("\n".join(text) + "\n")
    code, output = _run(ledger_dir)
    assert code == 1
    assert "claim_lines.csv" in output and "row 3" in output and "charge_amount" in output
    assert "was not loaded" in output
