"""Named features of one credit from its claim facts and aggregates (see ``specs``).

Money becomes dollars first (integer cents / 100.0), then the differences and ratios are
taken in float64; a ratio whose denominator is not positive, and any feature that does not
apply, is NaN.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date
from typing import Any

from cbclassify.features.specs import (
    CATEGORICAL_FEATURES,
    FEATURE_NAMES,
    NUMERIC_FEATURES,
    SIGNATURE_NAMES,
)

#: One credit's claim facts and aggregates by name (``features.credit``).
Parts = Mapping[str, Any]
#: One credit's features: numbers as float (NaN where not applicable), categoricals as str
#: (None where missing), keyed and ordered by ``FEATURE_NAMES``.
FeatureRecord = dict[str, float | str | None]
NAN = math.nan


def usd(cents: int | None) -> float:
    """Integer cents -> dollars as float (None -> NaN)."""
    return NAN if cents is None else float(cents) / 100.0


def ratio(numerator: float, denominator: float) -> float:
    """numerator / denominator where the denominator is > 0, else NaN."""
    return numerator / denominator if denominator > 0 else NAN


def positive(value: float) -> float:
    """``np.clip(value, 0, None)``: NaN stays NaN, below zero (and -0.0) becomes 0.0."""
    if math.isnan(value):
        return value
    return value if value > 0 else 0.0


def days(later: date | None, earlier: date | None) -> float:
    """Days from ``earlier`` to ``later`` (NaN when either is missing)."""
    if later is None or earlier is None:
        return NAN
    return float((later - earlier).days)


def _number(value: float | None) -> float:
    return NAN if value is None else float(value)


def _allowed(p: Parts, out: dict[str, float]) -> None:
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
        usd(p["contractual_adjustment_cents"])
        - sequestration
        - (usd(p["charge_amount_cents"]) - allowed)
    )


def _shares(p: Parts, out: dict[str, float], credit: float) -> None:
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


def derive(p: Parts) -> FeatureRecord:
    """The features (``FEATURE_NAMES`` order) of one credit's facts and aggregates ``p``."""
    out: dict[str, float] = {}
    credit = -(usd(p["charge_amount_cents"]) + usd(p["balance_effect_cents"]))
    out["credit_amount_usd"] = credit
    out["charge_usd"] = usd(p["charge_amount_cents"])
    out["credit_share_of_charge"] = ratio(credit, out["charge_usd"])
    _allowed(p, out)
    _shares(p, out, credit)
    out["days_service_to_first_payer_payment"] = days(
        p["first_payer_payment"], p["first_service_date"]
    )
    out["days_first_to_last_payer_payment"] = days(
        p["last_payer_payment"], p["first_payer_payment"]
    )
    this_balance = usd(p["charge_amount_cents"]) + usd(p["balance_effect_cents"])
    out["patient_other_claims_balance_usd"] = usd(p["patient_balance_cents"]) - this_balance
    for name, cents in _DOLLARS:
        out[name] = usd(p[cents])
    for name in _NUMBERS:
        out[name] = _number(p[name])
    record: FeatureRecord = dict.fromkeys(FEATURE_NAMES)  # the order of the catalogue
    record.update(out)
    for name in CATEGORICAL_FEATURES:
        record[name] = p[name]
    return record


#: Features computed above; every other numeric feature is an aggregate as it is: a dollar
#: feature from its ``_cents`` aggregate, any other by its own name.
_COMPUTED = frozenset(
    {
        "credit_amount_usd",
        "charge_usd",
        "credit_share_of_charge",
        "contracted_allowed_usd",
        "fee_schedule_coverage",
        "reported_allowed_usd",
        "allowed_usd",
        "patient_responsibility_usd",
        "sequestration_usd",
        "payer_expected_usd",
        "primary_paid_minus_expected_usd",
        "payer_paid_minus_contracted_allowed_usd",
        "payer_paid_minus_reported_allowed_usd",
        "reported_minus_contracted_allowed_usd",
        "payer_paid_over_allowed_ratio",
        "contractual_minus_expected_usd",
        "responsibility_known",
        "patient_paid_minus_responsibility_usd",
        "payer_excess_share_of_credit",
        "patient_excess_share_of_credit",
        "duplicate_share_of_credit",
        "writeoff_excess_share_of_credit",
        "manual_posting_share",
        "days_service_to_first_payer_payment",
        "days_first_to_last_payer_payment",
        "patient_other_claims_balance_usd",
    }
)
_DOLLARS = tuple(
    (name, name.removesuffix("_usd") + "_cents")
    for name in NUMERIC_FEATURES
    if name not in _COMPUTED and name.endswith("_usd")
)
#: The signatures (``signatures``) are set by ``credit.of_bundle`` after ``derive``.
_NUMBERS = tuple(
    n
    for n in NUMERIC_FEATURES
    if n not in _COMPUTED and n not in SIGNATURE_NAMES and not n.endswith("_usd")
)
