"""``ledger_from_rows`` gives exactly ``build_ledger``'s ledger, or None whenever
``build_ledger`` would report a problem (or the typed values could read differently as text)."""

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
from cbclassify.contract.validate import build_ledger
from cbclassify.contract.validate_rows import ledger_from_rows, rows_as_text
from cbclassify.synth import SynthConfig, generate_practice


def full_check(tables) -> Ledger | None:
    try:
        return build_ledger(rows_as_text(tables))
    except LedgerValidationError:
        return None


def assert_same_ledger(fast: Ledger, full: Ledger) -> None:
    for name in TABLES:
        pd.testing.assert_frame_equal(fast.table(name), full.table(name), check_exact=True)


@pytest.fixture(scope="module")
def practice() -> Ledger:
    return generate_practice(SynthConfig(claims=300, seed=2)).ledger


def test_every_claim_of_a_practice_builds_the_same_ledger(practice: Ledger) -> None:
    lines = practice.claim_lines
    for claim_id in lines["claim_id"].unique()[:60]:
        tables = patient_request(practice, claim_id)
        fast = ledger_from_rows(tables)
        assert fast is not None, claim_id
        assert_same_ledger(fast, full_check(tables))
        assert_rows_handed_over(fast)


def assert_rows_handed_over(ledger: Ledger) -> None:
    """The rows the builder remembers are what converting its frames gives, value and type."""
    for name in ("payers", "patients", "claim_lines", "transactions", "remittances"):
        frame = ledger.table(name)
        handed, converted = frame_records(frame), records(frame)
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
    """Small typed tables with every kind of problem build_ledger reports, or none."""
    payer = lambda: {"payer_id": draw(ID), "payer_name": draw(st.sampled_from(["Acme", " Acme", "É"])),
                     "payer_type": draw(st.sampled_from(["commercial", "medicare", "bogus"])),
                     "refund_deadline_days": draw(st.sampled_from([None, 30, 0, True])),
                     "allows_offset": draw(st.sampled_from([None, True, False, 1]))}  # fmt: skip
    tables = {
        "payers": [payer() for _ in range(draw(st.integers(0, 2)))],
        "patients": [{"patient_id": draw(ID), "state": draw(st.sampled_from(["PA", "P "]))}],
        "claim_lines": [
            {"claim_id": draw(ID), "line_no": draw(st.sampled_from([1, 2, 0, 10**19])),
             "patient_id": draw(ID), "payer_id": draw(st.sampled_from([None, "A", "B", "Z"])),
             "secondary_payer_id": None, "location_id": "L1", "provider_id": "P1",
             "service_date": draw(DAY), "cpt": "97110", "modifier": draw(st.sampled_from([None, "", "GP"])),
             "units": draw(st.sampled_from([1, 2, -1])), "charge_amount": draw(MONEY),
             "billed_date": date(2025, 1, 6)}
            for _ in range(draw(st.integers(1, 3)))
        ],
        "transactions": [
            {"txn_id": f"T{draw(st.integers(1, 4))}", "claim_id": draw(ID),
             "line_no": draw(st.sampled_from([None, 1, 3])),
             "kind": draw(st.sampled_from(["payment", "refund", "oops"])),
             "source": draw(st.sampled_from(["payer", "patient"])),
             "payer_id": draw(st.sampled_from([None, "A", "B"])), "amount": draw(MONEY),
             "group_code": draw(st.sampled_from([None, "CO", "XX"])), "reason_code": None,
             "allowed_amount": None, "trace_number": None,
             "era_id": draw(st.sampled_from([None, "E1", "E9"])), "method": "check",
             "posted_date": draw(DAY), "posted_by": "u1"}
            for _ in range(draw(st.integers(0, 3)))
        ],
    }  # fmt: skip
    if draw(st.booleans()):
        tables["fee_schedule"] = [
            {"payer_id": "A", "cpt": "97110", "modifier": draw(st.sampled_from([None, "GP"])),
             "allowed_per_unit": draw(MONEY), "effective_from": draw(DAY),
             "effective_to": draw(st.sampled_from([None, date(2024, 1, 1), date(2026, 1, 1)]))}
            for _ in range(draw(st.integers(1, 2)))
        ]  # fmt: skip
    if draw(st.booleans()):
        tables["remittances"] = [
            {"era_id": "E1", "payer_id": draw(ID), "trace_number": "TR1",
             "payment_date": date(2025, 1, 20), "total_paid": Decimal("10.00"), "method": "ACH",
             "balanced": draw(st.sampled_from([True, "yes"]))}
        ]  # fmt: skip
    if draw(st.booleans()):
        del tables[draw(st.sampled_from(["payers", "patients", "transactions"]))]
    return tables


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(request_tables())
def test_fast_ledger_equals_build_ledger_or_defers_to_it(tables: dict) -> None:
    fast = ledger_from_rows(tables)
    full = full_check(tables)
    if fast is not None:
        assert full is not None, "build_ledger reports a problem the fast path missed"
        assert_same_ledger(fast, full)


def test_a_clean_request_takes_the_fast_path_and_a_bad_one_defers() -> None:
    tables = {
        "payers": [{"payer_id": "A", "payer_name": "Acme", "payer_type": "commercial"}],
        "patients": [{"patient_id": "P1", "state": "PA"}],
        "claim_lines": [{"claim_id": "C1", "line_no": 1, "patient_id": "P1", "payer_id": "A",
                         "location_id": "L1", "provider_id": "V1", "service_date": date(2025, 1, 5),
                         "cpt": "97110", "units": 1, "charge_amount": Decimal("100.00"),
                         "billed_date": date(2025, 1, 6)}],
        "transactions": [],
    }  # fmt: skip
    assert ledger_from_rows(tables) is not None
    orphan = {**tables, "claim_lines": [{**tables["claim_lines"][0], "payer_id": "NOPE"}]}
    assert ledger_from_rows(orphan) is None and full_check(orphan) is None
    spaced = {**tables, "patients": [{"patient_id": "P1 ", "state": "PA"}]}
    assert ledger_from_rows(spaced) is None
    assert_same_ledger(ledger_from_rows(tables), full_check(tables))


def test_a_request_ledger_answers_from_its_rows_and_builds_frames_on_first_read(practice) -> None:
    claim_id = practice.claim_lines["claim_id"].iloc[0]
    fast = ledger_from_rows(patient_request(practice, claim_id))
    assert fast is not None and fast.built_tables() == []
    counts = {name: fast.row_count(name) for name in TABLES}
    assert fast.built_tables() == []
    lines = fast.claim_lines
    assert fast.built_tables() == ["claim_lines"] and fast.claim_lines is lines  # built once
    assert counts == {name: len(fast.table(name)) for name in TABLES}
    assert fast.handed_rows("transactions") == records(fast.transactions)
    replaced = fast.with_table("claim_lines", lines.iloc[:1])
    assert type(replaced) is Ledger and replaced.handed_rows("claim_lines") is None
    assert len(replaced.claim_lines) == 1 and replaced.transactions is fast.transactions
