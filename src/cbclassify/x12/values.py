"""X12 data-element values: amounts (R), quantities, dates (DT), exact and explicit.

Amounts become integer cents. An amount with at most two decimals parses exactly
(``contract.money.parse_money``); X12 also allows forms such as ``.5`` or ``12.`` and more than
two decimals: those go through ``Decimal``; digits below the cent are rounded half-up and the
caller reports it (docs/x12.md, "Amounts").
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal

from cbclassify.contract.money import MoneyFormatError, parse_money

_DECIMAL_RE = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)$")
_CENT = Decimal("0.01")


class ValueFormatError(ValueError):
    """An element value that is not of its X12 type."""


def parse_amount(text: str) -> tuple[int, bool]:
    """X12 amount -> ``(cents, rounded)``; ``rounded`` is True when sub-cent digits were not 0.

    Raises ValueFormatError for anything that is not a decimal number.
    """
    value = text.strip()
    try:
        return parse_money(value), False
    except MoneyFormatError:
        pass
    if not _DECIMAL_RE.match(value):
        raise ValueFormatError(f"not an amount: {value!r}")
    exact = Decimal(value)
    cents = exact.quantize(_CENT, rounding=ROUND_HALF_UP)
    return int(cents * 100), cents != exact


def parse_units(text: str) -> tuple[int, bool]:
    """Service units (SVC05) -> ``(units, adjusted)``: absolute value, rounded half-up to a whole
    unit, at least 1; blank means 1. ``adjusted`` is True when the value was not a positive whole
    number (reversal lines carry negative units; some payers send fractions)."""
    value = text.strip()
    if not value:
        return 1, False
    if not _DECIMAL_RE.match(value):
        raise ValueFormatError(f"not a quantity: {value!r}")
    exact = Decimal(value)
    whole = int(abs(exact).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    units = max(whole, 1)
    return units, Decimal(units) != exact


def parse_date(text: str) -> dt.date:
    """``CCYYMMDD`` -> date; raises ValueFormatError for anything else (e.g. month 23)."""
    value = text.strip()
    if len(value) != 8 or not value.isdigit():
        raise ValueFormatError(f"not a CCYYMMDD date: {value!r}")
    try:
        return dt.date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError as exc:
        raise ValueFormatError(f"not a valid date: {value!r}") from exc
