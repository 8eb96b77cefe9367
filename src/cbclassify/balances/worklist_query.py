"""Filtering and sorting of a worklist built by ``balances.worklist.build_worklist``. Pure.

Filters combine with AND; a filter left at None does not filter. Id filters accept one value or
several (any of them matches) and compare case-insensitively.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd

from cbclassify.balances.worklist import SELF_PAY_NAME, SELF_PAY_TYPE

#: Columns a worklist may be sorted by (the whitelist of ``sort_worklist``).
SORTABLE_COLUMNS: tuple[str, ...] = (
    "age_days",
    "credit_amount_cents",
    "credit_since",
    "charge_amount_cents",
    "first_service_date",
    "last_service_date",
    "last_posted_date",
    "payer_name",
    "payer_id",
    "payer_type",
    "location_id",
    "provider_id",
    "patient_id",
    "claim_id",
    "patient_open_balance_cents",
    "patient_open_claims",
    "patient_other_credits",
)
#: Words that select self-pay claims in the ``payer`` filter (besides the name "Self-pay").
SELF_PAY_WORDS: frozenset[str] = frozenset({"self-pay", "self_pay", "selfpay", "self pay"})

Values = str | Iterable[str] | None


def _wanted(values: Values) -> set[str] | None:
    """The filter values, lower-cased; None when the filter is off."""
    if values is None:
        return None
    items = [values] if isinstance(values, str) else list(values)
    return {str(v).strip().lower() for v in items}


def _matches(column: pd.Series, wanted: set[str]) -> pd.Series:
    """True where ``column`` (case-insensitively) equals one of ``wanted``; NA never matches."""
    return column.astype("string").str.lower().isin(wanted).fillna(False).astype(bool)


def _payer_mask(df: pd.DataFrame, wanted: set[str]) -> pd.Series:
    """A payer matches by payer_id or payer_name; self-pay words select claims with no payer."""
    mask = _matches(df["payer_id"], wanted) | _matches(df["payer_name"], wanted)
    if wanted & SELF_PAY_WORDS:
        mask |= df["payer_id"].isna().to_numpy()
    return mask


def filter_worklist(
    df: pd.DataFrame,
    payer: Values = None,
    payer_type: Values = None,
    location: Values = None,
    provider: Values = None,
    min_credit_cents: int | None = None,
    min_age_days: int | None = None,
    service_from: pd.Timestamp | str | None = None,
    service_to: pd.Timestamp | str | None = None,
) -> pd.DataFrame:
    """The rows of worklist ``df`` that pass every given filter (original order kept).

    Args:
        payer: payer_id or payer_name (e.g. ``"MCR"`` or ``"Medicare Part B"``); ``"self-pay"``
            selects claims with no primary payer.
        payer_type: ``medicare``, ``commercial``, ... or ``self_pay``.
        location: location_id. provider: provider_id (``multiple`` for claims with several).
        min_credit_cents: credit of at least this many cents.
        min_age_days: credit at least this many days old (age_days >= value).
        service_from / service_to: every service date of the claim on or after / on or before
            this date (first_service_date >= from, last_service_date <= to).

    Raises:
        ValueError: a negative amount or age, or service_from after service_to.
    """
    if min_credit_cents is not None and min_credit_cents < 0:
        raise ValueError(f"min_credit_cents must not be negative, got {min_credit_cents}")
    if min_age_days is not None and min_age_days < 0:
        raise ValueError(f"min_age_days must not be negative, got {min_age_days}")
    start = None if service_from is None else pd.Timestamp(service_from).normalize()
    end = None if service_to is None else pd.Timestamp(service_to).normalize()
    if start is not None and end is not None and start > end:
        raise ValueError(f"service_from {start.date()} is after service_to {end.date()}")

    keep = pd.Series(True, index=df.index)
    if (wanted := _wanted(payer)) is not None:
        keep &= _payer_mask(df, wanted)
    if (wanted := _wanted(payer_type)) is not None:
        keep &= _matches(df["payer_type"], wanted)
    if (wanted := _wanted(location)) is not None:
        keep &= _matches(df["location_id"], wanted)
    if (wanted := _wanted(provider)) is not None:
        keep &= _matches(df["provider_id"], wanted)
    if min_credit_cents is not None:
        keep &= (df["credit_amount_cents"] >= min_credit_cents).fillna(False).astype(bool)
    if min_age_days is not None:
        keep &= (df["age_days"] >= min_age_days).fillna(False).astype(bool)
    if start is not None:
        keep &= (df["first_service_date"] >= start).fillna(False).astype(bool)
    if end is not None:
        keep &= (df["last_service_date"] <= end).fillna(False).astype(bool)
    return df[keep.to_numpy()]


def sort_worklist(
    df: pd.DataFrame,
    by: str | Sequence[str] = ("age_days",),
    descending: bool | Sequence[bool] = True,
) -> pd.DataFrame:
    """Worklist ``df`` sorted by the columns ``by`` (each from SORTABLE_COLUMNS).

    ``descending`` is one flag for all keys or one per key. Ties are broken by claim_id
    (ascending) so the order is reproducible; blanks sort last.

    Raises:
        ValueError: an unknown sort column (the message lists the allowed ones), or a
            ``descending`` list whose length differs from ``by``.
    """
    keys = [by] if isinstance(by, str) else list(by)
    if not keys:
        raise ValueError("sort_worklist needs at least one column")
    unknown = [k for k in keys if k not in SORTABLE_COLUMNS]
    if unknown:
        raise ValueError(
            f"cannot sort the worklist by {', '.join(map(repr, unknown))}; "
            f"sortable columns: {', '.join(SORTABLE_COLUMNS)}"
        )
    flags = [descending] * len(keys) if isinstance(descending, bool) else list(descending)
    if len(flags) != len(keys):
        raise ValueError(f"{len(keys)} sort column(s) but {len(flags)} descending flag(s)")
    if "claim_id" not in keys:
        keys, flags = keys + ["claim_id"], flags + [False]
    return df.sort_values(keys, ascending=[not f for f in flags], na_position="last", kind="stable")


__all__ = [
    "SELF_PAY_NAME",
    "SELF_PAY_TYPE",
    "SELF_PAY_WORDS",
    "SORTABLE_COLUMNS",
    "filter_worklist",
    "sort_worklist",
]
