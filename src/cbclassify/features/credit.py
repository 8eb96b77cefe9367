"""One credit's features from its bundle: THE feature rules, for one claim or a million.

``of_bundle(context, bundle)`` reads the credit's billed lines and postings up to its date
(``ClaimBundle``), its patient's history and the ledger-wide facts (``LedgerContext``: payers,
fee schedule, payer histories) and returns the named features of ``specs``; the scale-free
signatures (``signatures``) come last, from the postings and the features derived before them. Training calls it
with each label's ``identified_date`` as the bundle's date, scoring with the run's as-of date,
so postings that later resolved a credit never reach its features.
"""

from __future__ import annotations

from typing import Any

from cbclassify.bundles import ClaimBundle, LedgerContext
from cbclassify.features.claim import claim_facts, contracted_allowed
from cbclassify.features.context import patient_context, payer_context
from cbclassify.features.derive import FeatureRecord, derive
from cbclassify.features.duplicates import duplicate_aggregates
from cbclassify.features.postings import (
    money_aggregates,
    reported_allowed_cents,
    timing_aggregates,
)
from cbclassify.features.signatures import signature_features


def of_bundle(context: LedgerContext, bundle: ClaimBundle) -> FeatureRecord:
    """The features of one credit, keyed and ordered by ``FEATURE_NAMES``: numbers as float
    (NaN where not applicable), categoricals as str (None where missing)."""
    facts = claim_facts(bundle.lines, context.payers)
    payer_id = facts["payer_id"] if isinstance(facts["payer_id"], str) else None
    primary = payer_id or ""
    secondary = str(facts["secondary_payer_id"] or "")
    parts: dict[str, Any] = dict(facts)
    parts.update(money_aggregates(bundle.postings, primary, secondary))
    parts.update(duplicate_aggregates(bundle.postings))
    parts.update(timing_aggregates(bundle.postings))
    parts.update(contracted_allowed(bundle.lines, context.fee_schedule))
    parts["reported_allowed_cents"] = reported_allowed_cents(bundle.postings, primary)
    parts.update(patient_context(bundle))
    parts.update(payer_context(context, payer_id, bundle.as_of))
    record = derive(parts)
    record.update(signature_features(bundle, parts, record))
    return record
