"""A ledger straight from already-typed rows, for tiny ledgers (classify-on-demand).

``build_ledger`` parses text with a few pandas/pyarrow operations per column and per rule,
about a hundred milliseconds of fixed cost on a one-claim request whose values the API has
already typed (pydantic). ``ledger_from_rows`` builds the same typed frames from those values
directly and checks, in plain Python, every rule ``build_ledger`` applies; when any value or
rule would need a message (or a value is not in the plain form it accepts) it returns None and
the caller runs ``build_ledger`` on ``rows_as_text`` of the same rows, which reports exactly as
for a file. So a returned ledger is always the one ``build_ledger`` gives
(tests/contract/test_validate_rows.py checks both directions).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from cbclassify.contract.ledger import Ledger, empty_frame, memory_dtype
from cbclassify.contract.rows import RowLedger
from cbclassify.contract.schema import TABLES, Column, Table

Rows = Sequence[Mapping[str, Any]]
_MIN_DATE, _MAX_DATE = date(1678, 1, 1), date(2261, 12, 31)
_MAX_CENTS = 10**17  # 15 digits before the point
_MAX_INT = 10**18  # 18 digits


class _NeedsFullCheck(Exception):
    """A value or rule that ``build_ledger`` must judge (and word)."""


def text_value(value: object) -> str:
    """A typed value as the text of a ledger file cell (blank for None)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def rows_as_text(tables: Mapping[str, Rows]) -> dict[str, pd.DataFrame]:
    """The raw text frames ``build_ledger`` reads, from typed rows (contract column names)."""
    out = {}
    for name, rows in tables.items():
        columns = list(TABLES[name].column_names)
        records = [{c: text_value(r.get(c)) for c in columns} for r in rows]
        out[name] = pd.DataFrame(records, columns=columns, dtype="string")
    return out


def ledger_from_rows(tables: Mapping[str, Rows]) -> Ledger | None:
    """The typed ledger of ``tables`` (name -> rows of typed values: str, int, Decimal money,
    date, bool, None), or None when ``build_ledger`` has to judge it (see module docstring).
    Tables left out are empty; the resolutions table is not supported (None)."""
    if set(tables) - set(TABLES) or "resolutions" in tables:
        return None
    if any(t.required and n not in tables for n, t in TABLES.items()):
        return None
    try:
        values = {name: _typed(TABLES[name], rows) for name, rows in tables.items()}
        _check_rules(values)
        _check_references(values)
    except _NeedsFullCheck:
        return None
    return RowLedger({n: _as_records(TABLES[n], rows) for n, rows in values.items()}, _table_frame)


def _table_frame(name: str, rows: list[dict[str, Any]]) -> pd.DataFrame:
    """The memory frame of table ``name`` from its typed rows (``RowLedger`` builds it on
    first read)."""
    return _frame(TABLES[name], rows) if rows else _empty(name)


