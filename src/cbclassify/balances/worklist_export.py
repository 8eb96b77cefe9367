"""Presentation of a worklist: the export frame (contract text) and the totals.

Pure: frames in, frames and values out. The CLI and the API write and render them.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from cbclassify.balances.worklist import WORKLIST_COLUMNS
from cbclassify.contract.money import dollars, format_cents_series

#: In-memory money columns -> export column names (contract decimals such as ``1234.50``).
EXPORT_MONEY_COLUMNS: dict[str, str] = {
    "charge_amount_cents": "charge_amount",
    "credit_amount_cents": "credit_amount",
    "patient_open_balance_cents": "patient_open_balance",
}
_DATE_COLUMNS = ("first_service_date", "last_service_date", "credit_since", "last_posted_date")


def export_columns() -> tuple[str, ...]:
    """Column names of an exported worklist, in order (``as_of`` last)."""
    return tuple(EXPORT_MONEY_COLUMNS.get(c, c) for c in WORKLIST_COLUMNS) + ("as_of",)


def to_export_frame(df: pd.DataFrame, as_of: pd.Timestamp | None = None) -> pd.DataFrame:
    """Worklist -> text columns as written to CSV/Parquet: money as contract decimals in
    ``charge_amount``, ``credit_amount``, ``patient_open_balance``; dates ``YYYY-MM-DD``; blanks
    empty; counts as integers; ``as_of`` (default ``df.attrs["as_of"]``) on every row."""
    when = as_of if as_of is not None else df.attrs.get("as_of")
    out = pd.DataFrame(index=df.index)
    for col in WORKLIST_COLUMNS:
        values = df[col]
        if col in EXPORT_MONEY_COLUMNS:
            out[EXPORT_MONEY_COLUMNS[col]] = format_cents_series(values).astype("string")
        elif col in _DATE_COLUMNS:
            out[col] = values.dt.strftime("%Y-%m-%d").astype("string").fillna("")
        elif col in ("age_days", "patient_open_claims", "patient_other_credits"):
            out[col] = values.astype("Int64")
        else:
            out[col] = values.astype("string").fillna("")
    out["as_of"] = "" if when is None else pd.Timestamp(when).strftime("%Y-%m-%d")
    out["as_of"] = out["as_of"].astype("string")
    return out.reset_index(drop=True)


@dataclass(frozen=True)
class WorklistSummary:
    """Totals of a worklist for the header line of a report."""

    credits: int
    total_credit_cents: int
    payers: int  # distinct primary payers, self-pay counted as one
    locations: int
    oldest_age_days: int | None

    def sentence(self) -> str:
        """E.g. ``3 credits totalling $1,234.56 across 2 payers and 1 location; oldest 45 days``."""
        if self.credits == 0:
            return "No credit balances."

        def plural(n: int, word: str) -> str:
            return f"{n:,} {word}{'' if n == 1 else 's'}"

        oldest = (
            ""
            if self.oldest_age_days is None
            else (f"; oldest {plural(self.oldest_age_days, 'day')}")
        )
        return (
            f"{plural(self.credits, 'credit')} totalling {dollars(self.total_credit_cents)} "
            f"across {plural(self.payers, 'payer')} and {plural(self.locations, 'location')}"
            f"{oldest}"
        )


def summarize_worklist(df: pd.DataFrame) -> WorklistSummary:
    """Count, total credit, distinct payers and locations, and the oldest age of ``df``."""
    if df.empty:
        return WorklistSummary(0, 0, 0, 0, None)
    oldest = df["age_days"].max()
    return WorklistSummary(
        credits=len(df),
        total_credit_cents=int(df["credit_amount_cents"].sum()),
        payers=int(df["payer_id"].fillna("\x00self-pay").nunique()),
        locations=int(df["location_id"].nunique()),
        oldest_age_days=None if pd.isna(oldest) else int(oldest),
    )
