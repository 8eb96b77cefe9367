"""A ledger's rows as typed Python values: what every per-claim rule reads.

Dates are ``datetime.date`` (None only where the contract allows a blank), money ``int`` cents,
text ``str`` (None for a blank). A table is first read as columns of plain values: from a frame
column by column at C speed (``frame_columns``), from a request's rows key by key
(``record_columns``); the typed rows are then built from those columns by one function per
table, whatever their origin.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from cbclassify.contract.balance_rule import balance_effect
from cbclassify.contract.schema import TABLES

#: A table as columns of plain values (memory column names).
Columns = Mapping[str, Sequence[Any]]


@dataclass(frozen=True, slots=True)
class Line:
    """One claim line."""

    claim_id: str
    line_no: int
    patient_id: str
    payer_id: str | None
    secondary_payer_id: str | None
    location_id: str
    provider_id: str
    service_date: date
    cpt: str
    modifier: str | None
    units: int
    charge_amount_cents: int
    billed_date: date


@dataclass(frozen=True, slots=True)
class Posting:
    """One transaction, with its remittance trace and its balance effect."""

    txn_id: str
    claim_id: str
    line_no: int | None
    kind: str
    source: str
    payer_id: str | None
    amount_cents: int
    group_code: str | None
    reason_code: str | None  # surrounding whitespace stripped
    allowed_amount_cents: int | None
    trace_number: str | None
    era_id: str | None
    method: str
    posted_date: date
    posted_by: str
    remit_trace: str | None  # trace_number, else its remittance's trace (era_id)
    effect_cents: int  # contract.balance_effect(kind, amount_cents)


@dataclass(frozen=True, slots=True)
class Payer:
    """One payer."""

    payer_id: str
    payer_name: str
    payer_type: str
    refund_deadline_days: int | None
    allows_offset: bool  # a blank is False


@dataclass(frozen=True, slots=True)
class FeeRow:
    """One fee-schedule row."""

    payer_id: str
    cpt: str
    modifier: str | None
    allowed_per_unit_cents: int
    effective_from: date
    effective_to: date | None


LINE_COLUMNS = (
    "claim_id",
    "line_no",
    "patient_id",
    "payer_id",
    "secondary_payer_id",
    "location_id",
    "provider_id",
    "service_date",
    "cpt",
    "modifier",
    "units",
    "charge_amount_cents",
    "billed_date",
)
TRANSACTION_COLUMNS = (
    "txn_id",
    "claim_id",
    "line_no",
    "kind",
    "source",
    "payer_id",
    "amount_cents",
    "group_code",
    "reason_code",
    "allowed_amount_cents",
    "trace_number",
    "era_id",
    "method",
    "posted_date",
    "posted_by",
)
PAYER_COLUMNS = ("payer_id", "payer_name", "payer_type", "refund_deadline_days", "allows_offset")
FEE_COLUMNS = (
    "payer_id",
    "cpt",
    "modifier",
    "allowed_per_unit_cents",
    "effective_from",
    "effective_to",
)


def frame_columns(frame: pd.DataFrame, names: Sequence[str]) -> dict[str, list[Any]]:
    """``names`` of a ledger frame as lists of plain values (see module docstring)."""
    return {name: column_values(frame[name]) for name in names}


def column_values(series: pd.Series) -> list[Any]:
    """One column as plain values: NA -> None, datetimes -> ``date``, numbers -> int/bool."""
    dtype = series.dtype
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
        values: list[Any] = series.array.__arrow_array__().to_pylist()
        return values
    if pd.api.types.is_datetime64_dtype(dtype):
        return series.to_numpy().astype("datetime64[D]").tolist()  # NaT -> None
    if isinstance(dtype, pd.api.extensions.ExtensionDtype) and dtype.kind in "iub":
        is_bool = dtype.kind == "b"
        values = series.to_numpy(
            dtype=bool if is_bool else "int64", na_value=False if is_bool else 0
        ).tolist()
        missing = series.isna().to_numpy()
        if not missing.any():
            return values
        return [None if m else v for v, m in zip(values, missing.tolist(), strict=True)]
    return [_plain(v) for v in series.tolist()]


def column_isin(series: pd.Series, values: Sequence[str]) -> npt.NDArray[np.bool_]:
    """Where a text column's value is one of ``values`` (pyarrow's ``is_in`` for a pyarrow
    column: pandas' ``isin`` converts the values one by one)."""
    dtype = series.dtype
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
        column = series.array.__arrow_array__()
        found = pc.fill_null(pc.is_in(column, value_set=pa.array(values, type=column.type)), False)
        return np.asarray(found.to_numpy(zero_copy_only=False), dtype=bool)
    return series.isin(list(values)).to_numpy(dtype=bool)


