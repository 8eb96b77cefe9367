"""Exact money: contract decimals <-> integer cents. Accounting never uses floats.

A ledger's money columns are parsed into nullable ``Int64`` integer cents and carry the
suffix ``_cents`` in memory (``amount`` -> ``amount_cents``); writers format them back.
"""

from __future__ import annotations

import re
from decimal import Decimal

import numpy as np
import pandas as pd

MONEY_PATTERN = r"^\s*([+-]?)(\d+)(?:\.(\d{1,2}))?\s*$"
_MONEY_RE = re.compile(MONEY_PATTERN)


class MoneyFormatError(ValueError):
    """A text that is not a decimal with at most two places."""


def parse_money(text: str) -> int:
    """Parse ``"412.5"`` -> ``41250`` cents exactly; raise MoneyFormatError otherwise."""
    match = _MONEY_RE.match(text)
    if match is None:
        raise MoneyFormatError(f"not a money amount with at most 2 decimals: {text!r}")
    sign, whole, frac = match.groups()
    cents = int(whole) * 100 + int((frac or "0").ljust(2, "0"))
    return -cents if sign == "-" else cents


def cents_to_decimal(cents: int) -> Decimal:
    """Integer cents -> Decimal with two places."""
    return (Decimal(int(cents)) / 100).quantize(Decimal("0.01"))


def format_cents(cents: int | None) -> str:
    """Integer cents -> contract text (``-3000`` -> ``"-30.00"``); None/NA -> ``""``."""
    if cents is None or cents is pd.NA or (isinstance(cents, float) and np.isnan(cents)):
        return ""
    value = int(cents)
    sign = "-" if value < 0 else ""
    whole, frac = divmod(abs(value), 100)
    return f"{sign}{whole}.{frac:02d}"


def parse_money_series(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Vectorized parse of a text column into ``Int64`` cents.

    Returns ``(cents, bad)``: ``cents`` is NA where the text is blank or malformed;
    ``bad`` is True exactly where a non-blank text is malformed.
    """
    text = values.astype("string")
    blank = text.isna() | (text.str.strip() == "")
    parts = text.str.extract(MONEY_PATTERN)
    bad = (~blank) & parts[1].isna()
    ok = (~blank) & ~bad
    cents = pd.Series(pd.NA, index=values.index, dtype="Int64")
    if ok.any():
        whole = parts.loc[ok, 1].astype("int64")
        frac = parts.loc[ok, 2].fillna("0").str.ljust(2, "0").astype("int64")
        signed = (whole * 100 + frac) * np.where(parts.loc[ok, 0] == "-", -1, 1)
        cents.loc[ok] = signed.astype("int64")
    return cents, bad.fillna(False).astype(bool)


def format_cents_series(cents: pd.Series) -> pd.Series:
    """Vectorized ``Int64`` cents -> contract text, blanks for NA."""
    values = cents.astype("Int64")
    missing = values.isna()
    filled = values.fillna(0).astype("int64")
    sign = np.where(filled < 0, "-", "")
    absolute = filled.abs()
    whole = (absolute // 100).astype(str)
    frac = (absolute % 100).astype(str).str.zfill(2)
    text = pd.Series(sign, index=values.index) + whole + "." + frac
    return text.where(~missing, "")
