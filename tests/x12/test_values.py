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