def _as_records(table: Table, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The typed rows as ``contract.rows.records`` gives them from the frame: the same keys
    in column order, dates as ``pd.Timestamp`` (everything else is already plain)."""
    dates = [c.memory_name for c in table.columns if c.type == "date"]
    if not dates:
        return rows
    stamps: dict[date, pd.Timestamp] = {}  # a request repeats few dates; a Timestamp is slow
    out = []
    for row in rows:
        copy = dict(row)
        for name in dates:
            day = copy[name]
            if day is not None:
                stamp = stamps.get(day)
                if stamp is None:
                    stamp = stamps[day] = pd.Timestamp(day)
                copy[name] = stamp
        out.append(copy)
    return out


def _typed(table: Table, rows: Rows) -> list[dict[str, Any]]:
    specs = _specs(table)
    out = []
    for row in rows:
        typed = {}
        for name, memory_name, required, convert in specs:
            value = row.get(name)
            if value is None or (value.__class__ is str and value == ""):
                if required:
                    raise _NeedsFullCheck
                typed[memory_name] = None
            else:
                typed[memory_name] = convert(value)
        out.append(typed)
    return out


@cache
def _specs(table: Table) -> list[tuple[str, str, bool, Callable[[Any], Any]]]:
    """Per column: name, memory name, required, and the converter of a non-blank value."""
    return [(c.name, c.memory_name, c.required, _converter(c)) for c in table.columns]


def _edge_ok(ch: str) -> bool:
    """A first/last character that no whitespace trimming would remove."""
    if ch < "\x7f":
        return ch > " "
    return unicodedata.category(ch)[0] in "LNPS"


def _text(value: Any) -> str:
    if value.__class__ is not str:
        raise _NeedsFullCheck
    first, last = value[0], value[-1]
    if not (" " < first < "\x7f" and " " < last < "\x7f") and not (
        _edge_ok(first) and _edge_ok(last)
    ):
        raise _NeedsFullCheck
    return value


def _converter(column: Column) -> Callable[[Any], Any]:
    """The memory value of one non-blank cell; raises _NeedsFullCheck where the text path
    could differ or report."""
    kind = column.type
    if kind == "str":
        return _text
    if kind == "enum":
        choices = frozenset(column.choices)

        def enum(value: Any) -> str:
            if _text(value) not in choices:
                raise _NeedsFullCheck
            return value

        return enum
    if kind in ("money", "int"):
        number = _cents if kind == "money" else _integer
        if column.positive:
            return lambda value: _at_least(number(value), 1)
        if column.non_negative:
            return lambda value: _at_least(number(value), 0)
        return number
    if kind == "bool":
        return _boolean
    return _day


def _integer(value: Any) -> int:
    if value.__class__ is not int or abs(value) >= _MAX_INT:
        raise _NeedsFullCheck
    return value


def _boolean(value: Any) -> bool:
    if value.__class__ is not bool:
        raise _NeedsFullCheck
    return value


def _day(value: Any) -> date:
    if value.__class__ is not date or not _MIN_DATE <= value <= _MAX_DATE:
        raise _NeedsFullCheck
    return value


def _cents(value: Any) -> int:
    if value.__class__ is int:
        cents = value * 100
    elif value.__class__ is Decimal and value.is_finite() and value.adjusted() < 16:
        scaled = value.scaleb(2)  # exact: a Decimal keeps every digit
        cents = int(scaled)
        if cents != scaled:  # finer than a cent
            raise _NeedsFullCheck
    else:
        raise _NeedsFullCheck
    if abs(cents) >= _MAX_CENTS:
        raise _NeedsFullCheck
    return cents


def _at_least(number: int, least: int) -> int:
    if number < least:
        raise _NeedsFullCheck
    return number


def _check_rules(values: Mapping[str, list[dict[str, Any]]]) -> None:
    """Unique keys, payer_id on payer postings, fee-schedule periods (``validate_rules``)."""
    for name, rows in values.items():
        key = TABLES[name].key
        if key:
            seen = [tuple(r[k] for k in key) for r in rows]
            given = [k for k in seen if None not in k]
            if len(set(given)) != len(given):
                raise _NeedsFullCheck
    for t in values.get("transactions", []):
        if t["source"] == "payer" and t["payer_id"] is None:
            raise _NeedsFullCheck
    periods: dict[tuple, list[tuple[date, date | None]]] = {}
    for f in values.get("fee_schedule", []):
        start, end = f["effective_from"], f["effective_to"]
        if end is not None and end < start:
            raise _NeedsFullCheck
        periods.setdefault((f["payer_id"], f["cpt"], f["modifier"] or ""), []).append((start, end))
    for spans in periods.values():
        latest: date | None = None
        for start, end in sorted(spans, key=lambda s: s[0]):
            if latest is not None and start <= latest:
                raise _NeedsFullCheck
            latest = date.max if end is None else end if latest is None else max(latest, end)


def _check_references(values: Mapping[str, list[dict[str, Any]]]) -> None:
    """Every non-blank reference exists in its provided target table (``validate_refs``)."""
    known: dict[tuple[str, tuple[str, ...]], set] = {}
    for name, rows in values.items():
        for target, source_columns, target_columns in _reference_columns(name):
            if target not in values:
                continue
            targets = known.get((target, target_columns))
            if targets is None:
                targets = known[target, target_columns] = _keys(values[target], target_columns)
            if len(source_columns) == 1:
                (column,) = source_columns
                if any(r[column] is not None and r[column] not in targets for r in rows):
                    raise _NeedsFullCheck
                continue
            for r in rows:
                key = tuple(r[c] for c in source_columns)
                if None not in key and key not in targets:
                    raise _NeedsFullCheck


def _keys(rows: list[dict[str, Any]], columns: tuple[str, ...]) -> set:
    """The values of ``columns`` in ``rows``: plain values for one column, else tuples."""
    if len(columns) == 1:
        (column,) = columns
        return {r[column] for r in rows}
    return {tuple(r[c] for c in columns) for r in rows}


@cache
def _reference_columns(name: str) -> list[tuple[str, tuple[str, ...], tuple[str, ...]]]:
    """Per reference of table ``name``: its target table and the memory names of the
    referencing and referenced columns."""
    source = {c.name: c.memory_name for c in TABLES[name].columns}
    out = []
    for ref in TABLES[name].references:
        target = {c.name: c.memory_name for c in TABLES[ref.target].columns}
        out.append((ref.target, tuple(source[c] for c in ref.columns),
                    tuple(target[c] for c in ref.target_columns)))  # fmt: skip
    return out


def _frame(table: Table, rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Typed rows -> the memory frame ``check_table`` builds (same dtypes, RangeIndex)."""
    data: dict[str, Any] = {}
    for column in table.columns:
        name = column.memory_name
        data[name] = _column_array(column, [r[name] for r in rows])
    return pd.DataFrame(data, index=pd.RangeIndex(len(rows)), copy=False)


_EPOCH_ORDINAL = 719_163  # date(1970, 1, 1).toordinal()
_NAT = np.iinfo(np.int64).min


def _column_array(column: Column, cells: list[Any]) -> Any:
    """One typed column as its memory array, built straight from the values (the values are
    already checked: ``pd.array`` would check each again)."""
    if column.type == "date":
        days = [_NAT if d is None else d.toordinal() - _EPOCH_ORDINAL for d in cells]
        return np.array(days, dtype="int64").view("datetime64[D]").astype("datetime64[ns]")
    if column.type in ("str", "enum"):
        return pd.arrays.ArrowStringArray(
            pa.chunked_array([pa.array(cells, type=pa.large_string())])
        )
    if column.type in ("money", "int"):
        mask = np.array([c is None for c in cells], dtype=bool)
        values = np.array([0 if c is None else c for c in cells], dtype="int64")
        return pd.arrays.IntegerArray(values, mask)
    return pd.array(cells, dtype=memory_dtype(column))


@cache
def _empty_template(name: str) -> pd.DataFrame:
    return empty_frame(name)


def _empty(name: str) -> pd.DataFrame:
    """``empty_frame`` (a copy of one built once: the ledger's frames are its own)."""
    return _empty_template(name).copy()
