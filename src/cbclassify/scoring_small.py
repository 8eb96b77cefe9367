"""``score_ledger`` for the handful of credits of one request, in plain Python.

Classify-on-demand (``POST /api/v1/classify``) sends one claim with its patient's other claims,
so it scores one or two credits. ``score_ledger`` pays a fixed pandas cost per call (frames,
concat, reindex) of tens of milliseconds whatever the number of credits; this path runs the
same steps over plain values: features (``features.single``), the model matrix
(``FeatureEncoder.transform_records``), LightGBM's margins and TreeSHAP, reasons in words and the
single-claim verification and recommendation (``resolve.single``). Its rows equal
``score_ledger``'s (tests/test_scoring_small.py). Pure: no I/O.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from cbclassify.balances import claim_balance_rows, credit_balance_rows, resolve_as_of
from cbclassify.balances.rows import Credits, credit_pairs
from cbclassify.contract.enums import CREDIT_SOURCES
from cbclassify.contract.ledger import Ledger
from cbclassify.contract.rows import frame_records
from cbclassify.features.single import feature_records_for
from cbclassify.model.classifier import PROBA_COLUMNS, CreditSourceModel
from cbclassify.model.metrics import apply_temperature
from cbclassify.resolve import default_policy
from cbclassify.resolve.single import verify_and_recommend_records

#: Up to this many credits ``score_small`` is the faster path (above, ``score_ledger``; the
#: feature and verification small paths stop at the same number).
SMALL_SCORE_CREDITS = 32

Row = dict[str, Any]


def can_score_small(model: Any, credit_count: int) -> bool:
    """True when ``score_small`` serves this model and this many credits."""
    return isinstance(model, CreditSourceModel) and 0 < credit_count <= SMALL_SCORE_CREDITS


def score_small(
    ledger: Ledger,
    model: CreditSourceModel,
    as_of: pd.Timestamp | str | None = None,
    policy: Any = None,
    credits: Credits | None = None,
) -> list[Row]:
    """One dict per credit balance on ``as_of``, keyed like ``score_ledger``'s columns
    (``SCORE_MEMORY_COLUMNS`` + ``DETAIL_COLUMNS``), plain values (None for missing).

    Args:
        ledger: a small ledger (one request's claims).
        model: a fitted ``CreditSourceModel`` (see ``can_score_small``).
        as_of: the as-of date (default: the ledger's latest posting).
        policy: the resolution policy (default: the shipped one).
        credits: the credits on ``as_of`` when the caller already holds them (a
            ``credit_balances`` frame or ``credit_balance_rows``).
    """
    when = resolve_as_of(ledger, as_of)
    if credits is None:
        credits = credit_balance_rows(claim_balance_rows(ledger, when))
    claim_ids, amounts = credit_pairs(credits)
    if not claim_ids:
        return []
    features = feature_records_for(ledger, list(claim_ids), [when.normalize().value] * len(claim_ids))
    matrix = model.encoder.transform_records(features)
    proba = apply_temperature(_margins(model, matrix), model.temperature)
    best = proba.argmax(axis=1)
    sources = [CREDIT_SOURCES[i] for i in best]
    reasons = _reasons(model, matrix, features, best)
    predicted = dict(zip(claim_ids, sources, strict=True))
    verdicts = verify_and_recommend_records(
        ledger, credits, predicted, when, policy or default_policy()
    )
    by_claim = {v["claim_id"]: v for v in verdicts}
    parties = _claim_parties(ledger)
    out = []
    for i, (claim_id, cents) in enumerate(zip(claim_ids, amounts, strict=True)):
        row: Row = {"claim_id": claim_id, **parties.get(claim_id, _NO_PARTIES),
                    "credit_amount_cents": cents, "predicted_source": sources[i],
                    "confidence": float(proba[i, best[i]])}  # fmt: skip
        row.update({name: float(proba[i, j]) for j, name in enumerate(PROBA_COLUMNS)})
        row.update(_verification(by_claim.get(claim_id)))
        row["top_reasons"] = reasons[i]
        out.append(row)
    return out


_NO_PARTIES: Row = {"patient_id": None, "payer_id": None}
_VERIFY_KEYS = ("verification", "verified_source", "evidence", "recommended_action", "statement",
                "review_reason")  # fmt: skip


def _margins(model: CreditSourceModel, matrix: np.ndarray) -> np.ndarray:
    raw = model.booster.predict(matrix, raw_score=True, num_threads=1)  # no OpenMP wake-up
    return np.asarray(raw, dtype="float64").reshape(len(matrix), len(CREDIT_SOURCES))


def _reasons(
    model: CreditSourceModel, matrix: np.ndarray, features: list[Row], best: np.ndarray
) -> list[str]:
    """The three strongest SHAP contributions of each row's predicted source, in words."""
    from cbclassify.explain.reasons import REASON_SEPARATOR, explainer_for, reason

    explanation = explainer_for(model, class_names=CREDIT_SOURCES).explain(matrix, predicted=best)
    names = explanation.feature_names
    order, picked = explanation.top(3)
    out = []
    for i, record in enumerate(features):
        source = CREDIT_SOURCES[int(best[i])]
        row = {k: pd.NA if v is None else v for k, v in record.items()}  # as the frame's NA
        out.append(REASON_SEPARATOR.join(
            reason(names[j], row.get(names[j]), float(c), row, source)
            for j, c in zip(order[i], picked[i], strict=True)
        ))  # fmt: skip
    return out


def _verification(v: Row | None) -> Row:
    """The verify columns of one verdict (all None when there is none)."""
    if v is None:
        return {**dict.fromkeys(_VERIFY_KEYS), "explained_amount_cents": None, "due_date": None}
    out: Row = {k: v.get(k) for k in _VERIFY_KEYS}
    out["explained_amount_cents"] = v.get("explained_cents")
    due = v.get("due_date")
    out["due_date"] = None if due is None or due is pd.NaT else pd.Timestamp(due)
    return out


def _claim_parties(ledger: Ledger) -> dict[str, Row]:
    """patient_id and primary payer_id of each claim, from its first line (lowest line_no)."""
    rows = ledger.handed_rows("claim_lines")  # a request ledger's rows
    if rows is None:
        rows = frame_records(ledger.claim_lines)
    first: dict[str, Row] = {}
    for r in sorted(rows, key=lambda r: (r["claim_id"], r["line_no"])):
        first.setdefault(
            str(r["claim_id"]), {"patient_id": r["patient_id"], "payer_id": r["payer_id"]}
        )
    return first
