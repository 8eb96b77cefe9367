"""``credit_features`` for a handful of credits, in plain Python (the single-claim path).

The vectorized pipeline (``features.build``) costs a fixed ~25 groupbys and merges per call,
about 90 ms of CPU for one credit on a request-sized ledger (classify-on-demand, issue 6). This
path applies the same rules credit by credit over plain rows (``single_*`` modules) and gives
the identical frame: same index, columns, dtypes and float64 values (same operations in the
same order). The equivalence is tested on every credit of synthetic practices and on random
ledgers (tests/features/test_single.py). ``credit_features`` picks it for at most
``SMALL_FEATURE_CREDITS`` credits.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from cbclassify.contract.ledger import Ledger
from cbclassify.features.single_claim import claim_facts, contracted_allowed, schedule_index
from cbclassify.features.single_context import (
    patient_context_at,
    patient_events,
    payer_contexts,
)
from cbclassify.features.single_credits import CreditRows, credit_inputs, credit_rows
from cbclassify.features.single_derive import derive
from cbclassify.features.single_dups import duplicate_aggregates
from cbclassify.features.single_frame import empty_features, features_frame
from cbclassify.features.single_postings import (
    money_aggregates,
    reported_allowed_cents,
    timing_aggregates,
)
from cbclassify.features.single_table import TableView

#: Up to this many credits ``credit_features`` uses this path (its cost grows with the
#: credits' postings and patients; the vectorized one's is nearly flat).
SMALL_FEATURE_CREDITS = 32

FeatureRecord = dict[str, float | str | None]


def feature_records(ledger: Ledger, credits: pd.DataFrame) -> list[FeatureRecord]:
    """The features of each row of ``credits`` (``claim_id``, ``as_of_date``) as dicts keyed
    by ``FEATURE_NAMES``: numbers as float (NaN where not applicable), categoricals as str
    (None where missing). Same values as ``credit_features``."""
    claim_ids, as_ofs = credit_inputs(credits)
    return feature_records_for(ledger, claim_ids, as_ofs)


def feature_records_for(
    ledger: Ledger, claim_ids: list[str | None], as_ofs: list[int]
) -> list[FeatureRecord]:
    """``feature_records`` of claim ids with their as-of dates (normalized, integer ns), as
    ``credit_inputs`` gives them."""
    if not claim_ids:
        return []
    view = TableView(ledger)
    rows = credit_rows(view, claim_ids, as_ofs)
    payers = {p["payer_id"]: p for p in view.rows("payers")}
    facts = [claim_facts(c.lines, payers) for c in rows]
    line_payers = {r["payer_id"] for c in rows for r in c.lines if r["payer_id"] is not None}
    cpts = {r["cpt"] for c in rows for r in c.lines}
    fees = [f for f in view.rows("fee_schedule", "payer_id", line_payers) if f["cpt"] in cpts]
    schedule = schedule_index(fees)
    patients = patient_events(view, {f["patient_id"] for f in facts if f["patient_id"] is not None})
    payer_history = payer_contexts(view, [f["payer_id"] for f in facts], as_ofs)
    out = []
    for credit, fact, payer in zip(rows, facts, payer_history, strict=True):
        parts = _aggregates(credit, fact, schedule)
        patient = patients.get(fact["patient_id"], []) if fact["patient_id"] is not None else []
        parts.update(patient_context_at(patient, credit.as_of))
        parts.update(payer)
        out.append(derive(parts))
    return out


def _aggregates(credit: CreditRows, fact: dict[str, Any], schedule: dict) -> dict[str, Any]:
    """Claim facts and posting aggregates of one credit (the parts ``derive`` reads)."""
    primary = fact["payer_id"] or ""
    secondary = fact["secondary_payer_id"] or ""
    parts = dict(fact)
    parts.update(money_aggregates(credit.postings, primary, secondary))
    parts.update(duplicate_aggregates(credit.postings))
    parts.update(timing_aggregates(credit.postings))
    parts.update(contracted_allowed(credit.lines, schedule))
    parts["reported_allowed_cents"] = reported_allowed_cents(credit.postings, primary)
    return parts


def credit_features_small(ledger: Ledger, credits: pd.DataFrame) -> pd.DataFrame:
    """``credit_features`` (same arguments, same frame) for a handful of credits."""
    records = feature_records(ledger, credits)
    if not records:
        return empty_features(credits.index)
    return features_frame(records, credits.index)
