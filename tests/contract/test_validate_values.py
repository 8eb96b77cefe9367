"""One bad value per rule: each issue names the exact file, line and column."""

from __future__ import annotations

import pandas as pd
import pytest
from ledger_factory import tiny_ledger

from cbclassify.contract.schema import TABLES
from cbclassify.contract.validate import check_table, validate_table

from .helpers import check, issues_at, only_issue, raw_tables, set_cell


def test_the_tiny_ledger_is_valid_and_round_trips_to_identical_frames() -> None:
    result = check(raw_tables())
    assert result.issues == []
    expected = tiny_ledger()
    for name in TABLES:
        pd.testing.assert_frame_equal(result.ledger.table(name), expected.table(name))


def test_missing_required_column_is_a_file_level_issue() -> None:
    raw = raw_tables()
    raw["payers"] = raw["payers"].drop(columns="payer_type")
    issue = only_issue(raw)
    assert (issue.file, issue.row, issue.column) == ("payers.csv", None, "payer_type")
    assert "required column payer_type is missing" in issue.message
    assert "payer_id, payer_name" in issue.message


def test_missing_optional_column_is_fine_and_loads_as_na() -> None:
    raw = raw_tables()
    raw["payers"] = raw["payers"].drop(columns="allows_offset")
    result = check(raw)
    assert result.issues == []
    assert result.ledger.payers["allows_offset"].isna().all()
    assert str(result.ledger.payers["allows_offset"].dtype) == "boolean"


def test_semicolon_header_gets_a_hint() -> None:
    raw = raw_tables()
    raw["patients"] = pd.DataFrame({"patient_id;state": pd.Series(["PT1;PA", "PT2;NJ"])})
    messages = [i.message for i in check(raw).issues if i.file == "patients.csv"]
    assert messages and all("separated by ';'" in m for m in messages)


@pytest.mark.parametrize(
    ("table", "line", "column", "value", "expected"),
    [
        ("claim_lines", 4, "provider_id", "", "required value is blank"),
        ("claim_lines", 3, "charge_amount", "  ", "required value is blank"),
        ("transactions", 5, "amount", "12.345", "found '12.345'"),
        ("transactions", 7, "amount", "twelve", "found 'twelve'"),
        ("transactions", 7, "allowed_amount", "1,000.00", "found '1,000.00'"),
        ("claim_lines", 4, "charge_amount", "0.00", "expected a value greater than 0"),
        ("claim_lines", 5, "charge_amount", "-200.00", "expected a value greater than 0"),
        ("claim_lines", 2, "service_date", "01/05/2024", "expected a date YYYY-MM-DD"),
        ("transactions", 9, "posted_date", "2024-02-30", "(no such calendar date)"),
        ("transactions", 9, "posted_date", "2024-1-30", "found '2024-1-30'"),
        ("claim_lines", 3, "units", "1.5", "expected a whole number"),
        ("claim_lines", 3, "units", "0", "expected a value greater than 0"),
        ("claim_lines", 5, "line_no", "-1", "expected a value greater than 0"),
        ("transactions", 3, "line_no", "0x1", "expected a whole number"),
        ("payers", 3, "refund_deadline_days", "thirty", "expected a whole number"),
        ("payers", 3, "allows_offset", "yes", "expected true or false; found 'yes'"),
        ("remittances", 2, "balanced", "1", "expected true or false; found '1'"),
        ("fee_schedule", 2, "allowed_per_unit", "-5.00", "expected a value 0 or more"),
    ],
)
def test_bad_value_is_reported_at_its_cell(
    table: str, line: int, column: str, value: str, expected: str
) -> None:
    raw = raw_tables()
    set_cell(raw, table, line, column, value)
    issue = only_issue(raw)
    assert (issue.file, issue.row, issue.column) == (f"{table}.csv", line, column)
    assert expected in issue.message


def test_unknown_enum_value_lists_the_allowed_values() -> None:
    raw = raw_tables()
    set_cell(raw, "transactions", 6, "kind", "payout")
    issue = only_issue(raw)
    assert (issue.file, issue.row, issue.column) == ("transactions.csv", 6, "kind")
    assert "one of payment, adjustment, responsibility, refund, transfer" in issue.message
    assert "found 'payout'" in issue.message


def test_enum_values_are_case_sensitive_but_bools_are_not() -> None:
    raw = raw_tables()
    set_cell(raw, "transactions", 2, "method", "ERA")
    set_cell(raw, "payers", 3, "allows_offset", "TRUE")
    result = check(raw)
    assert [(i.file, i.row, i.column) for i in result.issues] == [("transactions.csv", 2, "method")]


