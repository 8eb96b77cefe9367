"""Exact money: contract decimals <-> integer cents. Accounting never uses floats.

A ledger's money columns are parsed into nullable ``Int64`` integer cents and carry the
suffix ``_cents`` in memory (``amount`` -> ``amount_cents``); writers format them back.
"""

from __future__ import annotations

import re
import sys
from decimal import Decimal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

MONEY_PATTERN = r"^\s*([+-]?)([0-9]+)(?:\.([0-9]{1,2}))?\s*$"
#: The same form for the vectorized parser (RE2, applied after trimming whitespace).
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


def format_usd(cents: int) -> str:
    """Integer cents -> text for people: ``123450`` -> ``"$1,234.50"``, ``-500`` -> ``"-$5.00"``."""
    value = int(cents)
    whole, frac = divmod(abs(value), 100)
    return f"{'-' if value < 0 else ''}${whole:,}.{frac:02d}"


def parse_money_series(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Vectorized parse of a text column into ``Int64`` cents (pyarrow compute, no Python loop).

    Surrounding whitespace is ignored; at most 15 digits before the point and 2 after.
    Returns ``(cents, bad)``: ``cents`` is NA where the text is blank or malformed;
    ``bad`` is True exactly where a non-blank text is malformed.
    """
    text = pc.utf8_trim_whitespace(_as_arrow_text(values))
    blank = pc.fill_null(pc.equal(pc.binary_length(text), 0), True).to_numpy(zero_copy_only=False)
    cents, ok = parse_money_arrow(text)
    series = pd.Series(pd.arrays.IntegerArray(cents, ~ok), index=values.index, dtype="Int64")
    return series, pd.Series(~blank & ~ok, index=values.index, dtype=bool)


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
        return words[2 * exact.offset : 2 * (exact.offset + len(exact)) : 2].copy()
    return pc.cast(pc.multiply(exact, 100), pa.int64()).to_numpy(zero_copy_only=False)


def _as_arrow_text(values: pd.Series) -> pa.Array:
    """A text column as an arrow string array (zero-copy for pyarrow-backed strings)."""
    dtype = values.dtype
    is_arrow_text = (isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow") or (
        isinstance(dtype, pd.ArrowDtype) and pa.types.is_string(dtype.pyarrow_dtype)
    )
    source = values if is_arrow_text else values.astype("string")
    array = pa.array(source, from_pandas=True)
    return array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array


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
