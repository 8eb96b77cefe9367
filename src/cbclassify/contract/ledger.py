"""The in-memory ledger: one typed DataFrame per contract table.

Dtypes in memory (``memory_dtype``): str/enum -> ``string``, money -> ``Int64`` cents in a column
named ``<name>_cents``, int -> ``Int64``, bool -> ``boolean``, date -> ``datetime64[ns]``.
Blank in the file is NA in memory. Pure data: no I/O here (see ``cbclassify.ledger_io``).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import pandas as pd

from cbclassify.contract.schema import TABLES, Column, Table

STRING_DTYPE = pd.StringDtype()
_DTYPES = {
    "str": STRING_DTYPE,
    "enum": STRING_DTYPE,
    "money": "Int64",
    "int": "Int64",
    "bool": "boolean",
    "date": "datetime64[ns]",
}


def memory_dtype(column: Column) -> Any:
    """The pandas dtype a contract column has in a loaded ledger."""
    return _DTYPES[column.type]


def empty_frame(table: Table | str) -> pd.DataFrame:
    """An empty typed frame with the memory columns of ``table``."""
    spec = TABLES[table] if isinstance(table, str) else table
    return pd.DataFrame({c.memory_name: pd.Series([], dtype=memory_dtype(c)) for c in spec.columns})


def coerce_frame(table: Table | str, frame: pd.DataFrame) -> pd.DataFrame:
    """Cast an already-valid frame (memory names) to the memory dtypes; adds absent optional
    columns as NA. Extra columns are kept. Used by generators and tests, not for validation."""
    spec = TABLES[table] if isinstance(table, str) else table
    out = frame.copy()
    for col in spec.columns:
        name = col.memory_name
        if name not in out.columns:
            out[name] = pd.Series(pd.NA, index=out.index, dtype=memory_dtype(col))
        else:
            out[name] = out[name].astype(memory_dtype(col))
    ordered = [c.memory_name for c in spec.columns]
    return out[ordered + [c for c in out.columns if c not in ordered]]


def default_as_of(posted_dates: np.ndarray, billed_dates: np.ndarray) -> pd.Timestamp:
    """The contract's default as-of date: the latest posted_date, else the latest billed_date
    (NaT when claim lines have no date), else today."""
    posted = posted_dates[~np.isnat(posted_dates)]
    if len(posted):
        return pd.Timestamp(posted.max())
    if len(billed_dates):
        billed = billed_dates[~np.isnat(billed_dates)]
        return pd.Timestamp(billed.max()) if len(billed) else pd.Timestamp("NaT")
    return pd.Timestamp.today().normalize()


@dataclass(frozen=True)
class Ledger:
    """A practice's ledger as typed frames (see module docstring for dtypes)."""

    payers: pd.DataFrame
    patients: pd.DataFrame
    claim_lines: pd.DataFrame
    transactions: pd.DataFrame
    fee_schedule: pd.DataFrame
    remittances: pd.DataFrame
    provider_adjustments: pd.DataFrame
    resolutions: pd.DataFrame

    @classmethod
    def from_frames(cls, **frames: pd.DataFrame) -> Ledger:
        """Build a ledger from memory-named frames; absent optional tables become empty."""
        unknown = set(frames) - set(TABLES)
        if unknown:
            raise ValueError(f"unknown ledger tables: {sorted(unknown)}")
        built = {
            name: coerce_frame(name, frames[name]) if name in frames else empty_frame(name)
            for name in TABLES
        }
        return cls(**built)

    def table(self, name: str) -> pd.DataFrame:
        """The frame of table ``name``."""
        frame: pd.DataFrame = getattr(self, name)
        return frame

    def with_table(self, name: str, frame: pd.DataFrame) -> Ledger:
        """A copy (a plain ``Ledger``) with table ``name`` replaced."""
        return Ledger(**{n: frame if n == name else self.table(n) for n in self.table_names()})

    def row_count(self, name: str) -> int:
        """How many rows table ``name`` has."""
        return len(self.table(name))

    def handed_rows(self, name: str) -> list[dict[str, Any]] | None:
        """Table ``name`` as plain rows without building its frame
        (``contract.validate_rows.RequestLedger``: one request's ledger), else None: read the
        frame."""
        return None

    def default_as_of(self) -> pd.Timestamp:
        """The contract's default as-of date (``default_as_of``)."""
        return default_as_of(
            self.transactions["posted_date"].to_numpy("datetime64[ns]"),
            self.claim_lines["billed_date"].to_numpy("datetime64[ns]"),
        )

    @staticmethod
    def table_names() -> tuple[str, ...]:
        return tuple(f.name for f in fields(Ledger))
