"""Parse one contract column from file text into its memory dtype, reporting bad rows.

Everything here is vectorized with pyarrow compute: text is trimmed once, blank cells are
found with one length test, and only the rows that fail a rule become ``Issue`` objects.
Surrounding spaces are ignored in every column (``" 412.50 "`` is ``412.50``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from cbclassify.contract.ledger import STRING_DTYPE
from cbclassify.contract.money import parse_money_arrow
from cbclassify.contract.schema import Column
from cbclassify.contract.validate_codes import arrow_text
from cbclassify.contract.validate_issues import IssueCollector, show

_INT_PATTERN = r"^[+-]?[0-9]{1,18}$"
_DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
#: datetime64[ns] covers 1677-09-21 .. 2262-04-11; dates must fall in whole years inside it.
_MIN_DATE, _MAX_DATE = pd.Timestamp("1678-01-01"), pd.Timestamp("2261-12-31")

_EXPECTED = {
    "str": "a value",
    "money": "an amount with at most 2 decimals, like 412.50 or -30.00",
    "int": "a whole number, like 3",
    "bool": "true or false",
    "date": "a date YYYY-MM-DD, like 2024-03-31",
}


def expectation(column: Column) -> str:
    """What a value of ``column`` must look like, in words."""
    if column.type == "enum":
        return "one of " + ", ".join(column.choices)
    return _EXPECTED[column.type]


@dataclass(frozen=True)
class ColumnText:
    """A raw text column: as read (for messages), trimmed (never null), and its blanks."""

    raw: pa.Array
    text: pa.Array
    blank: np.ndarray

    def found(self, position: int) -> str:
        """The value at ``position`` as shown in messages."""
        return show(self.raw[position].as_py())


def column_text(values: pd.Series) -> ColumnText:
    """Arrow view of a text column (zero-copy for pyarrow strings), trimmed, with blanks."""
    raw = arrow_text(values)
    text = pc.utf8_trim_whitespace(pc.fill_null(raw, "") if raw.null_count else raw)
    blank = pc.equal(pc.binary_length(text), 0).to_numpy(zero_copy_only=False)
    return ColumnText(raw=raw, text=text, blank=blank)


@dataclass(frozen=True)
class Parsed:
    """A parsed column: memory values (NA where blank or bad), bad-row mask, per-row reason."""

    values: pd.Series
    bad: np.ndarray
    reason: Callable[[int], str] | None = None


def _with_nulls(text: pa.Array, null: np.ndarray) -> pd.Series:
    """``text`` as a pandas ``string`` Series, NA where ``null``; shares the string data
    (only a new validity bitmap is built, no string is copied)."""
    if not null.any():
        return pd.Series(pd.array(text, dtype=STRING_DTYPE))
    valid = np.concatenate((np.zeros(text.offset, dtype=bool), ~null))  # bits follow offset
    bitmap = pa.py_buffer(np.packbits(valid, bitorder="little"))
    _, offsets, data = text.buffers()
    masked = pa.Array.from_buffers(
        text.type, len(text), [bitmap, offsets, data], offset=text.offset
    )
    return pd.Series(pd.array(masked, dtype=STRING_DTYPE))


def _parse_str(column: Column, col: ColumnText) -> Parsed:
    return Parsed(_with_nulls(col.text, col.blank), np.zeros(len(col.blank), bool))


def _parse_enum(column: Column, col: ColumnText) -> Parsed:
    allowed = pc.is_in(col.text, value_set=pa.array(column.choices, col.text.type))
    bad = ~col.blank & ~allowed.to_numpy(zero_copy_only=False)
    return Parsed(_with_nulls(col.text, col.blank | bad), bad)


def _parse_money(column: Column, col: ColumnText) -> Parsed:
    cents, ok = parse_money_arrow(col.text)
    return Parsed(pd.Series(pd.arrays.IntegerArray(cents, ~ok)), ~col.blank & ~ok)


def _parse_int(column: Column, col: ColumnText) -> Parsed:
    ok = pc.match_substring_regex(col.text, _INT_PATTERN)
    digits = pc.utf8_ltrim(pc.if_else(ok, col.text, "0"), characters="+")
    numbers = pc.cast(digits, pa.int64()).to_numpy(zero_copy_only=False)
    ok_np = ok.to_numpy(zero_copy_only=False)
    values = pd.Series(pd.arrays.IntegerArray(numbers, ~ok_np))
    return Parsed(values, ~col.blank & ~ok_np)


def _parse_bool(column: Column, col: ColumnText) -> Parsed:
    lowered = pc.utf8_lower(col.text)
    true = pc.equal(lowered, "true").to_numpy(zero_copy_only=False)
    ok = true | pc.equal(lowered, "false").to_numpy(zero_copy_only=False)
    values = pd.Series(pd.arrays.BooleanArray(true, ~ok))
    return Parsed(values, ~col.blank & ~ok)


def _parse_date(column: Column, col: ColumnText) -> Parsed:
    """Dates have few distinct values: parse each distinct text once, then take by index."""
    encoded = pc.dictionary_encode(col.text)
    uniques = pd.Series(encoded.dictionary.to_numpy(zero_copy_only=False), dtype=object)
    shaped = uniques.str.fullmatch(_DATE_PATTERN).fillna(False).to_numpy(bool)
    parsed = pd.to_datetime(uniques.where(shaped), format="%Y-%m-%d", errors="coerce")
    in_range = (parsed >= _MIN_DATE) & (parsed <= _MAX_DATE)
    good = (in_range.fillna(False).to_numpy(bool)) & shaped
    reasons = np.where(
        ~shaped,
        "",
        np.where(parsed.isna().to_numpy(), " (no such calendar date)", " (year outside 1678-2261)"),
    )
    indices = encoded.indices.to_numpy(zero_copy_only=False)
    stamps = parsed.where(good).to_numpy(dtype="datetime64[ns]")
    values = pd.Series(stamps[indices], dtype="datetime64[ns]")
    bad = ~col.blank & ~good[indices]
    return Parsed(values, bad, reason=lambda position: str(reasons[indices[position]]))


_PARSERS: dict[str, Callable[[Column, ColumnText], Parsed]] = {
    "str": _parse_str,
    "enum": _parse_enum,
    "money": _parse_money,
    "int": _parse_int,
    "bool": _parse_bool,
    "date": _parse_date,
}


def parse_column(
    column: Column, values: pd.Series, file: str, issues: IssueCollector
) -> tuple[pd.Series, np.ndarray]:
    """Parse a raw text column into its memory dtype and report blank, malformed and
    out-of-range values. Returns ``(memory values, rows with a problem)``."""
    col = column_text(values)
    expected = expectation(column)
    problem = np.zeros(len(col.blank), dtype=bool)
    if column.required:
        issues.add_mask(
            file, column.name, col.blank, lambda _: f"required value is blank; expected {expected}"
        )
        problem |= col.blank
    parsed = _PARSERS[column.type](column, col)
    reason = parsed.reason or (lambda _: "")
    issues.add_mask(
        file,
        column.name,
        parsed.bad,
        lambda p: f"expected {expected}; found {col.found(p)}{reason(p)}",
    )
    problem |= parsed.bad
    problem |= _check_sign(column, parsed.values, col, file, issues)
    return parsed.values, problem


def _check_sign(
    column: Column, values: pd.Series, col: ColumnText, file: str, issues: IssueCollector
) -> np.ndarray:
    """``positive`` (> 0) and ``non_negative`` (>= 0) rules of money and int columns."""
    if column.type not in ("money", "int") or not (column.positive or column.non_negative):
        return np.zeros(len(values), dtype=bool)
    numbers = values.to_numpy(dtype="float64", na_value=np.nan)
    if column.positive:
        wrong, words = numbers <= 0, "greater than 0"
    else:
        wrong, words = numbers < 0, "0 or more"
    issues.add_mask(
        file, column.name, wrong, lambda p: f"expected a value {words}; found {col.found(p)}"
    )
    return wrong
