"""A ledger table's rows as plain Python dicts (the single-claim paths read rows, not frames).

``records`` converts a frame column by column (NA/NaT -> None, dates -> ``pd.Timestamp``,
money -> int cents). A request ledger is built from typed rows in the first place
(``validate_rows.ledger_from_rows``): it is a ``RowLedger``, which keeps those rows
(``Ledger.handed_rows``, ``Ledger.row_count``) and builds a table's frame only when something
reads it, so that classify-on-demand, which reads rows only, builds no frame at all (each costs
about a millisecond). A frame built that way has its rows remembered (``remember``), so
``frame_records`` returns them instead of converting again; any other frame is converted each
time.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

from cbclassify.contract.ledger import Ledger

Row = dict[str, Any]

#: id(frame) -> (weak reference to the frame, its rows); an entry leaves with its frame.
_REMEMBERED: dict[int, tuple[weakref.ref, list[Row]]] = {}


def records(frame: pd.DataFrame, columns: list[str] | tuple[str, ...] | None = None) -> list[Row]:
    """The rows of ``frame`` as dicts of plain values (column-wise, no per-cell pandas calls)."""
    names = list(frame.columns if columns is None else columns)
    values = [plain_values(frame[c]) for c in names]
    return [dict(zip(names, row, strict=True)) for row in zip(*values, strict=True)]


def plain_values(series: pd.Series) -> list[Any]:
    """A column as plain values (NA/NaT -> None); pyarrow text straight from its buffer."""
    dtype = series.dtype
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
        return series.array.__arrow_array__().to_pylist()  # type: ignore[attr-defined]
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


class RowLedger(Ledger):
    """A ledger held as its typed rows (one request's claims, ``records`` form).

    ``handed_rows`` and ``row_count`` answer from the rows, so the single-claim paths never
    need a frame; a table's frame is built from its rows by ``build_frame`` the first time it
    is read (and its rows remembered for ``frame_records``). Frames and rows never change.
    """

    def __init__(  # not the dataclass __init__: the frames are built on first read
        self, rows: Mapping[str, list[Row]], build_frame: Callable[[str, list[Row]], pd.DataFrame]
    ) -> None:
        object.__setattr__(self, "_rows", {n: rows.get(n, []) for n in self.table_names()})
        object.__setattr__(self, "_build_frame", build_frame)

    def __getattr__(self, name: str) -> pd.DataFrame:
        rows = self.__dict__.get("_rows")
        if rows is None or name not in rows:
            raise AttributeError(name)
        frame = self.__dict__["_build_frame"](name, rows[name])
        remember(frame, rows[name])
        object.__setattr__(self, name, frame)
        return frame

    def row_count(self, name: str) -> int:
        return len(self.__dict__["_rows"][name])

    def handed_rows(self, name: str) -> list[Row]:
        return self.__dict__["_rows"][name]

    def built_tables(self) -> list[str]:
        """The tables whose frame has been built so far."""
        return [n for n in self.table_names() if n in self.__dict__]

    def default_as_of(self) -> pd.Timestamp:
        posted = [t["posted_date"] for t in self.handed_rows("transactions")]
        posted = [d for d in posted if d is not None]
        if posted:
            return pd.Timestamp(max(posted))
        billed = [r["billed_date"] for r in self.handed_rows("claim_lines")]
        billed = [d for d in billed if d is not None]
        if billed:
            return pd.Timestamp(max(billed))
        return pd.Timestamp.today().normalize()
