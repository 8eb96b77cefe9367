"""Cross-table rules: references, payer_id for payer rows, fee-schedule periods, resolutions."""

from __future__ import annotations

import pandas as pd
import pytest

from cbclassify.contract.errors import LedgerValidationError
from cbclassify.contract.validate import build_ledger

from .helpers import FILES, check, issues_at, only_issue, raw_tables, set_cell


@pytest.mark.parametrize(
    ("table", "line", "column", "value", "target"),
    [
        ("claim_lines", 4, "patient_id", "PT9", "patients.csv"),
        ("claim_lines", 2, "payer_id", "ZZ", "payers.csv"),
        ("claim_lines", 5, "secondary_payer_id", "ZZ", "payers.csv"),
        ("transactions", 8, "payer_id", "ZZ", "payers.csv"),
        ("transactions", 10, "era_id", "E404", "remittances.csv"),
        ("fee_schedule", 4, "payer_id", "ZZ", "payers.csv"),
        ("remittances", 2, "payer_id", "ZZ", "payers.csv"),
        ("provider_adjustments", 2, "era_id", "E404", "remittances.csv"),
        ("resolutions", 2, "claim_id", "CL404", "claim_lines.csv"),
    ],
)
def test_orphan_reference_names_cell_and_target(
    table: str, line: int, column: str, value: str, target: str
) -> None:
    raw = raw_tables()
    set_cell(raw, table, line, column, value)
    issue = only_issue(raw)
    assert (issue.file, issue.row, issue.column) == (f"{table}.csv", line, column)
    assert f"{column} '{value}' is not in {target}" in issue.message


def test_transaction_for_an_unknown_claim() -> None:
    raw = raw_tables()
    set_cell(raw, "transactions", 13, "claim_id", "CL9")  # T12, claim-level (no line_no)
    issue = only_issue(raw)
    assert (issue.file, issue.row, issue.column) == ("transactions.csv", 13, "claim_id")
    assert "claim_id 'CL9' is not in claim_lines.csv" in issue.message


def test_transaction_for_an_unknown_line_of_a_known_claim() -> None:
    raw = raw_tables()
    set_cell(raw, "transactions", 4, "line_no", "3")  # CL1 has lines 1 and 2
    issue = only_issue(raw)
    assert (issue.file, issue.row, issue.column) == ("transactions.csv", 4, "line_no")
    assert "no row with claim_id 'CL1', line_no '3' in claim_lines.csv" in issue.message


def test_unknown_claim_is_reported_once_not_also_as_unknown_line() -> None:
    raw = raw_tables()
    set_cell(raw, "transactions", 2, "claim_id", "CL9")  # T01 has line_no 1
    issue = only_issue(raw)
    assert (issue.row, issue.column) == (2, "claim_id")


def test_era_id_is_not_checked_without_a_remittances_table() -> None:
    raw = raw_tables()
    del raw["remittances"], raw["provider_adjustments"]
    set_cell(raw, "transactions", 2, "era_id", "ANY-ERA")
    assert check(raw).issues == []


def test_header_only_remittances_table_makes_every_era_id_an_orphan() -> None:
    raw = raw_tables()
    raw["remittances"] = raw["remittances"].iloc[0:0]
    del raw["provider_adjustments"]
    result = check(raw)
    orphan_lines = sorted(i.row for i in result.issues if i.column == "era_id")
    assert orphan_lines == [2, 3, 4, 6, 7, 8]  # the six E1 postings


def test_bad_target_key_does_not_flood_with_orphans() -> None:
    raw = raw_tables()
    set_cell(raw, "claim_lines", 5, "line_no", "-1")  # CL3 line 1 now invalid
    issue = only_issue(raw)  # not also three orphan (CL3, 1) transactions
    assert (issue.file, issue.row, issue.column) == ("claim_lines.csv", 5, "line_no")


def test_payer_id_is_required_when_source_is_payer() -> None:
    raw = raw_tables()
    set_cell(raw, "transactions", 11, "payer_id", "")  # T10, payer responsibility row
    issue = only_issue(raw)
    assert (issue.file, issue.row, issue.column) == ("transactions.csv", 11, "payer_id")
    assert "payer_id is required when source is payer" in issue.message


def test_payer_id_may_be_blank_when_source_is_patient() -> None:
    raw = raw_tables()
    assert raw["transactions"].loc[3, "source"] == "patient"
    assert raw["transactions"].loc[3, "payer_id"] == ""
    assert check(raw).issues == []


