"""Ledger tables as plain Python rows, for the single-claim feature path.

Like ``verify.single_rows.LedgerView`` (whole tables read once when small, rows selected by key
with pandas first when large), but reading only the columns the feature rules use, column by
column at C speed (pyarrow ``to_pylist`` for text), and dates as integer nanoseconds since the
epoch (None for NaT): building a ``pd.Timestamp`` per cell cost more than the rules themselves.
Missing values are ``None``; money is ``int`` cents.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from cbclassify.contract.ledger import Ledger

Row = dict[str, Any]

#: Tables up to this many rows are read whole into Python once; larger ones are filtered by
#: key with pandas first (a big ledger with a handful of credits).
SMALL_TABLE_ROWS = 5000

#: One day in nanoseconds: ``(later - earlier) // DAY_NS`` is ``Timedelta.days``.
DAY_NS = 86_400_000_000_000
#: NaT as integer nanoseconds.
NAT_NS = np.iinfo(np.int64).min

#: The columns each table is read with.
COLUMNS: dict[str, tuple[str, ...]] = {
    "transactions": ("claim_id", "line_no", "kind", "source", "payer_id", "amount_cents",
                     "group_code", "reason_code", "allowed_amount_cents", "trace_number",
                     "era_id", "posted_date"),
    "claim_lines": ("claim_id", "line_no", "patient_id", "payer_id", "secondary_payer_id",
                    "service_date", "cpt", "modifier", "units", "charge_amount_cents",
                    "billed_date"),
    "payers": ("payer_id", "payer_type", "allows_offset"),
    "fee_schedule": ("payer_id", "cpt", "modifier", "allowed_per_unit_cents", "effective_from",
                     "effective_to"),
}  # fmt: skip


def column_values(series: pd.Series) -> list[Any]:
    """A column as plain values: NA -> None, datetimes -> int nanoseconds."""
    dtype = series.dtype
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
        return series.array.__arrow_array__().to_pylist()  # type: ignore[attr-defined]
    if pd.api.types.is_datetime64_dtype(dtype):
        ns = series.to_numpy().astype("datetime64[ns]").view("int64").tolist()
        return [None if v == NAT_NS else v for v in ns]
    na, nat = pd.NA, pd.NaT
    return [None if v is na or v is nat else v for v in series.tolist()]


def table_rows(frame: pd.DataFrame, columns: tuple[str, ...]) -> list[Row]:
    """The rows of ``frame`` as dicts of ``columns`` (plain values, see ``column_values``)."""
    values = [column_values(frame[c]) for c in columns]
    return [dict(zip(columns, row, strict=True)) for row in zip(*values, strict=True)]


def rows_from_records(records: list[Row], columns: tuple[str, ...]) -> list[Row]:
    """``table_rows`` from ``contract.rows.records`` rows: ``columns`` only, dates (Timestamps)
    as integer nanoseconds."""
    stamp = pd.Timestamp
    return [
        {c: v.value if v.__class__ is stamp else v for c, v in ((c, r[c]) for c in columns)}
        for r in records
    ]


class TableView:
    """A ledger's rows as plain dicts of ``COLUMNS``, selected by a key column."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self._whole: dict[str, list[Row]] = {}

    def is_small(self, table: str) -> bool:
        """True when ``table`` is read whole into Python."""
        return self.ledger.row_count(table) <= SMALL_TABLE_ROWS

    def rows(self, table: str, column: str | None = None, wanted: set | None = None) -> list[Row]:
        """Rows of ``table`` whose ``column`` is in ``wanted`` (all rows without a column), in
        ledger order. The dicts are shared: do not change them."""
        if self.is_small(table):
            if table not in self._whole:
                handed = self.ledger.handed_rows(table)  # a request ledger's rows, already plain
                self._whole[table] = (
                    table_rows(self.ledger.table(table), COLUMNS[table])
                    if handed is None
                    else rows_from_records(handed, COLUMNS[table])
                )
            whole = self._whole[table]
            return whole if column is None else [r for r in whole if r[column] in (wanted or ())]
        frame = self.ledger.table(table)
        if column is not None:
            frame = frame[frame[column].isin(list(wanted or ())).fillna(False).to_numpy(bool)]
        return table_rows(frame, COLUMNS[table])
