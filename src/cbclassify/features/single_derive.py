"""Named features of one credit from its aggregates (``build._derive`` for one row).

Every float is computed with the same operations in the same order as the vectorized path
(cents -> float / 100.0 first, then the differences), so the float64 results are identical.
"""

from __future__ import annotations

import math
from typing import Any

from cbclassify.features.single_table import DAY_NS
from cbclassify.features.specs import CATEGORICAL_FEATURES, FEATURE_NAMES, NUMERIC_FEATURES

Row = dict[str, Any]
NAN = math.nan


def usd(cents: float | None) -> float:
    """Integer cents -> dollars as float64 (None -> NaN), as ``build._usd``."""
    return NAN if cents is None else float(cents) / 100.0


def ratio(numerator: float, denominator: float) -> float:
    """numerator / denominator where the denominator is > 0, else NaN (``build._ratio``)."""
    return numerator / denominator if denominator > 0 else NAN


def positive(value: float) -> float:
    """``np.clip(value, 0, None)``: NaN stays NaN, below zero (and -0.0) becomes 0.0."""
    if math.isnan(value):
        return value
    return value if value > 0 else 0.0


def days(later: int | None, earlier: int | None) -> float:
    """Whole days (floored, as ``Timedelta.days``) from ``earlier`` to ``later`` (dates in ns;
    NaN when either is missing)."""
    if later is None or earlier is None:
        return NAN
    return float((later - earlier) // DAY_NS)


def _number(value: float | None) -> float:
    return NAN if value is None else float(value)


def _allowed(p: Row, out: Row) -> None:
    line_count = p["line_count"] or 0
    covered = p["covered_lines"] or 0
    full = covered >= line_count > 0
    contracted = usd(p["contracted_allowed_cents"]) if full else NAN
    reported = usd(p["reported_allowed_cents"])
    allowed = reported if math.isnan(contracted) else contracted
    responsibility = usd(p["responsibility_cents"])
    sequestration = usd(p["sequestration_cents"])
    expected = allowed - responsibility - sequestration
    payer_paid = usd(p["payer_paid_cents"])
    out["contracted_allowed_usd"] = contracted
    out["fee_schedule_coverage"] = ratio(float(covered), float(line_count))
    out["reported_allowed_usd"] = reported
    out["allowed_usd"] = allowed
    out["patient_responsibility_usd"] = responsibility
    out["sequestration_usd"] = sequestration
    out["payer_expected_usd"] = expected
    out["primary_paid_minus_expected_usd"] = usd(p["primary_payer_paid_cents"]) - expected
    out["payer_paid_minus_contracted_allowed_usd"] = payer_paid - contracted
    out["payer_paid_minus_reported_allowed_usd"] = payer_paid - reported
    out["reported_minus_contracted_allowed_usd"] = reported - contracted
    out["payer_paid_over_allowed_ratio"] = ratio(payer_paid, allowed)
    out["contractual_minus_expected_usd"] = (
        usd(p["contractual_adjustment_cents"]) - sequestration - (usd(p["charge_cents"]) - allowed)
    )


def _shares(p: Row, out: Row, credit: float) -> None:
    known = p["responsibility_rows"] > 0 or p["era_payer_payment_count"] > 0
    out["responsibility_known"] = 1.0 if known else 0.0
    patient_excess = usd(p["patient_paid_cents"]) - usd(p["responsibility_cents"])
    out["patient_paid_minus_responsibility_usd"] = patient_excess if known else NAN
    out["payer_excess_share_of_credit"] = ratio(
        positive(out["primary_paid_minus_expected_usd"]), credit
    )
    out["patient_excess_share_of_credit"] = ratio(
        positive(out["patient_paid_minus_responsibility_usd"]), credit
    )
    out["duplicate_share_of_credit"] = ratio(
        usd(p["identical_payment_net_of_reversals_cents"]), credit
    )
    out["writeoff_excess_share_of_credit"] = ratio(
        positive(out["contractual_minus_expected_usd"]), credit
    )
    out["manual_posting_share"] = ratio(float(p["manual_posting_count"]), float(p["posting_count"]))


def derive(p: Row) -> Row:
    """The feature dict (``FEATURE_NAMES`` order) of one credit's aggregates ``p``."""
    out: Row = {}
    credit = -(usd(p["charge_cents"]) + usd(p["balance_effect_cents"]))
    out["credit_amount_usd"] = credit
    out["charge_usd"] = usd(p["charge_cents"])
    out["credit_share_of_charge"] = ratio(credit, out["charge_usd"])
    _allowed(p, out)
    _shares(p, out, credit)
    out["days_service_to_first_payer_payment"] = days(
        p["first_payer_payment"], p["first_service_date"]
    )
    out["days_first_to_last_payer_payment"] = days(
        p["last_payer_payment"], p["first_payer_payment"]
    )
    this_balance = usd(p["charge_cents"]) + usd(p["balance_effect_cents"])
    out["patient_other_claims_balance_usd"] = usd(p["patient_balance_cents"]) - this_balance
    for name in NUMERIC_FEATURES:
        if name not in out:
            out[name] = usd(p[name[:-4] + "_cents"]) if name.endswith("_usd") else _number(p[name])
    for name in CATEGORICAL_FEATURES:
        out[name] = p[name]
    return {name: out[name] for name in FEATURE_NAMES}
