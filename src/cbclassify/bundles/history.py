"""Running totals by day, per patient or per payer, built column-wise (numpy) in one pass.

A patient's balance and claim count, or a payer's payment counts, as of any date are running
sums of dated events. ``running_totals`` sorts every event once by (key, day) and keeps, per
key, the days and the totals through each of them; a query is a binary search. The same
functions build them from a ledger's frames and from a request's rows (both handed over as
arrays).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

Days = npt.NDArray[np.int64]
#: ``date.toordinal()`` of 1970-01-01: day numbers are days since the epoch (datetime64[D]).
_EPOCH = date(1970, 1, 1).toordinal()


def day_number(day: date) -> int:
    """A date as days since 1970-01-01."""
    return day.toordinal() - _EPOCH


def day_numbers(values: Any) -> Days:
    """Dates (a datetime64 column or array, or a sequence of dates / Timestamps) as day numbers
    (int64); every value must be present."""
    if isinstance(values, pd.Series):
        values = values.to_numpy()
    if isinstance(values, np.ndarray) and values.dtype.kind == "M":
        days: Days = values.astype("datetime64[D]").astype("int64")
        return days
    items = list(values)
    return np.fromiter((d.toordinal() - _EPOCH for d in items), dtype="int64", count=len(items))


class RunningTotals:
    """Per key (0..keys-1): the distinct event days, sorted, and the column totals through
    each of them."""

    def __init__(
        self, keys: npt.NDArray[np.int64], days: Days, values: npt.NDArray[np.int64], count: int
    ) -> None:
        order = np.lexsort((days, keys))
        keys, days, values = keys[order], days[order], values[order]
        totals = np.cumsum(values, axis=0)
        first = np.ones(len(keys), dtype=bool)
        first[1:] = keys[1:] != keys[:-1]
        before = np.zeros_like(totals)  # each key's totals before its first event
        starts = np.flatnonzero(first)
        before_rows = np.zeros((len(starts), values.shape[1]), dtype=totals.dtype)
        before_rows[1:] = totals[starts[1:] - 1]
        before = before_rows[np.cumsum(first) - 1] if len(keys) else before
        last = np.ones(len(keys), dtype=bool)  # the last event of each (key, day)
        last[:-1] = (keys[1:] != keys[:-1]) | (days[1:] != days[:-1])
        self.keys = keys[last]
        self.days = days[last]
        self.totals = (totals - before)[last]
        self.bounds = np.searchsorted(self.keys, np.arange(count + 1))

    def of(self, key: int) -> tuple[Days, npt.NDArray[np.int64]]:
        """The days and totals of ``key``."""
        start, end = self.bounds[key], self.bounds[key + 1]
        return self.days[start:end], self.totals[start:end]


def total_on(days: Days, totals: npt.NDArray[np.int64], day: date, column: int) -> int:
    """Column ``column`` of the totals through the end of ``day`` (0 before the first day)."""
    n = int(np.searchsorted(days, day_number(day), side="right"))
    return int(totals[n - 1, column]) if n else 0


def codes_in(values: Any, keys: Sequence[Any]) -> npt.NDArray[np.int64]:
    """The position of each value in ``keys`` (-1 where absent): a frame's column by pandas'
    hash index, a request's list by a dict (no pandas fixed cost for a few rows)."""
    if isinstance(values, pd.Series):
        return np.asarray(pd.Index(list(keys), dtype=object).get_indexer(values), dtype="int64")
    index = {key: i for i, key in enumerate(keys)}
    return np.fromiter((index.get(v, -1) for v in values), dtype="int64", count=len(values))


def factorize(values: Any) -> tuple[npt.NDArray[np.int64], list[Any]]:
    """Codes 0.. of a column's values in order of first appearance, and the distinct values
    (a frame's column by pandas, a request's list by a dict)."""
    if isinstance(values, pd.Series):
        codes, uniques = pd.factorize(values)
        return np.asarray(codes, dtype="int64"), list(uniques.tolist())
    index: dict[Any, int] = {}
    found = np.fromiter(
        (index.setdefault(v, len(index)) for v in values), dtype="int64", count=len(values)
    )
    return found, list(index)