def test_surrounding_spaces_are_ignored() -> None:
    raw = raw_tables()
    set_cell(raw, "transactions", 2, "amount", " 80.00 ")
    set_cell(raw, "transactions", 2, "claim_id", "CL1 ")
    set_cell(raw, "transactions", 2, "posted_date", " 2024-01-20")
    result = check(raw)
    assert result.issues == []
    txns = result.ledger.transactions
    assert txns.loc[0, "amount_cents"] == 8000 and txns.loc[0, "claim_id"] == "CL1"


def test_extra_columns_are_ignored() -> None:
    raw = raw_tables()
    raw["transactions"]["biller_note"] = "anything, even 1.2345 or 2024-13-45"
    raw["payers"].insert(0, "internal_code", ["x", ""])
    result = check(raw)
    assert result.issues == []
    assert "biller_note" not in result.ledger.transactions.columns
    assert "internal_code" not in result.ledger.payers.columns


def test_duplicate_single_key_names_both_lines() -> None:
    raw = raw_tables()
    set_cell(raw, "transactions", 9, "txn_id", "T03")
    issue = only_issue(raw)
    assert (issue.file, issue.row, issue.column) == ("transactions.csv", 9, "txn_id")
    assert "duplicate txn_id 'T03': also on line 4" in issue.message


def test_duplicate_composite_key_names_both_lines() -> None:
    raw = raw_tables()
    set_cell(raw, "claim_lines", 3, "line_no", "1")  # CL1 line 2 -> a second CL1 line 1
    result = check(raw)
    dup = issues_at(result, "claim_lines.csv", 3, "claim_id")
    assert len(dup) == 1
    assert "duplicate (claim_id, line_no) 'CL1', '1': also on line 2" in dup[0].message


def test_repeated_header_column_is_reported() -> None:
    raw = raw_tables()
    patients = raw["patients"]
    raw["patients"] = pd.concat([patients, patients[["state"]]], axis=1)
    issue = only_issue(raw)
    assert (issue.file, issue.row, issue.column) == ("patients.csv", None, "state")
    assert "appears more than once" in issue.message


def test_validate_table_returns_memory_dtypes() -> None:
    frame, issues = validate_table(TABLES["transactions"], raw_tables()["transactions"], "t.csv")
    assert issues == []
    assert str(frame["amount_cents"].dtype) == "Int64"
    assert str(frame["line_no"].dtype) == "Int64"
    assert str(frame["posted_date"].dtype) == "datetime64[ns]"
    assert str(frame["kind"].dtype) == "string"
    assert frame["line_no"].isna().sum() == 2  # T11, T12 are claim-level postings


def test_issue_objects_are_capped_per_rule_with_a_summary() -> None:
    rows = 1_010
    raw = pd.DataFrame(
        {
            "patient_id": pd.Series([f"P{i}" for i in range(rows)], dtype="string"),
            "state": pd.Series([""] * rows, dtype="string"),
        }
    )
    result = check_table(TABLES["patients"], raw, "patients.csv")
    assert len(result.issues) == 1_001
    summary = result.issues[-1]
    assert summary.row == 1_002 and summary.column == "state"
    assert summary.message.startswith("... and 10 more rows with the same problem")
    assert result.bad_in(["state"]).sum() == rows  # every bad row still counts as bad


def test_parallel_column_parsing_gives_the_same_result(monkeypatch: pytest.MonkeyPatch) -> None:
    rows = 3_003
    raw = pd.DataFrame(
        {
            "payer_id": pd.Series([f"P{i:05d}" for i in range(rows)], dtype="string"),
            "payer_name": pd.Series(["Payer"] * rows, dtype="string"),
            "payer_type": pd.Series(["commercial", "medicaid", "Medicare"] * 1_001, dtype="string"),
            "refund_deadline_days": pd.Series(["30", "", "x"] * 1_001, dtype="string"),
            "allows_offset": pd.Series(["true", "no", ""] * 1_001, dtype="string"),
        }
    )
    serial = check_table(TABLES["payers"], raw, "payers.csv")
    monkeypatch.setattr("cbclassify.contract.validate._PARALLEL_ROWS", 10)
    threaded = check_table(TABLES["payers"], raw, "payers.csv")
    assert threaded.issues == serial.issues
    assert len(serial.issues) == 3 * 1_001  # three rules, 1,001 bad rows each: 1,000 + summary
    pd.testing.assert_frame_equal(threaded.frame, serial.frame)
