"""The one feature pipeline: ledger + credits -> one row of named features per credit.

``credit_features`` is pure. Training calls it with each label's ``identified_date`` as the
credit's as-of date, scoring with the run's as-of date; both then pass the frame through the
same fitted ``FeatureEncoder``. Money features are dollars (floats are fine for features;
accounting elsewhere stays in integer cents). ``credit_features_vectorized`` computes any
number of credits at a nearly fixed cost; up to ``single.SMALL_FEATURE_CREDITS`` credits
``credit_features`` takes the plain-Python path (``features.single``), which gives the identical
frame (tests/features/test_single.py).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cbclassify.contract.ledger import Ledger
from cbclassify.features import single
from cbclassify.features.allowed import contracted_allowed, reported_allowed
from cbclassify.features.context import patient_context, payer_context
from cbclassify.features.history import (
    claim_frame,
    credit_keys,
    credit_lines,
    credit_postings,
)
from cbclassify.features.postings import (
    PostingView,
    duplicate_aggregates,
    money_aggregates,
    timing_aggregates,
)
from cbclassify.features.single_frame import empty_features
from cbclassify.features.specs import CATEGORICAL_FEATURES, FEATURE_NAMES, NUMERIC_FEATURES


def credit_features(ledger: Ledger, credits: pd.DataFrame) -> pd.DataFrame:
    """Features of each credit from its claim's, patient's and payer's history up to its date.

    Args and result as ``credit_features_vectorized``; a handful of credits (at most
    ``single.SMALL_FEATURE_CREDITS``) go through ``single.credit_features_small``.
    """
    if len(credits) <= single.SMALL_FEATURE_CREDITS:
        return single.credit_features_small(ledger, credits)
    return credit_features_vectorized(ledger, credits)


def credit_features_vectorized(ledger: Ledger, credits: pd.DataFrame) -> pd.DataFrame:
    """Features of each credit from its claim's, patient's and payer's history up to its date.

    Args:
        ledger: the whole ledger (later postings are cut per credit, not here).
        credits: one row per credit with ``claim_id`` and ``as_of_date``.

    Returns:
        A frame with ``credits``' index and the columns ``FEATURE_NAMES``: numbers as float64
        (NaN where not applicable), categoricals as strings.
    """
    keys = credit_keys(credits)
    if keys.empty:
        return empty_features(credits.index)
    lines = credit_lines(ledger, keys)
    claim = claim_frame(ledger, keys, lines)
    postings = credit_postings(ledger, keys)
    view = PostingView(postings, claim)
    index = claim.index
    parts = pd.concat(
        [
            claim,
            money_aggregates(view).reindex(index).fillna(0),
            duplicate_aggregates(view, index),
            timing_aggregates(view, index),
            contracted_allowed(ledger, lines).reindex(index),
            reported_allowed(postings, view.primary_payment).reindex(index),
            patient_context(ledger, claim),
            payer_context(ledger, claim),
        ],
        axis=1,
    )
    features = _derive(parts)
    features.index = credits.index
    return features


def _usd(values: pd.Series) -> np.ndarray:
    return values.to_numpy(dtype="float64", na_value=np.nan) / 100.0


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(
            denominator > 0, numerator / np.where(denominator > 0, denominator, 1), np.nan
        )


def _days(later: pd.Series, earlier: pd.Series) -> np.ndarray:
    return (pd.to_datetime(later) - pd.to_datetime(earlier)).dt.days.to_numpy(
        dtype="float64", na_value=np.nan
    )


def _allowed(p: pd.DataFrame) -> dict[str, np.ndarray]:
    line_count = p["line_count"].to_numpy(dtype="float64", na_value=0)
    covered = p["covered_lines"].to_numpy(dtype="float64", na_value=0)
    full = (covered >= line_count) & (line_count > 0)
    contracted = np.where(full, _usd(p["contracted_allowed_cents"]), np.nan)
    reported = _usd(p["reported_allowed_cents"])
    allowed = np.where(np.isnan(contracted), reported, contracted)
    responsibility = _usd(p["responsibility_cents"])
    sequestration = _usd(p["sequestration_cents"])
    expected = allowed - responsibility - sequestration
    payer_paid = _usd(p["payer_paid_cents"])
    return {
        "contracted_allowed_usd": contracted,
        "fee_schedule_coverage": _ratio(covered, line_count),
        "reported_allowed_usd": reported,
        "allowed_usd": allowed,
        "patient_responsibility_usd": responsibility,
        "sequestration_usd": sequestration,
        "payer_expected_usd": expected,
        "primary_paid_minus_expected_usd": _usd(p["primary_payer_paid_cents"]) - expected,
        "payer_paid_minus_contracted_allowed_usd": payer_paid - contracted,
        "payer_paid_minus_reported_allowed_usd": payer_paid - reported,
        "reported_minus_contracted_allowed_usd": reported - contracted,
        "payer_paid_over_allowed_ratio": _ratio(payer_paid, allowed),
        "contractual_minus_expected_usd": (
            _usd(p["contractual_adjustment_cents"])
            - sequestration
            - (_usd(p["charge_cents"]) - allowed)
        ),
    }


def _derive(p: pd.DataFrame) -> pd.DataFrame:
    """Named features from the aggregates (see ``specs`` for what each means)."""
    out: dict[str, object] = {}
    credit = -(_usd(p["charge_cents"]) + _usd(p["balance_effect_cents"]))
    out["credit_amount_usd"] = credit
    out["charge_usd"] = _usd(p["charge_cents"])
    out["credit_share_of_charge"] = _ratio(credit, out["charge_usd"])  # type: ignore[arg-type]
    out.update(_allowed(p))
    known = (p["responsibility_rows"] > 0) | (p["era_payer_payment_count"] > 0)
    out["responsibility_known"] = known.to_numpy(dtype="float64")
    patient_excess = _usd(p["patient_paid_cents"]) - _usd(p["responsibility_cents"])
    out["patient_paid_minus_responsibility_usd"] = np.where(known, patient_excess, np.nan)
    positive = lambda x: np.clip(np.asarray(x, dtype="float64"), 0, None)
    out["payer_excess_share_of_credit"] = _ratio(
        positive(out["primary_paid_minus_expected_usd"]), credit
    )
    out["patient_excess_share_of_credit"] = _ratio(
        positive(out["patient_paid_minus_responsibility_usd"]), credit
    )
    out["duplicate_share_of_credit"] = _ratio(
        _usd(p["identical_payment_net_of_reversals_cents"]), credit
    )
    out["writeoff_excess_share_of_credit"] = _ratio(
        positive(out["contractual_minus_expected_usd"]), credit
    )
    out["manual_posting_share"] = _ratio(
        p["manual_posting_count"].to_numpy(dtype="float64"),
        p["posting_count"].to_numpy(dtype="float64"),
    )
    out["days_service_to_first_payer_payment"] = _days(
        p["first_payer_payment"], p["first_service_date"]
    )
    out["days_first_to_last_payer_payment"] = _days(
        p["last_payer_payment"], p["first_payer_payment"]
    )
    this_balance = _usd(p["charge_cents"]) + _usd(p["balance_effect_cents"])
    out["patient_other_claims_balance_usd"] = _usd(p["patient_balance_cents"]) - this_balance
    for name in NUMERIC_FEATURES:
        if name in out:
            continue
        source = name[:-4] + "_cents" if name.endswith("_usd") else name
        out[name] = (
            _usd(p[source])
            if name.endswith("_usd")
            else p[source].to_numpy(dtype="float64", na_value=np.nan)
        )
    frame = pd.DataFrame(
        {n: np.asarray(out[n], dtype="float64") for n in NUMERIC_FEATURES}, index=p.index
    )
    for name in CATEGORICAL_FEATURES:
        frame[name] = p[name].astype("string")
    return frame[list(FEATURE_NAMES)]