def record_columns(
    records: Sequence[Mapping[str, Any]], names: Sequence[str]
) -> dict[str, list[Any]]:
    """``names`` of a request's rows (``contract.rows.records`` form: plain values, dates as
    ``pd.Timestamp``) as lists of plain values."""
    return {
        name: [_day(r[name]) for r in records]
        if name in DATE_COLUMNS
        else [r[name] for r in records]
        for name in names
    }


#: The ledger's date columns (memory names).
DATE_COLUMNS = frozenset(
    c.memory_name for table in TABLES.values() for c in table.columns if c.type == "date"
)


def _day(value: Any) -> date | None:
    """A record's date (``pd.Timestamp`` or ``date``) as a ``date``."""
    if value is None or value is pd.NaT:
        return None
    return value.date() if isinstance(value, datetime) else value


def _plain(value: Any) -> Any:
    """A frame's object-column value as a plain value: pandas blanks -> None, Timestamps ->
    ``date``."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, np.generic):
        return value.item()
    return value


def lines_of(cols: Columns) -> list[Line]:
    """Typed claim lines, in the columns' order."""
    return [
        Line(
            claim,
            int(no),
            patient,
            payer,
            secondary,
            location,
            provider,
            service,
            cpt,
            modifier,
            int(units),
            int(charge),
            billed,
        )
        for claim, no, patient, payer, secondary, location, provider, service, cpt, modifier, units, charge, billed in zip(
            *(cols[c] for c in LINE_COLUMNS), strict=True
        )
    ]


def postings_of(cols: Columns, traces: Mapping[str, str | None]) -> list[Posting]:
    """Typed postings, in the columns' order; ``traces`` maps an era_id to its remittance's
    trace number (the ``remit_trace`` of a posting without its own)."""
    out = []
    for (
        txn,
        claim,
        line,
        kind,
        source,
        payer,
        amount,
        group,
        reason,
        allowed,
        trace,
        era,
        method,
        posted,
        by,
    ) in zip(*(cols[c] for c in TRANSACTION_COLUMNS), strict=True):
        amount = int(amount)
        remit = trace if trace is not None or era is None else traces.get(era)
        out.append(
            Posting(
                txn,
                claim,
                None if line is None else int(line),
                kind,
                source,
                payer,
                amount,
                group,
                None if reason is None else reason.strip(),
                None if allowed is None else int(allowed),
                trace,
                era,
                method,
                posted,
                by,
                remit,
                balance_effect(kind, amount),
            )
        )
    return out


def payers_of(cols: Columns) -> dict[str, Payer]:
    """Typed payers by payer_id."""
    return {
        pid: Payer(pid, name, kind, None if days is None else int(days), bool(offset))
        for pid, name, kind, days, offset in zip(*(cols[c] for c in PAYER_COLUMNS), strict=True)
    }


def fee_rows_of(cols: Columns) -> list[FeeRow]:
    """Typed fee-schedule rows, in schedule order."""
    return [
        FeeRow(payer, cpt, modifier, int(cents), start, end)
        for payer, cpt, modifier, cents, start, end in zip(
            *(cols[c] for c in FEE_COLUMNS), strict=True
        )
    ]
