"""X12 element values: exact amounts, units, dates."""

from __future__ import annotations

import datetime as dt

import pytest

from cbclassify.x12.values import ValueFormatError, parse_amount, parse_date, parse_units


@pytest.mark.parametrize(
    ("text", "cents", "rounded"),
    [
        ("412.50", 41250, False),
        ("-30", -3000, False),
        ("1008.1", 100810, False),
        (".5", 50, False),
        ("-.05", -5, False),
        ("12.", 1200, False),
        ("12.500", 1250, False),  # extra zeros are exact
        ("10.005", 1001, True),  # half-up, reported
        ("-10.005", -1001, True),
        ("0.1049", 10, True),
    ],
)
def test_amounts_are_exact_cents(text: str, cents: int, rounded: bool) -> None:
    assert parse_amount(text) == (cents, rounded)


@pytest.mark.parametrize("text", ["", "12,50", "1e3", "abc", "--1", "1.2.3"])
def test_non_amounts_are_rejected(text: str) -> None:
    with pytest.raises(ValueFormatError):
        parse_amount(text)


@pytest.mark.parametrize(
    ("text", "units", "adjusted"),
    [
        ("", 1, False),
        ("4", 4, False),
        ("1.00", 1, False),
        ("-2", 2, True),
        ("1.9", 2, True),
        ("0", 1, True),
        ("0.4", 1, True),
    ],
)
def test_units(text: str, units: int, adjusted: bool) -> None:
    assert parse_units(text) == (units, adjusted)


def test_dates() -> None:
    assert parse_date("20240229") == dt.date(2024, 2, 29)
    for bad in ("20002316", "240229", "2024-02-29", ""):
        with pytest.raises(ValueFormatError):
            parse_date(bad)


# Element sizes (005010X221A1 and 004010X091A1 element dictionary): amounts are element 782
# Monetary Amount, R 1/18; SVC05 units element 380 Quantity, R 1/15. Sign and decimal point are
# not counted. The ledger holds at most 15 digits before the point (contract.money).
@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("999999999999999.99", 99_999_999_999_999_999),  # 17 digits, the ledger's largest
        ("-999999999999999.99", -99_999_999_999_999_999),
        ("000000000000001.5", 150),  # 16 digits, leading zeros counted
    ],
)
def test_amounts_within_the_element_size_and_the_ledger(text: str, cents: int) -> None:
    assert parse_amount(text) == (cents, False)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("1" + "0" * 19, "more than 18 digits"),  # 20 digits: was an OverflowError
        ("9" * 25, "more than 18 digits"),
        ("-" + "9" * 30 + ".99", "more than 18 digits"),
        ("0." + "0" * 40 + "1", "more than 18 digits"),
        ("999999999999999999", "larger than the ledger"),  # 18 digits, 18 before the point
        ("9999999999999999.99", "larger than the ledger"),  # 18 digits, 16 before the point
        ("999999999999999.995", "larger than the ledger"),  # rounds up to 16 digits
        ("١٢", "not an amount"),  # Arabic-Indic digits: X12 numbers are ASCII
        ("１２", "not an amount"),
    ],
)
def test_amounts_beyond_the_element_size_or_the_ledger_are_refused(text: str, problem: str) -> None:
    with pytest.raises(ValueFormatError, match=problem):
        parse_amount(text)


def test_units_are_bounded_by_the_quantity_element_size() -> None:
    assert parse_units("9" * 15) == (10**15 - 1, False)
    assert parse_units("-1.00000000000000") == (1, True)  # 15 digits
    for text in ("9" * 16, "9" * 29, "1." + "0" * 40, "١"):  # 29 digits: was InvalidOperation
        with pytest.raises(ValueFormatError, match="more than 15 digits|not a quantity"):
            parse_units(text)


def test_dates_outside_the_ledgers_range_are_refused() -> None:
    assert parse_date("16780101") == dt.date(1678, 1, 1)
    assert parse_date("22611231") == dt.date(2261, 12, 31)
    for text in ("16771231", "22620101", "99991231", "00010101"):
        with pytest.raises(ValueFormatError, match="outside the ledger's dates"):
            parse_date(text)
