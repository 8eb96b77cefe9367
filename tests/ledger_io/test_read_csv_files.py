"""Reading ledger folders of CSV files: round trip, folder rules and unreadable files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from ledger_factory import tiny_ledger

from cbclassify.contract.errors import Issue, LedgerValidationError
from cbclassify.contract.schema import TABLES
from cbclassify.ledger_io import read_ledger, validate_ledger_dir, write_ledger


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    out = tmp_path / "ledger"
    write_ledger(tiny_ledger(), out, fmt="csv")
    return out


def _where(issues: list[Issue]) -> list[tuple[str, int | None, str | None]]:
    return [(i.file, i.row, i.column) for i in issues]


def _only(issues: list[Issue]) -> Issue:
    assert len(issues) == 1, [str(i) for i in issues]
    return issues[0]


def test_csv_round_trip_gives_identical_frames(folder: Path) -> None:
    expected = tiny_ledger()
    loaded = read_ledger(folder)
    for name in TABLES:
        pd.testing.assert_frame_equal(loaded.table(name), expected.table(name))


def test_bad_value_fails_the_load_with_every_issue(folder: Path) -> None:
    path = folder / "transactions.csv"
    path.write_text(
        path.read_text().replace(
            "T05,CL1,2,payment,payer,M1,48.00", "T05,CL1,2,payment,payer,M1,48.005"
        )
    )
    with pytest.raises(LedgerValidationError) as caught:
        read_ledger(folder)
    assert _where(caught.value.issues) == [("transactions.csv", 6, "amount")]


def test_both_forms_of_a_table_is_an_error(folder: Path) -> None:
    pd.read_csv(folder / "payers.csv", dtype=str).to_parquet(folder / "payers.parquet")
    issue = _only(validate_ledger_dir(folder))
    assert issue.file == "payers.csv" and "both payers.csv and payers.parquet" in issue.message


def test_missing_required_table_and_case_mismatch(folder: Path) -> None:
    (folder / "patients.csv").unlink()
    (folder / "payers.csv").rename(folder / "Payers.CSV")
    issues = validate_ledger_dir(folder)
    by_file = {i.file: i.message for i in issues}
    assert "required table patients is missing" in by_file["patients"]
    assert "file names are case-sensitive" in by_file["Payers.CSV"]
    assert len(issues) == 2  # no orphan flood from the unreadable payers table


def test_missing_optional_tables_are_fine(folder: Path) -> None:
    for name in ("fee_schedule", "remittances", "provider_adjustments", "resolutions"):
        (folder / f"{name}.csv").unlink()
    ledger = read_ledger(folder)
    assert ledger.remittances.empty and list(ledger.remittances.columns) == list(
        TABLES["remittances"].memory_names
    )


@pytest.mark.parametrize("name", ["resolutions", "transactions"])
def test_header_only_file_is_an_empty_table(folder: Path, name: str) -> None:
    header = (folder / f"{name}.csv").read_text().splitlines()[0]
    (folder / f"{name}.csv").write_text(header)  # not even a line break
    if name == "resolutions":
        assert read_ledger(folder).resolutions.empty
    else:  # without postings, CL3's resolution no longer has a credit to refer to
        assert _where(validate_ledger_dir(folder)) == [("resolutions.csv", 2, "claim_id")]


def test_zero_byte_file_is_an_error(folder: Path) -> None:
    (folder / "resolutions.csv").write_bytes(b"")
    issue = _only(validate_ledger_dir(folder))
    assert (issue.file, issue.row) == ("resolutions.csv", None)
    assert "empty (0 bytes)" in issue.message


def test_utf8_bom_is_accepted(folder: Path) -> None:
    path = folder / "payers.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert validate_ledger_dir(folder) == []


def test_wrong_encoding_names_the_line(folder: Path) -> None:
    path = folder / "payers.csv"
    path.write_bytes(path.read_bytes().replace(b"Acme Health", "Acmé Health".encode("cp1252")))
    issue = _only(validate_ledger_dir(folder))
    assert (issue.file, issue.row) == ("payers.csv", 3)
    assert "not UTF-8" in issue.message and "0xE9" in issue.message


def test_parquet_file_named_csv_is_not_csv(folder: Path) -> None:
    pd.read_csv(folder / "patients.csv", dtype=str).to_parquet(folder / "patients.csv")
    issue = _only(validate_ledger_dir(folder))
    assert (issue.file, issue.row) == ("patients.csv", 1)
    assert "looks like a Parquet file" in issue.message


def test_binary_content_names_the_line(folder: Path) -> None:
    path = folder / "patients.csv"
    path.write_bytes(path.read_bytes() + b"PT3,\x00\x01\x02\n")
    issue = _only(validate_ledger_dir(folder))
    assert (issue.file, issue.row) == ("patients.csv", 4)
    assert "binary data" in issue.message


def test_ragged_rows_are_reported_with_their_lines(folder: Path) -> None:
    path = folder / "patients.csv"
    path.write_text("patient_id,state\nPT1,PA,extra\nPT2,NJ\nPT3\n")
    issues = validate_ledger_dir(folder)
    assert _where(issues) == [("patients.csv", 2, None), ("patients.csv", 4, None)]
    assert "expected 2 fields as in the header; found 3" in issues[0].message


def test_unterminated_quote_is_reported(folder: Path) -> None:
    path = folder / "patients.csv"
    path.write_text('patient_id,state\nPT1,PA\n"PT2,NJ\nPT3,NY\n')
    issue = _only(validate_ledger_dir(folder))
    assert issue.file == "patients.csv" and issue.row == 3


def test_quoted_line_breaks_keep_true_line_numbers(folder: Path) -> None:
    path = folder / "payers.csv"
    path.write_text(
        "payer_id,payer_name,payer_type,refund_deadline_days,allows_offset\n"
        'M1,"Medicare\nPart B",medicare,,\n'
        "\n"
        "C1,Acme Health,commercal,30,true\n"
    )
    issue = _only(validate_ledger_dir(folder))
    assert (issue.file, issue.row, issue.column) == ("payers.csv", 5, "payer_type")


def test_file_above_the_size_limit_is_refused(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    size = (folder / "transactions.csv").stat().st_size
    monkeypatch.setenv("CBCLASSIFY_MAX_FILE_BYTES", str(size - 1))
    issues = validate_ledger_dir(folder)
    assert _where(issues) == [("transactions.csv", None, None)]
    assert "above the limit" in issues[0].message and "CBCLASSIFY_MAX_FILE_BYTES" in (
        issues[0].message
    )


def test_missing_folder_is_one_clear_issue(tmp_path: Path) -> None:
    issue = _only(validate_ledger_dir(tmp_path / "nope"))
    assert "does not exist" in issue.message
    with pytest.raises(LedgerValidationError):
        read_ledger(tmp_path / "nope")


def test_problems_in_several_files_are_reported_together(folder: Path) -> None:
    (folder / "remittances.csv").write_bytes(b"")
    path = folder / "claim_lines.csv"
    path.write_text(path.read_text().replace("2024-01-08", "2024-01-32"))
    path = folder / "patients.csv"
    path.write_text(path.read_text() + "PT3\n")
    where = _where(validate_ledger_dir(folder))
    assert ("remittances.csv", None, None) in where
    assert ("claim_lines.csv", 4, "service_date") in where
    assert ("patients.csv", 4, None) in where


def test_semicolon_separated_file_gets_a_hint(folder: Path) -> None:
    (folder / "patients.csv").write_text("patient_id;state\nPT1;PA\nPT2;NJ\n")
    issues = validate_ledger_dir(folder)
    assert _where(issues) == [("patients.csv", None, "patient_id"), ("patients.csv", None, "state")]
    assert all("the contract uses commas" in i.message for i in issues)


def test_windows_and_old_mac_line_endings(folder: Path) -> None:
    (folder / "patients.csv").write_bytes(b"patient_id,state\r\nPT1,PA\r\nPT2,\r\n")
    assert _where(validate_ledger_dir(folder)) == [("patients.csv", 3, "state")]
    (folder / "patients.csv").write_bytes(b"patient_id,state\rPT1,PA\rPT2,\r")
    assert _where(validate_ledger_dir(folder)) == [("patients.csv", 3, "state")]
