"""Exact money: contract decimals <-> integer cents. Accounting never uses floats.

A ledger's money columns are parsed (``parse_money_arrow``, for any number of cells) into
nullable ``Int64`` integer cents and carry the suffix ``_cents`` in memory (``amount`` ->
``amount_cents``); writers format them back. ``parse_money`` reads one amount typed by a
person (web forms, command options, X12 elements).
"""

from __future__ import annotations

import re
import sys
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pandas.api.typing import NAType

MONEY_PATTERN = r"^\s*([+-]?)([0-9]+)(?:\.([0-9]{1,2}))?\s*$"
#: The contract's form for the vectorized parser (RE2, applied after trimming whitespace).
_SERIES_PATTERN = r"^[+-]?[0-9]{1,15}(\.[0-9]{1,2})?$"
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


def cents_or_none(text: object) -> int | None:
    """Stored contract money text (``"156.33"``) -> cents; blank or not money -> None. For
    displaying rows the contract already validated (a ledger snapshot), never for reading a
    ledger: ``parse_money`` raises there."""
    if text is None or str(text).strip() == "":
        return None
    try:
        return parse_money(str(text))
    except MoneyFormatError:
        return None


def cents_to_decimal(cents: int) -> Decimal:
    """Integer cents -> Decimal with two places."""
    return (Decimal(int(cents)) / 100).quantize(Decimal("0.01"))


def format_cents(cents: np.integer[Any] | float | NAType | None) -> str:
    """Integer cents -> contract text (``-3000`` -> ``"-30.00"``); None/NA -> ``""``."""
    if cents is None or isinstance(cents, NAType) or (isinstance(cents, float) and np.isnan(cents)):
        return ""
    value = int(cents)
    sign = "-" if value < 0 else ""
    whole, frac = divmod(abs(value), 100)
    return f"{sign}{whole}.{frac:02d}"


def dollars(cents: int | None) -> str:
    """Integer cents as dollars for reading: ``123456`` -> ``"$1,234.56"``, ``-3000`` ->
    ``"-$30.00"``; None/NA -> ``""`` (as ``format_cents``). The one cents-to-dollars text."""
    text = format_cents(cents)
    if not text:
        return ""
    sign = "-" if text.startswith("-") else ""
    whole, frac = text.removeprefix("-").split(".")
    return f"{sign}${int(whole):,}.{frac}"


def parse_money_arrow(text: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Parse an already trimmed arrow text array: ``(cents int64, ok bool)``; cents are 0
    where not ok (blank, null or malformed)."""
    ok = pc.fill_null(pc.match_substring_regex(text, _SERIES_PATTERN), False)
    exact = pc.cast(pc.if_else(ok, text, "0"), pa.decimal128(18, 2))  # exact decimal, no float
    return _unscaled(exact), ok.to_numpy(zero_copy_only=False)


def _unscaled(exact: pa.Array) -> np.ndarray:
    """The integer cents of a decimal128(18, 2) array (its unscaled values)."""
    if sys.byteorder == "little":  # low 64 bits of each 128-bit two's-complement value
        words = np.frombuffer(exact.buffers()[1], dtype=np.int64)
        cents: np.ndarray = words[2 * exact.offset : 2 * (exact.offset + len(exact)) : 2].copy()
        return cents
    cents = pc.cast(pc.multiply(exact, 100), pa.int64()).to_numpy(zero_copy_only=False)
    return cents


def format_cents_series(cents: pd.Series) -> pd.Series:
    """Vectorized ``Int64`` cents -> contract text, blanks for NA."""
    values = cents.astype("Int64")
    missing = values.isna()
    filled = values.fillna(0).astype("int64")
    sign = np.where(filled < 0, "-", "")
    absolute = filled.abs()
    whole = (absolute // 100).astype(str)
    frac = (absolute % 100).astype(str).str.zfill(2)
    text: pd.Series = pd.Series(sign, index=values.index, dtype=str) + whole + "." + frac
    return text.where(~missing, "")
