"""Formula-safe CSV cells (OWASP "CSV Injection"): one rule for every CSV the product writes.

A spreadsheet treats a cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return as a
formula. Text that begins so is written with a leading single quote, which spreadsheets show as text;
a plain number (``-26.72``, ``+3``) is left as it is, so amounts stay numbers.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def formula_safe(value: Any) -> Any:
    """``value`` as a cell no spreadsheet evaluates: text with a formula lead gets a leading quote."""
    if not isinstance(value, str) or not value.startswith(FORMULA_LEADS):
        return value
    if _PLAIN_NUMBER.fullmatch(value):
        return value
    return "'" + value


def formula_safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells are :func:`formula_safe` (numbers and dates untouched)."""
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column].dtype):
            safe[column] = safe[column].map(formula_safe)
    return safe
