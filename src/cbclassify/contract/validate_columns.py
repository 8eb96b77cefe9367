"""Contract text -> memory values, and the rules of each column, for any number of cells.

Two steps, vectorized with pyarrow and numpy (no pandas), so that the fixed cost of a call is
small (a request's few rows) and the cost per cell low (a file's millions):

1. ``parse_cells(kind, cells)``: cells of one kind (``str``, ``money``, ``int``, ``bool``,
   ``date``; an enum is ``str``) -> memory values and which cells have the kind's form.
   Surrounding spaces are ignored everywhere (``" 412.50 "`` is ``412.50``).
2. ``check_run(parsed, spans)``: the declared rules (``schema.Column``: required, choices,
   positive, non_negative) of the columns whose cells were parsed together; ``Span`` says which
   cells are whose. A file parses and checks each column on its own (one span); a request
   parses all its cells of one kind at once (one span per column), so that it pays each
   kernel's fixed cost once, not once per column. Each rule is one expression over all the
   cells; only a column with a problem is then looked at on its own, to report each problem
   once, naming file, row, column, what was expected and what was found.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cbclassify.contract.errors import Issue
from cbclassify.contract.money import parse_money_arrow
from cbclassify.contract.schema import Column
from cbclassify.contract.typed import TypedColumn
from cbclassify.contract.validate_codes import TextEncoding, arrow_text
from cbclassify.contract.validate_issues import MAX_ISSUES_PER_RULE, IssueCollector, show

_INT_SHAPE = re.compile(r"[+-]?[0-9]{1,18}")
_DATE_SHAPE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
#: datetime64[ns] covers 1677-09-21 .. 2262-04-11; dates must fall in whole years inside it.
_FIRST_YEAR, _LAST_YEAR = 1678, 2261
#: Why a text of date shape is not a date (``ParsedCells.note`` indexes this).
_DATE_NOTES = ("", " (no such calendar date)", f" (year outside {_FIRST_YEAR}-{_LAST_YEAR})")
_DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_NAT_DAYS = np.iinfo(np.int64).min  # datetime64's NaT

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


def parse_kind(column: Column) -> str:
    """The kind of text a column holds: its type, ``str`` for an enum."""
    return "str" if column.type == "enum" else column.type


# Plain classes with slots, not frozen dataclasses: a frozen instance costs microseconds, and a
# request makes hundreds. Nothing changes them after construction.


@dataclass(slots=True)
class Cells:
    """Cells as given (``raw``, for messages), trimmed (``text``, never null), and blank."""

    raw: pa.Array
    text: pa.Array
    blank: np.ndarray

    def slice(self, start: int, length: int) -> Cells:
        return Cells(
            self.raw.slice(start, length),
            self.text.slice(start, length),
            self.blank[start : start + length],
        )


def cells_of(values: Any) -> Cells:
    """``Cells`` of a text column (pandas, arrow, or a list of str; null is blank)."""
    raw = arrow_text(pa.array(values, pa.large_string()) if isinstance(values, list) else values)
    text = pc.utf8_trim_whitespace(pc.fill_null(raw, "") if raw.null_count else raw)
    blank = pc.binary_length(text).to_numpy(zero_copy_only=False) == 0
    return Cells(raw=raw, text=text, blank=blank)


@dataclass(slots=True)
class ParsedCells:
    """Parsed cells: memory values (a placeholder where not ``ok``), which cells have the
    kind's form (``ok``; a blank cell has not), those that are not blank and not of the form
    (``malformed``), for dates why not (``note``), and for text the ``TextEncoding`` that
    numbers the cells when a rule needs codes."""

    cells: Cells
    values: Any  # pa.Array for str, np.ndarray otherwise
    ok: np.ndarray
    malformed: np.ndarray
    note: np.ndarray | None = None
    encoding: TextEncoding | None = None


def _parsed(
    cells: Cells, values: Any, ok: np.ndarray, note: np.ndarray | None = None
) -> ParsedCells:
    return ParsedCells(cells, values, ok, ~cells.blank & ~ok, note)


def _parse_str(cells: Cells) -> ParsedCells:
    text = cells.text
    nothing = np.zeros(len(text), dtype=bool)
    return ParsedCells(cells, text, ~cells.blank, nothing, None, TextEncoding(text))


def _parse_money(cells: Cells) -> ParsedCells:
    cents, ok = parse_money_arrow(cells.text)
    return _parsed(cells, cents, ok)


def _parse_int(cells: Cells) -> ParsedCells:
    """Whole numbers of at most 18 digits (int columns hold few distinct values)."""
    numbers, ok, _ = _by_distinct(cells, np.int64, _judge_int)
    return _parsed(cells, numbers, ok)


def _parse_bool(cells: Cells) -> ParsedCells:
    """``true``/``false`` in any letter case."""
    true, ok, _ = _by_distinct(cells, bool, _judge_bool)
    return _parsed(cells, true, ok)


def _parse_date(cells: Cells) -> ParsedCells:
    """Dates (``_judge_date``); few distinct days."""
    days, _, notes = _by_distinct(cells, np.int64, _judge_date)
    values = days.view("datetime64[D]").astype("datetime64[ns]")
    return _parsed(cells, values, ~np.isnat(values), notes)


Judged = tuple[Any, bool, int]  # (memory value or a placeholder, of the form?, note)


def _by_distinct(
    cells: Cells, dtype: Any, judge: Callable[[str], Judged]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Judge each distinct text once and spread the verdicts to the cells: (values, ok,
    notes) per cell. Cheap for the columns whose values repeat (ints, bools, dates)."""
    encoded = pc.dictionary_encode(cells.text)
    judged = [judge(text) for text in encoded.dictionary.to_pylist()]
    indices = encoded.indices.to_numpy(zero_copy_only=False)
    values = np.array([value for value, _, _ in judged], dtype=dtype)[indices]
    ok = np.array([fits for _, fits, _ in judged], dtype=bool)[indices]
    notes = np.array([note for _, _, note in judged], dtype=np.int8)[indices]
    return values, ok, notes


