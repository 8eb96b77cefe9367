"""A ledger table's rows as plain Python dicts (the single-claim paths read rows, not frames).

``records`` converts a frame column by column (NA/NaT -> None, dates -> ``pd.Timestamp``,
money -> int cents). A request's ledger (``validate_rows.RequestLedger``) gives its rows
without a frame (``Ledger.handed_rows``); a frame it builds has those rows remembered
(``remember``), so ``frame_records`` returns them instead of converting again; any other frame
is converted each time.
"""

from __future__ import annotations

import weakref
from typing import Any

import pandas as pd

Row = dict[str, Any]

#: id(frame) -> (weak reference to the frame, its rows); an entry leaves with its frame.
_REMEMBERED: dict[int, tuple[weakref.ref[pd.DataFrame], list[Row]]] = {}


def records(frame: pd.DataFrame, columns: list[str] | tuple[str, ...] | None = None) -> list[Row]:
    """The rows of ``frame`` as dicts of plain values (column-wise, no per-cell pandas calls)."""
    names = list(frame.columns if columns is None else columns)
    values = [plain_values(frame[c]) for c in names]
    return [dict(zip(names, row, strict=True)) for row in zip(*values, strict=True)]


def plain_values(series: pd.Series) -> list[Any]:
    """A column as plain values (NA/NaT -> None); pyarrow text straight from its buffer."""
    dtype = series.dtype
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
        values: list[Any] = series.array.__arrow_array__().to_pylist()
        return values
    na, nat = pd.NA, pd.NaT
    return [None if v is na or v is nat else v for v in series.tolist()]


def remember(frame: pd.DataFrame, rows: list[Row]) -> None:
    """Record ``rows`` as ``records(frame)`` (the caller guarantees they are equal)."""
    key = id(frame)
    _REMEMBERED[key] = (weakref.ref(frame, lambda _ref: _REMEMBERED.pop(key, None)), rows)


def remembered(frame: pd.DataFrame) -> list[Row] | None:
    """The rows handed over for ``frame`` (``remember``), else None."""
    found = _REMEMBERED.get(id(frame))
    return found[1] if found is not None and found[0]() is frame else None


def frame_records(frame: pd.DataFrame) -> list[Row]:
    """``records(frame)``: the remembered rows when the frame has them, else converted."""
    rows = remembered(frame)
    return records(frame) if rows is None else rows