def test_fee_schedule_effective_to_before_effective_from() -> None:
    raw = raw_tables()
    set_cell(raw, "fee_schedule", 3, "effective_to", "2022-12-31")  # from 2023-01-01
    issue = only_issue(raw)
    assert (issue.file, issue.row, issue.column) == ("fee_schedule.csv", 3, "effective_to")
    assert "on or after effective_from (2023-01-01); found 2022-12-31" in issue.message


def test_overlapping_fee_schedule_rows_name_both_lines() -> None:
    raw = raw_tables()
    extra = (
        raw["fee_schedule"]
        .iloc[[1]]
        .assign(effective_from="2023-06-01", effective_to="2024-06-30", allowed_per_unit="55.00")
    )
    raw["fee_schedule"] = pd.concat([raw["fee_schedule"], extra], ignore_index=True)
    issue = only_issue(raw)
    assert (issue.file, issue.row, issue.column) == ("fee_schedule.csv", 5, "effective_from")
    assert "overlaps the row on line 3" in issue.message


def test_adjacent_fee_schedule_periods_and_other_modifiers_are_fine() -> None:
    raw = raw_tables()
    following = raw["fee_schedule"].iloc[[1]].assign(effective_from="2024-01-01", effective_to="")
    other_modifier = raw["fee_schedule"].iloc[[1]].assign(modifier="GP")
    raw["fee_schedule"] = pd.concat(
        [raw["fee_schedule"], following, other_modifier], ignore_index=True
    )
    assert check(raw).issues == []


def test_resolution_for_a_claim_without_credit_on_its_identified_date() -> None:
    raw = raw_tables()
    set_cell(raw, "resolutions", 2, "identified_date", "2024-02-05")  # before the 2nd payment
    issue = only_issue(raw)
    assert (issue.file, issue.row, issue.column) == ("resolutions.csv", 2, "claim_id")
    assert "claim 'CL3' carries no credit balance on its identified_date 2024-02-05" in (
        issue.message
    )
    assert "its balance then is 0.00" in issue.message


def test_blank_identified_date_uses_the_ledger_as_of_date() -> None:
    raw = raw_tables()
    set_cell(raw, "resolutions", 2, "identified_date", "")
    issue = only_issue(raw)  # CL3 was refunded on 2024-03-01, the latest posted_date
    assert "on the ledger's as-of date 2024-03-01" in issue.message
    assert check(raw, as_of="2024-02-20").issues == []  # CL3 carried -200.00 then


def test_resolution_for_an_open_credit_with_blank_date_is_fine() -> None:
    raw = raw_tables()
    extra = raw["resolutions"].assign(claim_id="CL2", amount="20.00", identified_date="")
    raw["resolutions"] = pd.concat([raw["resolutions"], extra], ignore_index=True)
    assert check(raw).issues == []


def test_resolution_rule_is_skipped_while_transactions_have_bad_amounts() -> None:
    raw = raw_tables()
    set_cell(raw, "transactions", 15, "amount", "2OO.00")  # T14, the duplicate payment
    result = check(raw)
    assert [(i.file, i.row, i.column) for i in result.issues] == [
        ("transactions.csv", 15, "amount")
    ]


def test_missing_required_table_is_reported() -> None:
    raw = raw_tables()
    del raw["patients"]
    result = check(raw)
    assert issues_at(result, "patients.csv", None, None)[0].message.startswith(
        "required table patients is missing"
    )


def test_all_problems_of_all_files_are_reported_together() -> None:
    raw = raw_tables()
    set_cell(raw, "payers", 2, "payer_type", "medicaree")
    set_cell(raw, "claim_lines", 3, "units", "two")
    set_cell(raw, "transactions", 5, "amount", "-")
    set_cell(raw, "transactions", 6, "txn_id", "T01")
    set_cell(raw, "fee_schedule", 2, "effective_from", "")
    set_cell(raw, "resolutions", 2, "action", "refund")
    with pytest.raises(LedgerValidationError) as caught:
        build_ledger(raw, FILES)
    where = {(i.file, i.row, i.column) for i in caught.value.issues}
    assert where == {
        ("payers.csv", 2, "payer_type"),
        ("claim_lines.csv", 3, "units"),
        ("transactions.csv", 5, "amount"),
        ("transactions.csv", 6, "txn_id"),
        ("fee_schedule.csv", 2, "effective_from"),
        ("resolutions.csv", 2, "action"),
    }
    assert "6 problem(s) in the ledger" in str(caught.value)


def test_build_ledger_returns_the_typed_ledger_when_valid() -> None:
    ledger = build_ledger(raw_tables(), FILES)
    assert ledger.claim_lines["charge_amount_cents"].sum() == 53_000
