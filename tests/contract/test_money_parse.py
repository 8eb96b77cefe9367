"""Exact money: the contract's money parser agrees with Decimal, and sums are exact to the cent."""

from __future__ import annotations

import re
from decimal import Decimal

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from cbclassify.contract.money import format_cents, format_cents_series, parse_money
from cbclassify.contract.validate_columns import cells_of, parse_cells


def parse_money_series(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """The contract's money parser (``parse_cells``) on a text column: (cents, NA where the
    text is blank or malformed; malformed)."""
    parsed = parse_cells("money", cells_of(values))
    cents = pd.Series(pd.arrays.IntegerArray(parsed.values, ~parsed.ok))
    return cents, pd.Series(parsed.malformed)


_CONTRACT_FORM = re.compile(r"[+-]?[0-9]{1,15}(\.[0-9]{1,2})?")


def _reference(text: str) -> int | None:
    """Cents by Decimal, or None when the text is not contract money."""
    stripped = text.strip()
    if not _CONTRACT_FORM.fullmatch(stripped):
        return None
    return int(Decimal(stripped) * 100)


_amounts = st.decimals(
    min_value=Decimal("-999999999999999.99"),
    max_value=Decimal("999999999999999.99"),
    places=2,
    allow_nan=False,
    allow_infinity=False,
)
_texts = st.one_of(
    _amounts.map(lambda d: f"{d:.2f}"),
    _amounts.map(lambda d: f"{d.normalize():f}"),  # 412.5, 7, 0.05, ...
    st.decimals(places=3, allow_nan=False, allow_infinity=False).map(str),
    st.text(alphabet="0123456789.-+ eE,", max_size=12),
    st.text(max_size=6),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_texts, min_size=1, max_size=40))
def test_parse_money_series_agrees_with_decimal(texts: list[str]) -> None:
    cents, bad = parse_money_series(pd.Series(texts, dtype="string"))
    for position, text in enumerate(texts):
        expected = _reference(text)
        if expected is None:
            assert bool(bad.iloc[position]) == bool(text.strip()), text
            assert pd.isna(cents.iloc[position])
        else:
            assert not bad.iloc[position], text
            assert int(cents.iloc[position]) == expected, text
            assert int(cents.iloc[position]) == parse_money(text)


@settings(max_examples=200, deadline=None)
@given(st.lists(_amounts, min_size=1, max_size=30))
def test_format_then_parse_is_the_identity(amounts: list[Decimal]) -> None:
    cents = pd.Series([int(a * 100) for a in amounts], dtype="Int64")
    back, bad = parse_money_series(format_cents_series(cents))
    assert not bad.any()
    assert back.tolist() == cents.tolist()


def test_sums_are_exact_where_floats_are_not() -> None:
    texts = pd.Series(["0.10", "0.20", "-0.30"] * 1_000 + ["0.01"], dtype="string")
    cents, bad = parse_money_series(texts)
    assert not bad.any()
    assert int(cents.sum()) == 1
    assert format_cents(int(cents.sum())) == "0.01"
    assert sum(float(t) for t in texts) != 0.01  # the float sum drifts


def test_blank_and_na_are_not_bad_but_na() -> None:
    cents, bad = parse_money_series(pd.Series(["", "  ", None, "1"], dtype="string"))
    assert cents.isna().tolist() == [True, True, True, False]
    assert bad.tolist() == [False, False, False, False]


def test_non_ascii_digits_and_overlong_amounts_are_malformed() -> None:
    cents, bad = parse_money_series(pd.Series(["١٢", "1234567890123456.00", "1e5", ".5"]))
    assert bad.all() and cents.isna().all()
