"""Phrases for features, with their real values: the registry behind reasons in words.

``REASON_TEMPLATES`` maps a feature name (``cbclassify.features.FEATURE_NAMES``) to a function
``(value, row) -> phrase``; ``row`` holds the credit's other feature values for context (e.g.
the amount of each repeated payment). Add a template with ``register_template``. A feature
without a template gets ``generic_phrase``: its name in words, ``=`` and the value.
CARC labels are our own short category names, not X12's licensed code descriptions.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

import pandas as pd

from cbclassify.contract.money import dollars

Template = Callable[[Any, Mapping[str, Any]], str]
REASON_TEMPLATES: dict[str, Template] = {}

_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
CARC_LABELS: dict[str, str] = {
    "1": "deductible",
    "2": "coinsurance",
    "3": "copay",
    "18": "exact duplicate",
    "22": "another payer may cover",
    "23": "prior payer's adjudication",
    "45": "charge above fee schedule",
    "94": "processed above charges",
    "97": "bundled into another service",
    "129": "prior processing incorrect",
    "253": "sequestration",
}
_CATEGORY_WORDS = {
    "pt": "physical therapy",
    "ot": "occupational therapy",
    "speech": "speech therapy",
    "aba": "ABA",
    "behavioral_health": "behavioral health",
    "medicare_advantage": "Medicare Advantage",
    "medicare": "Medicare",
    "medicaid": "Medicaid",
    "tricare": "TRICARE",
    "commercial": "commercial",
    "workers_comp": "workers' comp",
    "self_pay": "self-pay",
    "none": "none",
    "unknown": "unknown",
}


def is_missing(value: Any) -> bool:
    """True for None, NA and NaN."""
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def usd(value: float) -> str:
    """Dollars as features carry them (a float) in ``contract.money.dollars`` text: ``1234.5``
    -> ``$1,234.50``, ``-30`` -> ``-$30.00`` (rounded to the cent half-even, exactly as
    ``f"{value:.2f}"`` rounds)."""
    cents = Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN).scaleb(2)
    return dollars(int(cents))


def count(value: float, singular: str, plural: str | None = None) -> str:
    """``2, "payment"`` -> ``two payments``; words up to ten, digits above."""
    n = round(value)
    word = _WORDS[n] if 0 <= n < len(_WORDS) else f"{n:,}"
    noun = singular if n == 1 else (plural or singular + "s")
    return f"{word} {noun}"


def pct(value: float) -> str:
    """``0.415`` -> ``42%``."""
    return f"{value * 100:.0f}%"


def days(value: float) -> str:
    """``45`` -> ``45 days``; ``1`` -> ``1 day``."""
    n = round(value)
    return f"{n:,} day" + ("" if n == 1 else "s")


def category_words(value: Any) -> str:
    """A category value in words (``medicare_advantage`` -> ``Medicare Advantage``)."""
    text = str(value)
    return _CATEGORY_WORDS.get(text, text.replace("_", " "))


def words(name: str) -> str:
    """A snake_case feature name in words: ``payer_paid_usd`` -> ``payer paid``."""
    parts = [p for p in name.split("_") if p not in {"usd"}]
    return " ".join(parts)


def generic_phrase(name: str, value: Any) -> str:
    """Fallback phrase: ``Payer paid = $180.00``."""
    label = words(name)
    if is_missing(value):
        shown = "not available"
    elif isinstance(value, str):
        shown = category_words(value)
    elif name.endswith("_usd"):
        shown = usd(float(value))
    elif name.endswith(("_share", "_ratio", "_coverage")):
        shown = pct(float(value))
    elif name.endswith("_days"):
        shown = days(float(value))
    else:
        shown = f"{float(value):,.2f}".rstrip("0").rstrip(".")
    return f"{label[:1].upper()}{label[1:]} = {shown}"


def register_template(
    name: str, template: Template | str, missing: str | None = None, replace: bool = True
) -> None:
    """Register a phrase for ``name``: a function, or a format string using ``{usd}``,
    ``{abs}`` (dollars, unsigned), ``{pct}``, ``{days}``, ``{n}``, ``{text}``; ``missing`` is
    the phrase when the value is not available. ``replace=False`` keeps an existing one."""
    if not replace and name in REASON_TEMPLATES:
        return
    if isinstance(template, str):
        fmt = template

        def template(value: Any, row: Mapping[str, Any], _fmt: str = fmt) -> str:
            if isinstance(value, str):
                return _fmt.format(text=category_words(value))
            v = float(value)
            return _fmt.format(
                usd=usd(v), abs=usd(abs(v)), pct=pct(v), days=days(v), n=f"{v:,.0f}", text=v
            )

    def guarded(value: Any, row: Mapping[str, Any], _t: Template = template) -> str:
        if is_missing(value):
            return missing or generic_phrase(name, value)
        return _t(value, row)

    REASON_TEMPLATES[name] = guarded


def phrase(name: str, value: Any, row: Mapping[str, Any]) -> str:
    """The phrase for one feature value, first letter capitalized."""
    from cbclassify.explain.phrases import register_all

    register_all()
    template = REASON_TEMPLATES.get(name)
    text = template(value, row) if template else generic_phrase(name, value)
    return text[:1].upper() + text[1:]


def counted(
    singular: str, suffix: str = "", plural: str | None = None, zero: str | None = None
) -> Template:
    """Template for a count: ``two payer payments<suffix>``; ``zero`` phrase for 0."""

    def template(value: Any, row: Mapping[str, Any]) -> str:
        if zero is not None and round(float(value)) == 0:
            return zero
        return count(float(value), singular, plural) + suffix

    return template


def repeated(noun: str, amount_feature: str, zero: str) -> Template:
    """Template for "extra identical X" counts: one extra -> ``two payer payments of $180.00
    on this claim``; more -> ``three repeated payer payments ($540.00 extra in all) ...``
    (extras may repeat different amounts, so no per-payment amount is claimed then)."""

    def template(value: Any, row: Mapping[str, Any]) -> str:
        extra = round(float(value))
        if extra <= 0:
            return zero
        amount = row.get(amount_feature)
        dollars = 0.0 if amount is None or is_missing(amount) else float(amount)
        known = dollars != 0.0
        if extra == 1:
            return f"{count(2, noun)}{f' of {usd(dollars)}' if known else ''} on this claim"
        total = f" ({usd(dollars)} extra in all)" if known else ""
        return f"{count(extra, 'repeated ' + noun)}{total} on this claim"

    return template


def signed(more: str, less: str, equal: str) -> Template:
    """Template for a difference: ``more``/``less`` take ``{abs}``; ``equal`` when |d| < 1 cent."""

    def template(value: Any, row: Mapping[str, Any]) -> str:
        v = float(value)
        if abs(v) < 0.005:
            return equal
        return (more if v > 0 else less).format(abs=usd(abs(v)))

    return template


def flag(yes: str, no: str) -> Template:
    """Template for a 0/1 feature."""
    return lambda value, row: yes if float(value) >= 0.5 else no


def carc_template(code: str) -> Template:
    """Template for ``carc_<code>_count``."""
    label = CARC_LABELS.get(code, "")
    named = f"CARC {code}" + (f" ({label})" if label else "")
    return counted("posting", f" coded {named}", zero=f"No postings coded {named}")