def _judge_int(text: str) -> Judged:
    if _INT_SHAPE.fullmatch(text):
        return int(text), True, 0
    return 0, False, 0


def _judge_bool(text: str) -> Judged:
    lowered = text.lower()
    return lowered == "true", lowered in ("true", "false"), 0


def _judge_date(text: str) -> Judged:
    """(days since 1970-01-01, True, 0) for a contract date; else (NaT, False, index into
    _DATE_NOTES).

    A text of the shape YYYY-MM-DD is a calendar date when its month and day exist in the
    proleptic Gregorian calendar (year 0000 included); a date must also fall in 1678-2261."""
    if not _DATE_SHAPE.fullmatch(text):
        return _NAT_DAYS, False, 0
    year, month, day = int(text[:4]), int(text[5:7]), int(text[8:])
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    if not 1 <= month <= 12 or not 1 <= day <= _DAYS_IN_MONTH[month - 1] + (leap and month == 2):
        return _NAT_DAYS, False, 1
    if not _FIRST_YEAR <= year <= _LAST_YEAR:
        return _NAT_DAYS, False, 2
    return date(year, month, day).toordinal() - _EPOCH_ORDINAL, True, 0


_PARSERS: dict[str, Callable[[Cells], ParsedCells]] = {
    "str": _parse_str,
    "money": _parse_money,
    "int": _parse_int,
    "bool": _parse_bool,
    "date": _parse_date,
}


def parse_cells(kind: str, cells: Cells) -> ParsedCells:
    """Parse cells of one ``kind`` (``parse_kind``) into memory values."""
    return _PARSERS[kind](cells)


@dataclass(slots=True)
class Span:
    """The cells of ``column`` (of the table reported as ``file``) in a parsed run: ``length``
    cells from ``start``; cell ``start + i`` is the table's row ``i``."""

    column: Column
    file: str
    start: int
    length: int


@dataclass(slots=True)
class ColumnCheck:
    """A checked column: its memory values, the rows with a problem, and its issues."""

    typed: TypedColumn
    problem: np.ndarray | None  # None: no row has a problem
    issues: list[Issue]


