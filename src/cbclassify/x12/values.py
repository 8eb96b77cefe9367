"""X12 data-element values: amounts (R), quantities, dates (DT), exact, explicit and bounded.

Amounts become integer cents. An amount with at most two decimals parses exactly
(``contract.money.parse_money``); X12 also allows forms such as ``.5`` or ``12.`` and more than
two decimals: those go through ``Decimal``; digits below the cent are rounded half-up and the
caller reports it (docs/x12.md, "Amounts").

Every number is bounded before it is read (docs/x12.md, "Sizes and ranges"): by its X12 element
size (005010X221A1 / 004010X091A1 element dictionary: amounts are element 782 Monetary Amount,
R 1/18; quantities element 380 Quantity, R 1/15; the sign and the decimal point are not
counted), then by what the ledger contract holds (15 digits before the point; dates 1678-01-01
to 2261-12-31). A value outside is a ``ValueFormatError``, never an overflow.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal

from cbclassify.contract.money import MoneyFormatError, parse_money

#: An X12 decimal (R): ASCII digits only, an optional sign and decimal point.
_DECIMAL_RE = re.compile(r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)$")
_CENT = Decimal("0.01")
#: Element 782 Monetary Amount (BPR02, CLP03-05, CAS03/06/09..., SVC02-03, AMT02, PLB04...).
AMOUNT_MAX_DIGITS = 18
#: Element 380 Quantity (SVC05 units).
QUANTITY_MAX_DIGITS = 15
#: The ledger contract's money: at most 15 digits before the point (contract.money).
LEDGER_MAX_CENTS = 10**17 - 1
#: The ledger contract's dates (contract validation: 1678-01-01 to 2261-12-31).
LEDGER_FIRST_DATE, LEDGER_LAST_DATE = dt.date(1678, 1, 1), dt.date(2261, 12, 31)


class ValueFormatError(ValueError):
    """An element value that is not of its X12 type, or beyond its size or the ledger's range."""


def _decimal(value: str, kind: str, max_digits: int) -> Decimal:
    """``value`` as an exact Decimal, after checking its form and its X12 element size."""
    if not _DECIMAL_RE.match(value):
        raise ValueFormatError(f"not {kind}: {value!r}")
    digits = len(value) - value.startswith(("+", "-")) - ("." in value)  # as the regex allows
    if digits > max_digits:
        raise ValueFormatError(
            f"{kind} with more than {max_digits} digits ({digits}; X12 allows {max_digits})"
        )
    return Decimal(value)


def parse_amount(text: str) -> tuple[int, bool]:
    """X12 amount -> ``(cents, rounded)``; ``rounded`` is True when sub-cent digits were not 0.

    Raises ValueFormatError for anything that is not a decimal number of at most 18 digits, or
    that is larger than the ledger holds.
    """
    value = text.strip()
    exact = _decimal(value, "an amount", AMOUNT_MAX_DIGITS)
    try:
        cents, rounded = parse_money(value), False
    except MoneyFormatError:
        quantized = exact.quantize(_CENT, rounding=ROUND_HALF_UP)
        cents, rounded = int(quantized * 100), quantized != exact
    if abs(cents) > LEDGER_MAX_CENTS:
        raise ValueFormatError(
            f"an amount larger than the ledger holds: {value!r} (at most 15 digits before the "
            "point)"
        )
    return cents, rounded


def parse_units(text: str) -> tuple[int, bool]:
    """Service units (SVC05) -> ``(units, adjusted)``: absolute value, rounded half-up to a whole
    unit, at least 1; blank means 1. ``adjusted`` is True when the value was not a positive whole
    number (reversal lines carry negative units; some payers send fractions)."""
    value = text.strip()
    if not value:
        return 1, False
    exact = _decimal(value, "a quantity", QUANTITY_MAX_DIGITS)
    whole = int(abs(exact).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    units = max(whole, 1)
    return units, Decimal(units) != exact


def parse_date(text: str) -> dt.date:
    """``CCYYMMDD`` -> date; raises ValueFormatError for anything else (e.g. month 23) and for
    dates outside the ledger's range."""
    value = text.strip()
    if len(value) != 8 or not value.isascii() or not value.isdigit():
        raise ValueFormatError(f"not a CCYYMMDD date: {value!r}")
    try:
        date = dt.date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError as exc:
        raise ValueFormatError(f"not a valid date: {value!r}") from exc
    if not LEDGER_FIRST_DATE <= date <= LEDGER_LAST_DATE:
        raise ValueFormatError(
            f"a date outside the ledger's dates ({LEDGER_FIRST_DATE} to {LEDGER_LAST_DATE}): "
            f"{value!r}"
        )
    return date
