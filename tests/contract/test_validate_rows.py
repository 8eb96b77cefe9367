"""A request's typed rows are judged exactly as a ledger file holding the same rows: the same
ledger (frames, dtypes, handed-over rows) or the same issues (file, row, column, message)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from request_rows import patient_request

from cbclassify.contract.errors import LedgerValidationError
from cbclassify.contract.ledger import Ledger
from cbclassify.contract.rows import frame_records, records
from cbclassify.contract.schema import TABLES
from cbclassify.contract.validate import LedgerCheck, validate_ledger_frames
from cbclassify.contract.validate_rows import cell_text, check_rows, ledger_from_rows
from cbclassify.synth import SynthConfig, generate_practice


def as_file(tables: dict) -> LedgerCheck:
    """The same rows as the text frames of a ledger folder, validated as files."""
    frames = {
        name: pd.DataFrame(
            {c: [cell_text(r.get(c)) for r in rows] for c in TABLES[name].column_names},
            dtype="string",
        )
        for name, rows in tables.items()
    }
    return validate_ledger_frames(frames)


def assert_same_ledger(mine: Ledger, theirs: Ledger) -> None:
    for name in TABLES:
        pd.testing.assert_frame_equal(mine.table(name), theirs.table(name), check_exact=True)


def assert_judged_alike(tables: dict) -> LedgerCheck:
    """``check_rows`` gives the issues and, when there are none, the ledger of the file path."""
    mine, theirs = check_rows(tables), as_file(tables)
    assert sorted(mine.issues) == sorted(theirs.issues)
    if not theirs.issues:
        assert_same_ledger(mine.ledger, theirs.ledger)
    return mine


@pytest.fixture(scope="module")
def practice() -> Ledger:
    return generate_practice(SynthConfig(claims=300, seed=2)).ledger


def test_every_claim_of_a_practice_builds_the_ledger_of_its_file(practice: Ledger) -> None:
    lines = practice.claim_lines
    for claim_id in lines["claim_id"].unique()[:60]:
        tables = patient_request(practice, claim_id)
        mine = assert_judged_alike(tables)
        assert mine.issues == [], claim_id
        assert_rows_handed_over(mine.ledger)


def assert_rows_handed_over(ledger: Ledger) -> None:
    """The rows the ledger hands over are what converting its frames gives, value and type."""
    for name in ("payers", "patients", "claim_lines", "transactions", "remittances"):
        handed = ledger.handed_rows(name)
        frame = ledger.table(name)
        converted = records(frame)
        assert frame_records(frame) is handed  # remembered with the frame
        assert handed is not converted and handed == converted, name
        for mine, theirs in zip(handed, converted, strict=True):
            assert list(mine) == list(theirs)
            assert [type(v) for v in mine.values()] == [type(v) for v in theirs.values()], name


def test_other_frames_are_converted_each_time(practice: Ledger) -> None:
    frame = practice.payers
    assert frame_records(frame) == records(frame)
    assert frame_records(frame) is not frame_records(frame)


ID = st.sampled_from(["A", "B", " A", "A ", "\u00a0B", "", "Ré", "C\u200b"])
MONEY = st.sampled_from(
    [
        Decimal("10.00"),
        Decimal("-5.50"),
        Decimal("0.00"),
        Decimal("1.005"),
        Decimal(3),
        Decimal("123456789012345.00"),
        Decimal("1.230"),
        Decimal("1E+2"),
        Decimal("1E+30"),
        Decimal("NaN"),
        Decimal("-0.001"),
        12,
        True,
    ]
)
DAY = st.sampled_from([date(2025, 1, 5), date(2025, 2, 1), date(1600, 1, 1), None])


@st.composite
def request_tables(draw) -> dict:
    """Small typed tables with every kind of problem a ledger file can have, or none."""
    payer = lambda: {
        "payer_id": draw(ID),
        "payer_name": draw(st.sampled_from(["Acme", " Acme", "É"])),
        "payer_type": draw(st.sampled_from(["commercial", "medicare", "bogus"])),
        "refund_deadline_days": draw(st.sampled_from([None, 30, 0, True])),
        "allows_offset": draw(st.sampled_from([None, True, False, 1])),
    }
    tables = {
        "payers": [payer() for _ in range(draw(st.integers(0, 2)))],
        "patients": [{"patient_id": draw(ID), "state": draw(st.sampled_from(["PA", "P "]))}],
        "claim_lines": [
            {
                "claim_id": draw(ID),
                "line_no": draw(st.sampled_from([1, 2, 0, 10**19])),
                "patient_id": draw(ID),
                "payer_id": draw(st.sampled_from([None, "A", "B", "Z"])),
                "secondary_payer_id": None,
                "location_id": "L1",
                "provider_id": "P1",
                "service_date": draw(DAY),
                "cpt": "97110",
                "modifier": draw(st.sampled_from([None, "", "GP"])),
                "units": draw(st.sampled_from([1, 2, -1])),
                "charge_amount": draw(MONEY),
                "billed_date": date(2025, 1, 6),
            }
            for _ in range(draw(st.integers(1, 3)))
        ],
        "transactions": [
            {
                "txn_id": f"T{draw(st.integers(1, 4))}",
                "claim_id": draw(ID),
                "line_no": draw(st.sampled_from([None, 1, 3])),
                "kind": draw(st.sampled_from(["payment", "refund", "oops"])),
                "source": draw(st.sampled_from(["payer", "patient"])),
                "payer_id": draw(st.sampled_from([None, "A", "B"])),
                "amount": draw(MONEY),
                "group_code": draw(st.sampled_from([None, "CO", "XX"])),
                "reason_code": None,
                "allowed_amount": None,
                "trace_number": None,
                "era_id": draw(st.sampled_from([None, "E1", "E9"])),
                "method": "check",
                "posted_date": draw(DAY),
                "posted_by": "u1",
            }
            for _ in range(draw(st.integers(0, 3)))
        ],
    }
    if draw(st.booleans()):
        tables["fee_schedule"] = [
            {
                "payer_id": "A",
                "cpt": "97110",
                "modifier": draw(st.sampled_from([None, "GP"])),
                "allowed_per_unit": draw(MONEY),
                "effective_from": draw(DAY),
                "effective_to": draw(st.sampled_from([None, date(2024, 1, 1), date(2026, 1, 1)])),
            }
            for _ in range(draw(st.integers(1, 2)))
        ]
    if draw(st.booleans()):
        tables["remittances"] = [
            {
                "era_id": "E1",
                "payer_id": draw(ID),
                "trace_number": "TR1",
                "payment_date": date(2025, 1, 20),
                "total_paid": Decimal("10.00"),
                "method": "ACH",
                "balanced": draw(st.sampled_from([True, "yes"])),
            }
        ]
    if draw(st.booleans()):
        tables["resolutions"] = [
            {
                "claim_id": draw(ID),
                "source": "patient_credit",
                "action": "refund_patient",
                "amount": draw(MONEY),
                "resolved_date": date(2025, 3, 1),
                "resolved_by": "u1",
                "identified_date": draw(DAY),
            }
        ]
    if draw(st.booleans()):
        del tables[draw(st.sampled_from(["payers", "patients", "transactions"]))]
    return tables


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(request_tables())
def test_a_request_is_judged_as_the_file_with_its_rows(tables: dict) -> None:
    assert_judged_alike(tables)


CLEAN = {
    "payers": [{"payer_id": "A", "payer_name": "Acme", "payer_type": "commercial"}],
    "patients": [{"patient_id": "P1", "state": "PA"}],
    "claim_lines": [
        {
            "claim_id": "C1",
            "line_no": 1,
            "patient_id": "P1",
            "payer_id": "A",
            "location_id": "L1",
            "provider_id": "V1",
            "service_date": date(2025, 1, 5),
            "cpt": "97110",
            "units": 1,
            "charge_amount": Decimal("100.00"),
            "billed_date": date(2025, 1, 6),
        }
    ],
    "transactions": [],
}


def with_line(**changes: object) -> dict:
    return {**CLEAN, "claim_lines": [{**CLEAN["claim_lines"][0], **changes}]}


def only_issue(tables: dict) -> tuple[str, int | None, str | None, str]:
    with pytest.raises(LedgerValidationError) as raised:
        ledger_from_rows(tables)
    (issue,) = raised.value.issues
    return issue.file, issue.row, issue.column, issue.message


def test_a_clean_request_gives_its_ledger_and_spaces_are_trimmed_as_in_a_file() -> None:
    assert_same_ledger(ledger_from_rows(CLEAN), as_file(CLEAN).ledger)
    spaced = {**CLEAN, "patients": [{"patient_id": "P1 ", "state": " PA"}]}
    ledger = ledger_from_rows(spaced)
    assert ledger.patients.loc[0, "patient_id"] == "P1" and ledger.patients.loc[0, "state"] == "PA"


def test_money_is_read_exactly_never_rounded() -> None:
    for amount, cents in [(Decimal("1.230"), 123), (Decimal("1E+2"), 10_000), (7, 700)]:
        ledger = ledger_from_rows(with_line(charge_amount=amount))
        assert ledger.claim_lines.loc[0, "charge_amount_cents"] == cents
    assert only_issue(with_line(charge_amount=Decimal("1.005"))) == (
        "claim_lines",
        2,
        "charge_amount",
        "expected an amount with at most 2 decimals, like 412.50 or -30.00; found '1.005'",
    )


def test_request_problems_name_table_row_and_column_as_a_file_does() -> None:
    assert only_issue(with_line(payer_id="NOPE")) == (
        "claim_lines",
        2,
        "payer_id",
        "payer_id 'NOPE' is not in payers; expected a payer_id listed there",
    )
    assert only_issue(with_line(service_date=date(1600, 1, 1))) == (
        "claim_lines",
        2,
        "service_date",
        "expected a date YYYY-MM-DD, like 2024-03-31; found '1600-01-01' (year outside 1678-2261)",
    )
    assert only_issue(with_line(line_no=10**19)) == (
        "claim_lines",
        2,
        "line_no",
        "expected a whole number, like 3; found '10000000000000000000'",
    )
    assert only_issue(with_line(provider_id="  ")) == (
        "claim_lines",
        2,
        "provider_id",
        "required value is blank; expected a value",
    )
    assert only_issue(with_line(charge_amount=Decimal(-5))) == (
        "claim_lines",
        2,
        "charge_amount",
        "expected a value greater than 0; found '-5.00'",
    )


def test_a_request_ledger_answers_from_its_columns_and_builds_frames_on_first_read(
    practice: Ledger,
) -> None:
    claim_id = practice.claim_lines["claim_id"].iloc[0]
    ledger = ledger_from_rows(patient_request(practice, claim_id))
    assert ledger.built_tables() == []
    counts = {name: ledger.row_count(name) for name in TABLES}
    rows = ledger.handed_rows("transactions")
    as_of = ledger.default_as_of()
    assert ledger.built_tables() == []
    lines = ledger.claim_lines
    assert ledger.built_tables() == ["claim_lines"] and ledger.claim_lines is lines  # built once
    assert counts == {name: len(ledger.table(name)) for name in TABLES}
    assert rows == records(ledger.transactions)
    assert as_of == Ledger.default_as_of(ledger)  # the frames' answer
    replaced = ledger.with_table("claim_lines", lines.iloc[:1])
    assert type(replaced) is Ledger and replaced.handed_rows("claim_lines") is None
    assert len(replaced.claim_lines) == 1 and replaced.transactions is ledger.transactions