def check_run(
    parsed: ParsedCells, spans: Sequence[Span], cap: int = MAX_ISSUES_PER_RULE
) -> list[ColumnCheck]:
    """Apply each column's rules to its cells. ``spans`` cover the run in order.

    Rules: a required column has no blank cell; a cell has its kind's form, and an enum's is
    one of its choices; ``positive`` numbers are > 0, ``non_negative`` ones >= 0. A blank or
    bad cell is NA in memory; a problem row of a column is a bad cell, a blank required one
    or a number of the wrong sign."""
    cells = parsed.cells
    bad = _unknown_choices(parsed, spans)
    na = cells.blank | bad
    problem = np.where(_per_cell(spans, "required"), na, bad)
    wrong = _wrong_sign(parsed, spans, na)
    if wrong is not None:
        problem |= wrong
    values = (
        _with_nulls(parsed.values, na) if isinstance(parsed.values, pa.Array) else parsed.values
    )
    report = np.count_nonzero(problem)
    checked = []
    for span in spans:
        start, end = span.start, span.start + span.length
        issues = IssueCollector(cap)
        if report:
            _report(
                span, parsed, bad[start:end], None if wrong is None else wrong[start:end], issues
            )
        if isinstance(values, pa.Array):
            column_values = values.slice(start, span.length)
        else:
            column_values = values[start:end]
        typed = TypedColumn(span.column, column_values, na[start:end], parsed.encoding, start)
        rows = problem[start:end] if report and np.count_nonzero(problem[start:end]) else None
        checked.append(ColumnCheck(typed, rows, issues.issues))
    return checked


def _per_cell(spans: Sequence[Span], flag: str) -> np.ndarray:
    """A column flag (``required``, ``positive``, ...) per cell of the run."""
    flags = np.array([getattr(span.column, flag) for span in spans], dtype=bool)
    return np.repeat(flags, [span.length for span in spans])


def _unknown_choices(parsed: ParsedCells, spans: Sequence[Span]) -> np.ndarray:
    """Malformed cells, and the cells of enum columns that are not among their choices."""
    enums = [span for span in spans if span.column.type == "enum"]
    if not enums:
        return parsed.malformed
    bad = parsed.malformed.copy()
    cells = parsed.cells
    for span in enums:
        text = cells.text.slice(span.start, span.length)
        known = pc.call_function("is_in", [text], _choices(span.column.choices))
        part = slice(span.start, span.start + span.length)
        bad[part] |= ~cells.blank[part] & ~known.to_numpy(zero_copy_only=False)
    return bad


@cache
def _choices(choices: tuple[str, ...]) -> pc.SetLookupOptions:
    """The lookup options of an enum's choices (built once)."""
    return pc.SetLookupOptions(pa.array(choices, pa.large_string()))


def _wrong_sign(parsed: ParsedCells, spans: Sequence[Span], na: np.ndarray) -> np.ndarray | None:
    """Numbers of ``positive`` columns that are not > 0 and of ``non_negative`` ones that are
    < 0 (None: no column of the run has a sign rule)."""
    if not any(span.column.positive or span.column.non_negative for span in spans):
        return None
    values = parsed.values
    positive = _per_cell(spans, "positive") & (values <= 0)
    negative = _per_cell(spans, "non_negative") & (values < 0)
    wrong: np.ndarray = ~na & (positive | negative)
    return wrong


def _report(
    span: Span,
    parsed: ParsedCells,
    bad: np.ndarray,
    wrong: np.ndarray | None,
    issues: IssueCollector,
) -> None:
    """Report one column's blank, bad and wrong-sign cells (rows relative to the span)."""
    column, file, raw = span.column, span.file, parsed.cells.raw
    expected = expectation(column)

    def found(p: int) -> str:
        return show(raw[span.start + p].as_py())

    if column.required:
        blank = parsed.cells.blank[span.start : span.start + span.length]
        issues.add_mask(
            file, column.name, blank, lambda _: f"required value is blank; expected {expected}"
        )
    notes = parsed.note
    issues.add_mask(
        file,
        column.name,
        bad,
        lambda p: (
            f"expected {expected}; found {found(p)}"
            + ("" if notes is None else _DATE_NOTES[notes[span.start + p]])
        ),
    )
    if wrong is not None:
        words = "greater than 0" if column.positive else "0 or more"
        issues.add_mask(
            file, column.name, wrong, lambda p: f"expected a value {words}; found {found(p)}"
        )


def _with_nulls(text: pa.Array, null: np.ndarray) -> pa.Array:
    """``text`` with nulls where ``null``; shares the string data (only a validity bitmap is
    built, no string is copied)."""
    if not np.count_nonzero(null):
        return text
    valid = np.concatenate((np.zeros(text.offset, dtype=bool), ~null))  # bits follow offset
    bitmap = pa.py_buffer(np.packbits(valid, bitorder="little"))
    _, offsets, data = text.buffers()
    return pa.Array.from_buffers(text.type, len(text), [bitmap, offsets, data], offset=text.offset)
