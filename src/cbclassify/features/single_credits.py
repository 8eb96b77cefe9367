"""The single-claim feature path's input: each credit's claim lines and postings as plain rows.

``features.history`` cuts each credit's history at its own as-of date with merges; here the
credit claims' rows are read once as Python dicts (``single_table.TableView``: whole tables when
small, selected by key with pandas when large) and cut per credit in Python. Missing values are
``None``, dates integer nanoseconds, money ``int`` cents.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from cbclassify.contract.enums import BALANCE_REDUCING_KINDS
from cbclassify.features.single_table import DAY_NS, NAT_NS, TableView, column_values

Row = dict[str, Any]


@dataclass(slots=True)
class Posting:
    """One posting as ``features.postings.PostingView`` reads it (text NA -> "")."""

    amount: int  # NA -> 0
    kind: str
    source: str
    payer: str
    group: str
    reason: str
    era: str
    trace: str
    line: int  # NA -> 0
    date: int  # posted_date, ns
    allowed: int | None
    effect: int
    manual: bool
    payer_pay: bool
    patient_pay: bool
    adjustment: bool


@dataclass
class CreditRows:
    """One credit: its claim's lines billed and postings posted by its own as-of date."""

    claim_id: str | None
    as_of: int  # ns
    lines: list[Row]  # ledger order
    postings: list[Posting]  # ledger order


_NS_PER_UNIT = {"s": 10**9, "ms": 10**6, "us": 10**3, "ns": 1}
_NS_BOUND = 2**63 - 1


def _as_of_ns(day: pd.Series) -> list[int | None]:
    """``pd.to_datetime(...).normalize().astype("datetime64[ns]")`` as integer ns (NaT ->
    None), in Python for a naive datetime64 column (the usual case)."""
    if day.dtype.kind == "M":
        unit, count = np.datetime_data(day.dtype)
        scale = _NS_PER_UNIT.get(unit, 0) * count
        raw = [None if v == NAT_NS else v * scale for v in day.to_numpy().view("int64").tolist()]
        if scale and all(v is None or -_NS_BOUND < v <= _NS_BOUND for v in raw):
            return [None if v is None else v - v % DAY_NS for v in raw]
    normal = pd.to_datetime(day.to_numpy()).normalize().astype("datetime64[ns]")
    return [None if v == NAT_NS else v for v in normal.asi8.tolist()]


def credit_inputs(credits: pd.DataFrame) -> tuple[list[str | None], list[int]]:
    """Claim ids (as text) and as-of dates (normalized, ns) of ``credits``, checked as
    ``history.credit_keys`` checks them."""
    missing = {"claim_id", "as_of_date"} - set(credits.columns)
    if missing:
        raise ValueError(f"credits frame lacks column(s): {sorted(missing)}")
    claim = credits["claim_id"]
    if not (isinstance(claim.dtype, pd.StringDtype) and claim.dtype.storage == "pyarrow"):
        claim = claim.astype("string")
    dates = _as_of_ns(credits["as_of_date"])
    if None in dates:
        raise ValueError("every credit needs an as_of_date")
    return column_values(claim), dates  # type: ignore[return-value]


def _text(value: str | None) -> str:
    return "" if value is None else value


def balance_effect(kind: str | None, amount: int) -> int:
    """A posting's effect on the balance (``balances.signed_balance_effect``)."""
    if kind in BALANCE_REDUCING_KINDS:
        return -amount
    return amount if kind == "refund" else 0


def posting(row: Row) -> Posting:
    """A transaction row as the feature rules read it."""
    amount = 0 if row["amount_cents"] is None else int(row["amount_cents"])
    kind, source, era = _text(row["kind"]), _text(row["source"]), _text(row["era_id"])
    effect = balance_effect(kind, amount)
    line = row["line_no"]
    allowed = row["allowed_amount_cents"]
    return Posting(
        amount=amount,
        kind=kind,
        source=source,
        payer=_text(row["payer_id"]),
        group=_text(row["group_code"]),
        reason=_text(row["reason_code"]),
        era=era,
        trace=_text(row["trace_number"]),
        line=0 if line is None else int(line),
        date=row["posted_date"],
        allowed=None if allowed is None else int(allowed),
        effect=effect,
        manual=era == "",
        payer_pay=kind == "payment" and source == "payer",
        patient_pay=kind == "payment" and source == "patient",
        adjustment=kind == "adjustment",
    )


def credit_rows(
    view: TableView, claim_ids: list[str | None], as_ofs: list[int]
) -> list[CreditRows]:
    """Per credit, its claim's lines and postings cut at its as-of date (``credit_lines``,
    ``credit_postings``); a claim unknown or not billed yet has no lines."""
    wanted = {c for c in claim_ids if c is not None}
    lines: dict[str, list[Row]] = {c: [] for c in wanted}
    for row in view.rows("claim_lines", "claim_id", wanted):
        lines[row["claim_id"]].append(row)
    txns: dict[str, list[Posting]] = {c: [] for c in wanted}
    for row in view.rows("transactions", "claim_id", wanted):
        if row["posted_date"] is not None:
            txns[row["claim_id"]].append(posting(row))
    out = []
    for claim_id, as_of in zip(claim_ids, as_ofs, strict=True):
        own_lines = lines.get(claim_id, []) if claim_id is not None else []
        own_txns = txns.get(claim_id, []) if claim_id is not None else []
        billed = [
            r for r in own_lines if r["billed_date"] is not None and r["billed_date"] <= as_of
        ]
        posted = [p for p in own_txns if p.date <= as_of]
        out.append(CreditRows(claim_id, as_of, billed, posted))
    return out
