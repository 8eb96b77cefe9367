"""Reading Parquet tables: text columns and natively typed columns, validated like CSV."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from ledger_factory import tiny_ledger

from cbclassify.contract.schema import TABLES
from cbclassify.ledger_io import read_ledger, validate_ledger_dir, write_ledger


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    out = tmp_path / "ledger"
    write_ledger(tiny_ledger(), out, fmt="parquet")
    return out


def _typed_transactions(amount: pa.Array | None = None) -> pa.Table:
    """tiny_ledger's transactions with native Parquet types (int, decimal, date32)."""
    txns = tiny_ledger().transactions
    cents = txns["amount_cents"].astype("int64").tolist()
    columns = {
        name: pa.array(txns[name].astype(object).where(txns[name].notna(), None), pa.string())
        for name in TABLES["transactions"].column_names
        if name in txns.columns and str(txns[name].dtype) == "string"
    }
    columns["line_no"] = pa.array(
        txns["line_no"].astype(object).where(txns["line_no"].notna(), None), pa.int64()
    )
    columns["amount"] = (
        amount
        if amount is not None
        else pa.array([Decimal(c).scaleb(-2) for c in cents], pa.decimal128(12, 3))
    )
    allowed = txns["allowed_amount_cents"]
    columns["allowed_amount"] = pa.array(
        [None if pd.isna(c) else Decimal(int(c)).scaleb(-2) for c in allowed], pa.decimal128(9, 2)
    )
    columns["posted_date"] = pa.array(txns["posted_date"].dt.date, pa.date32())
    return pa.table(columns)


def test_parquet_round_trip_gives_identical_frames(folder: Path) -> None:
    expected = tiny_ledger()
    loaded = read_ledger(folder)
    for name in TABLES:
        pd.testing.assert_frame_equal(loaded.table(name), expected.table(name))


def test_natively_typed_columns_are_accepted(folder: Path) -> None:
    pq.write_table(_typed_transactions(), folder / "transactions.parquet")
    loaded = read_ledger(folder)
    pd.testing.assert_frame_equal(loaded.transactions, tiny_ledger().transactions)


def test_decimal_with_a_third_decimal_is_rejected_on_its_row(folder: Path) -> None:
    cents = tiny_ledger().transactions["amount_cents"].astype("int64").tolist()
    amounts = [Decimal(c).scaleb(-2) for c in cents]
    amounts[4] = Decimal("48.005")
    pq.write_table(
        _typed_transactions(pa.array(amounts, pa.decimal128(12, 3))),
        folder / "transactions.parquet",
    )
    [issue] = validate_ledger_dir(folder)
    assert (issue.file, issue.row, issue.column) == ("transactions.parquet", 6, "amount")
    assert "found '48.005'" in issue.message


def test_float_money_goes_through_its_shortest_text(folder: Path) -> None:
    cents = tiny_ledger().transactions["amount_cents"].astype("int64").tolist()
    floats = [c / 100 for c in cents]
    pq.write_table(
        _typed_transactions(pa.array(floats, pa.float64())), folder / "transactions.parquet"
    )
    assert validate_ledger_dir(folder) == []  # 80.0, 48.0, 20.0 ... read exactly
    floats[0] = 0.1 + 0.2
    pq.write_table(
        _typed_transactions(pa.array(floats, pa.float64())), folder / "transactions.parquet"
    )
    [issue] = validate_ledger_dir(folder)
    assert (issue.row, issue.column) == (2, "amount")
    assert "found '0.30000000000000004'" in issue.message


def test_timestamps_at_midnight_are_dates_other_times_are_not(folder: Path) -> None:
    table = _typed_transactions()
    stamps = pd.to_datetime(tiny_ledger().transactions["posted_date"])
    with_time = stamps.copy()
    with_time.iloc[2] += pd.Timedelta(hours=13)
    for values, expected_rows in ((stamps, []), (with_time, [4])):
        column = pa.array(values.to_numpy(), pa.timestamp("us"))
        pq.write_table(
            table.set_column(table.schema.get_field_index("posted_date"), "posted_date", column),
            folder / "transactions.parquet",
        )
        assert [i.row for i in validate_ledger_dir(folder)] == expected_rows


def test_float_whole_numbers_in_int_columns_and_native_bools(folder: Path) -> None:
    payers = pa.table(
        {
            "payer_id": ["M1", "C1"],
            "payer_name": ["Medicare Part B", "Acme Health"],
            "payer_type": pa.array(["medicare", "commercial"]).dictionary_encode(),
            "refund_deadline_days": pa.array([None, 30.0], pa.float64()),
            "allows_offset": pa.array([None, True], pa.bool_()),
            "extra_notes": pa.array([[1], [2, 3]]),  # unknown column of any type: ignored
        }
    )
    pq.write_table(payers, folder / "payers.parquet")
    loaded = read_ledger(folder)
    pd.testing.assert_frame_equal(loaded.payers, tiny_ledger().payers)


def test_unsupported_column_type_is_a_column_issue(folder: Path) -> None:
    patients = pa.table({"patient_id": ["PT1", "PT2"], "state": pa.array([["PA"], ["NJ"]])})
    pq.write_table(patients, folder / "patients.parquet")
    [issue] = validate_ledger_dir(folder)
    assert (issue.file, issue.row, issue.column) == ("patients.parquet", None, "state")
    assert "cannot hold a str value" in issue.message


def test_file_that_is_not_parquet(folder: Path) -> None:
    (folder / "patients.parquet").write_text("patient_id,state\nPT1,PA\n")
    [issue] = validate_ledger_dir(folder)
    assert issue.file == "patients.parquet" and "not a readable Parquet file" in issue.message


def test_mixed_csv_and_parquet_tables_in_one_folder(folder: Path) -> None:
    (folder / "payers.parquet").unlink()
    write_ledger(tiny_ledger(), folder / "as_csv", fmt="csv")
    (folder / "as_csv" / "payers.csv").rename(folder / "payers.csv")
    assert len(read_ledger(folder).payers) == 2
