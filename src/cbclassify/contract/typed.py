"""A validated table as typed columns (numpy and arrow), before it becomes a pandas frame.

Validation produces these and its cross-row rules read them; a file's ledger turns them into
frames at once (``TypedTable.frame``), a request's ledger only when something reads a frame.
Memory values per contract type (``contract.ledger.memory_dtype`` gives the frame dtypes):

- str, enum: an arrow ``large_string`` array, null where NA;
- money (integer cents), int: int64; bool: bool; date: ``datetime64[ns]``, NaT where NA.
``na`` marks the NA rows (blank, or a bad value already reported); numbers and bools hold 0 /
False there.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from cbclassify.contract.ledger import STRING_DTYPE
from cbclassify.contract.schema import Column, Table

_NAT = np.datetime64("NaT", "ns")


@lru_cache(maxsize=65_536)
def _timestamp(nanoseconds: int) -> pd.Timestamp:
    """The Timestamp of a day (kept: ledgers repeat their days, and a Timestamp is slow)."""
    return pd.Timestamp(nanoseconds)


@dataclass(slots=True, eq=False)  # not frozen (microseconds per instance); never changed
class TypedColumn:
    """One column's memory values (module docstring) and where they are NA. A text column
    also knows the run of cells it was cut from (``encoding``, ``start``: see
    ``validate_codes.TextEncoding``), so that its codes are computed once for the run."""

    column: Column
    values: Any  # pa.Array for text, np.ndarray otherwise
    na: np.ndarray
    encoding: Any = None  # validate_codes.TextEncoding of the run, for text
    start: int = 0
    codes: dict[str, Any] = field(default_factory=dict, repr=False)  # cache of validate_codes

    @property
    def is_text(self) -> bool:
        return self.column.type in ("str", "enum")

    def __len__(self) -> int:
        return len(self.na)

    def value(self, position: int) -> object:
        """The value at ``position`` as Python (None where NA), for messages."""
        if self.na[position]:
            return None
        if self.is_text:
            return self.values[position].as_py()
        if self.column.type == "date":
            return pd.Timestamp(self.values[position])
        return self.values[position].item()

    def array(self) -> Any:
        """The pandas array of this column in a ledger frame (its memory dtype)."""
        kind = self.column.type
        if self.is_text:
            return pd.array(self.values, dtype=STRING_DTYPE)
        if kind in ("money", "int"):
            return pd.arrays.IntegerArray(self.values, self.na)
        if kind == "bool":
            return pd.arrays.BooleanArray(self.values, self.na)
        return self.values

    def plain(self) -> list[Any]:
        """The values as plain Python, None where NA; dates as ``pd.Timestamp`` (the form of
        ``contract.rows.records``)."""
        if self.is_text:
            text: list[Any] = self.values.to_pylist()  # null where NA
            return text
        if self.column.type == "date":  # one Timestamp per distinct date: a Timestamp is slow
            distinct, which = np.unique(self.values.view(np.int64), return_inverse=True)
            stamps = [_timestamp(nanoseconds) for nanoseconds in distinct.tolist()]
            values = [stamps[i] for i in which.tolist()]
        else:
            values = self.values.tolist()
        for position in np.flatnonzero(self.na).tolist():
            values[position] = None
        return values

    @classmethod
    def missing(cls, column: Column, rows: int) -> TypedColumn:
        """An all-NA column (an optional column the file does not have)."""
        na = np.ones(rows, dtype=bool)
        if column.type in ("str", "enum"):
            return cls(column, pa.nulls(rows, pa.large_string()), na)  # no run: all NA
        if column.type == "date":
            return cls(column, np.full(rows, _NAT), na)
        dtype = bool if column.type == "bool" else np.int64
        return cls(column, np.zeros(rows, dtype=dtype), na)


@dataclass(frozen=True)
class TypedTable:
    """A validated table: one ``TypedColumn`` per contract column, in schema order."""

    table: Table
    columns: Mapping[str, TypedColumn]
    rows: int

    def __getitem__(self, name: str) -> TypedColumn:
        return self.columns[name]

    def frame(self) -> pd.DataFrame:
        """The ledger frame: memory names and dtypes, a RangeIndex."""
        data = {c.memory_name: self.columns[c.name].array() for c in self.table.columns}
        return pd.DataFrame(data, index=pd.RangeIndex(self.rows), copy=False)

    def records(self) -> list[dict[str, Any]]:
        """The rows as dicts of plain values by memory name (``contract.rows.records`` of
        ``frame()``, without building the frame)."""
        names = list(self.table.memory_names)
        values = [self.columns[c.name].plain() for c in self.table.columns]
        return [dict(zip(names, row)) for row in zip(*values)]
