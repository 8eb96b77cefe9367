"""A classify request's rows -> its validated ledger, by the same validation as a file.

The API hands each table's rows with values typed by pydantic (str, int, ``Decimal`` money,
``date``, bool, None). Each value is written as the text a ledger file would hold
(``cell_text``) and goes through the parsers and rules of ``contract.validate``: the same
ledger as the file with these rows, and the same messages. The table name stands for the file
and row ``i`` of a table is reported as line ``i + 2`` (``api.classify`` names it
``transactions[i].amount``). Only the way the cells reach the parsers differs: every cell of one
kind (all money cells of all tables, ...) is parsed in one call, so that a request pays each
kernel's fixed cost once rather than once per column.

The ledger returned (``RequestLedger``) keeps the typed columns and builds a table's frame only
when something reads it; ``handed_rows`` gives a table's rows without building it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

import pandas as pd

from cbclassify.contract.errors import LedgerValidationError
from cbclassify.contract.ledger import Ledger, default_as_of
from cbclassify.contract.rows import Row, remember
from cbclassify.contract.schema import TABLES, Column
from cbclassify.contract.typed import TypedColumn, TypedTable
from cbclassify.contract.validate import (
    AsOf,
    LedgerCheck,
    check_columns,
    check_tables,
    refuse_unknown_tables,
    table_labels,
)
from cbclassify.contract.validate_columns import (
    ColumnCheck,
    Span,
    cells_of,
    check_run,
    parse_cells,
    parse_kind,
)
from cbclassify.contract.validate_issues import IssueCollector

Rows = Sequence[Mapping[str, Any]]
_KINDS = ("str", "money", "int", "bool", "date")


def ledger_from_rows(tables: Mapping[str, Rows], *, as_of: AsOf = None) -> Ledger:
    """The validated ledger of ``tables`` (table name -> rows of typed values by contract
    column name; a column left out of a row is blank, a table left out is absent).
    Raises ``LedgerValidationError`` with every issue, worded as for a file."""
    checked = check_rows(tables, as_of=as_of)
    if checked.issues:
        raise LedgerValidationError(checked.issues)
    return checked.ledger


def check_rows(tables: Mapping[str, Rows], *, as_of: AsOf = None) -> LedgerCheck:
    """``validate_ledger_frames`` for typed rows: the ledger (usable only without issues) and
    every issue."""
    refuse_unknown_tables(tables)
    names = [name for name in TABLES if name in tables]
    texts: list[str] = []  # every cell, kind after kind; a column's cells one after another
    runs: list[tuple[str, int, list[Span]]] = []  # per kind: where its cells begin, its columns
    for kind in _KINDS:
        begin, spans = len(texts), []
        for name in names:
            for column in _columns_of_kind(name, kind):
                spans.append(Span(column, name, len(texts) - begin, len(tables[name])))
                texts += _column_texts(kind, column.name, tables[name])
        runs.append((kind, begin, spans))
    cells = cells_of(texts)
    checked: dict[tuple[str, str], ColumnCheck] = {}
    for kind, begin, spans in runs:
        parsed = parse_cells(kind, cells.slice(begin, sum(span.length for span in spans)))
        for span, result in zip(spans, check_run(parsed, spans), strict=True):
            checked[span.file, span.column.name] = result
    checks = {
        name: check_columns(
            TABLES[name],
            {column.name: checked[name, column.name] for column in TABLES[name].columns},
            len(tables[name]),
            name,
            IssueCollector(),
        )
        for name in names
    }
    issues = check_tables(checks, table_labels(None), as_of=as_of)
    return LedgerCheck(RequestLedger({name: check.typed for name, check in checks.items()}), issues)


@cache
def _columns_of_kind(name: str, kind: str) -> tuple[Column, ...]:
    """The columns of table ``name`` that hold text of ``kind``."""
    return tuple(column for column in TABLES[name].columns if parse_kind(column) == kind)


def _column_texts(kind: str, name: str, rows: Rows) -> list[str]:
    """``cell_text`` of column ``name`` in every row; blanks and the usual value type of each
    kind are written inline (a function call per cell would cost more than the text)."""
    values = [r.get(name) for r in rows]
    if kind == "str":
        return [v if v.__class__ is str else "" if v is None else cell_text(v) for v in values]
    if kind == "date":
        return [
            v.isoformat() if v.__class__ is date else "" if v is None else cell_text(v)
            for v in values
        ]
    if kind == "int":
        return [str(v) if v.__class__ is int else "" if v is None else cell_text(v) for v in values]
    if kind == "money":
        return [_money_text(v) for v in values]
    return [cell_text(v) for v in values]


def _money_text(value: object) -> str:
    """``cell_text`` of a money value; ``str`` of a Decimal with exactly two decimals
    (``"150.00"``, the usual request value) is already its text."""
    if value is None:
        return ""
    if value.__class__ is Decimal:
        text = str(value)
        if text[-3:-2] == "." and "E" not in text:
            return text
    return cell_text(value)


def cell_text(value: object) -> str:
    """A typed value as the text of a ledger file cell (None: blank, ``""``).

    Money keeps every digit, except zeros past the cent (``Decimal('1.230')`` is ``1.23``, as
    for a Parquet decimal): ``1.005`` is reported, never rounded. A date is ``YYYY-MM-DD``; a
    bool ``true``/``false``; anything else its ``str``."""
    if value is None:
        return ""
    if value.__class__ is str:
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        text = f"{value:.2f}"
        exponent = value.as_tuple().exponent  # a letter for NaN and infinity
        exact = isinstance(exponent, int) and (exponent >= -2 or Decimal(text) == value)
        return text if exact else format(value, "f")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


class RequestLedger(Ledger):
    """A request's validated ledger, held as typed columns (``TypedTable``).

    A table's frame is built the first time it is read (about a millisecond a table, which a
    request that reads rows only never pays); ``handed_rows`` gives a table's rows
    (``contract.rows.records`` form) without a frame, and ``row_count`` and ``default_as_of``
    answer from the columns. Frames and rows never change.
    """

    def __init__(self, tables: Mapping[str, TypedTable]) -> None:  # frames are built on read
        typed = {name: tables.get(name) or _empty(name) for name in self.table_names()}
        object.__setattr__(self, "_typed", typed)
        object.__setattr__(self, "_rows", {})

    def __getattr__(self, name: str) -> pd.DataFrame:
        typed = self.__dict__.get("_typed")
        if typed is None or name not in typed:
            raise AttributeError(name)
        frame: pd.DataFrame = typed[name].frame()
        remember(frame, self.handed_rows(name))
        object.__setattr__(self, name, frame)
        return frame

    def row_count(self, name: str) -> int:
        return int(self.__dict__["_typed"][name].rows)

    def handed_rows(self, name: str) -> list[Row]:
        rows: dict[str, list[Row]] = self.__dict__["_rows"]
        if name not in rows:
            rows[name] = self.__dict__["_typed"][name].records()
        return rows[name]

    def built_tables(self) -> list[str]:
        """The tables whose frame has been built so far."""
        return [name for name in self.table_names() if name in self.__dict__]

    def default_as_of(self) -> pd.Timestamp:
        typed = self.__dict__["_typed"]
        return default_as_of(
            typed["transactions"]["posted_date"].values, typed["claim_lines"]["billed_date"].values
        )


@cache
def _empty(name: str) -> TypedTable:
    """An empty table (built once: nothing changes it)."""
    table = TABLES[name]
    return TypedTable(table, {c.name: TypedColumn.missing(c, 0) for c in table.columns}, 0)
