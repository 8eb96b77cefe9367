"""Score a ledger: every credit balance with its predicted source, probabilities, reasons in
words, verification and recommended action.

``score_ledger`` is THE scoring path, for a whole ledger and for one request's claims alike:
the credits' bundles -> one feature record per credit (``features.of_bundle``) -> the model's
probabilities for all records in one call -> the SHAP reasons of each predicted source, in
words -> verification and recommendation per bundle (``resolve``). The per-credit stages run
across processes by patient group for a large ledger (``bundles.map_patient_groups``).

It is pure given a loaded model: a ``CreditSourceModel`` (its matrix is encoded straight from
the feature records), or anything with ``predict_proba(features)`` or an MLflow pyfunc whose
``predict`` returns the ``p_`` columns (they get the feature frame). The returned frame
follows ``contract.SCORE_COLUMNS`` in order, with money in integer cents under
``<name>_cents`` (the in-memory convention); ``contract_scores`` / ``write_scores`` format it
as contract decimals.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cbclassify.balances import credit_balances, resolve_as_of
from cbclassify.bundles import ClaimBundle, Credits, LedgerContext, PatientGroups
from cbclassify.contract.enums import CREDIT_SOURCES
from cbclassify.contract.ledger import Ledger
from cbclassify.contract.money import format_cents_series
from cbclassify.contract.schema import SCORE_COLUMNS
from cbclassify.csv_cells import formula_safe_frame
from cbclassify.features import (
    FeatureRecord,
    credit_features,
    features_frame,
    of_bundle,
)
from cbclassify.model.classifier import (
    PROBA_COLUMNS,
    CreditSourceModel,
    serving_frame,
)
from cbclassify.model.metrics import apply_temperature
from cbclassify.resolve import Policy, Resolved, default_policy
from cbclassify.resolve.pipeline import resolve_predicted
from cbclassify.verify.engine import credits_on

log = logging.getLogger(__name__)

MONEY_SCORE_COLUMNS: tuple[str, ...] = ("credit_amount", "explained_amount")
#: The in-memory score columns: SCORE_COLUMNS with money as ``<name>_cents`` (Int64).
SCORE_MEMORY_COLUMNS: tuple[str, ...] = tuple(
    f"{c}_cents" if c in MONEY_SCORE_COLUMNS else c for c in SCORE_COLUMNS
)
#: Places the written scoring output rounds probabilities to (``write_scores``): rounding
#: ``confidence`` and its ``p_`` column alike keeps them equal; the four rounded ``p_`` columns
#: sum to 1 within 4 x 0.5e-6 = 2e-6.
PROBABILITY_DECIMALS = 6
#: Columns beyond the contract's (it asks for "at least" its own): the verifier's words.
DETAIL_COLUMNS: tuple[str, ...] = (
    "statement",
    "review_reason",
    "ledger_source",  # refuted: the source the ledger proves instead of the prediction
    "ledger_amount_cents",  # and the amount it explains (written as ledger_amount)
    "candidates",  # inconclusive: the sources explaining the credit equally, '|'-joined
)
#: ``DETAIL_COLUMNS`` as the written output names them (money without ``_cents``).
WRITTEN_DETAIL_COLUMNS: tuple[str, ...] = tuple(c.removesuffix("_cents") for c in DETAIL_COLUMNS)
#: Up to this many rows LightGBM predicts on one thread (waking its threads costs more);
#: the probabilities are the same either way.
_ONE_THREAD_ROWS = 256
#: One score row: ``SCORE_MEMORY_COLUMNS`` + ``DETAIL_COLUMNS`` -> plain value (None missing).
ScoreRow = dict[str, Any]

_TEXT_COLUMNS = ("claim_id", "patient_id", "payer_id", "predicted_source", "verification",
                 "verified_source", "evidence", "recommended_action", "top_reasons",
                 "statement", "review_reason", "ledger_source", "candidates")  # fmt: skip


def score_ledger(
    ledger: Ledger,
    model: Any,
    as_of: pd.Timestamp | str | None = None,
    policy: Policy | None = None,
    explain: bool = True,
    *,
    credits: pd.DataFrame | None = None,
    workers: int | None = None,
) -> pd.DataFrame:
    """One row per credit balance on ``as_of`` (default: the ledger's latest posting).

    Args:
        ledger: the loaded ledger (frames, or a request's rows).
        model: a loaded model (see module docstring); load it once and reuse it.
        as_of: the run's as-of date; features and credits are read as of it.
        policy: the resolution policy (default: the shipped one).
        explain: fill ``top_reasons`` with the three strongest SHAP contributions in words.
        credits: the credits on ``as_of`` when the caller already holds them
            (``balances.credit_balances``).
        workers: processes for a large ledger (default: every core).

    Returns:
        Columns ``SCORE_MEMORY_COLUMNS`` + ``DETAIL_COLUMNS``; probabilities sum to 1 and
        ``confidence`` equals the predicted source's ``p_`` column; ``top_reasons`` is blank
        when ``explain`` is False or the model cannot be explained.
    """
    rows = score_records(ledger, model, as_of, policy, explain, credits=credits, workers=workers)
    return scores_frame(rows)


def score_records(
    ledger: Ledger,
    model: Any,
    as_of: pd.Timestamp | str | None = None,
    policy: Policy | None = None,
    explain: bool = True,
    *,
    credits: pd.DataFrame | Credits | None = None,
    workers: int | None = None,
) -> list[ScoreRow]:
    """``score_ledger``'s rows as dicts of plain values (no frame), in the credits' order."""
    when = resolve_as_of(ledger, as_of)
    if credits is None:
        credits = credit_balances(ledger, when)
    dated = credits_on(credits, when) if isinstance(credits, pd.DataFrame) else credits
    with PatientGroups(ledger, dated, workers=workers) as groups:
        return score_groups(groups, model, policy, explain)


def score_groups(
    groups: PatientGroups, model: Any, policy: Policy | None = None, explain: bool = True
) -> list[ScoreRow]:
    """The score rows of the credits of ``groups`` (see ``score_ledger``): features per
    bundle, the model over all of them, reasons, then verification per bundle."""
    if not len(groups.credits):
        return []
    records = groups.map(of_bundle)
    proba, model_input = _probabilities(model, records)
    best = proba.argmax(axis=1)
    sources = [CREDIT_SOURCES[i] for i in best]
    claim_ids = groups.credits.claim_ids
    check = partial(
        verify_with_parties,
        predicted=dict(zip(claim_ids, sources, strict=True)),
        policy=policy or default_policy(),
    )
    verified = groups.map(check)
    reasons = _reasons(model, model_input, records, best) if explain else [None] * len(records)
    out = []
    for i, (resolved, parties) in enumerate(verified):
        v, r = resolved.verdict, resolved.recommendation
        row: ScoreRow = {
            "claim_id": claim_ids[i],
            **parties,
            "credit_amount_cents": v.credit_amount_cents,
            "predicted_source": sources[i],
            "confidence": float(proba[i, best[i]]),
            **{name: float(proba[i, j]) for j, name in enumerate(PROBA_COLUMNS)},
            "verification": v.verification,
            "verified_source": v.verified_source,
            "explained_amount_cents": v.explained_amount_cents,
            "evidence": v.evidence,
            "recommended_action": r.recommended_action,
            "due_date": r.due_date,
            "top_reasons": reasons[i],
            "statement": v.statement,
            "review_reason": v.review_reason,
            "ledger_source": v.ledger_source,
            "ledger_amount_cents": v.ledger_amount_cents,
            "candidates": v.candidates,
        }
        out.append(row)
    return out


def serving_features(ledger: Ledger, as_of: pd.Timestamp) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The credit balances on ``as_of`` and their features (what scoring reads)."""
    credits = credit_balances(ledger, as_of)
    return credits, credit_features(ledger, credits[["claim_id"]].assign(as_of_date=as_of))


def verify_with_parties(
    context: LedgerContext, bundle: ClaimBundle, predicted: Mapping[str, str], policy: Policy
) -> tuple[Resolved, dict[str, str | None]]:
    """One credit verified and resolved against its predicted source, with its patient and
    primary payer (of its first line by line_no)."""
    first = min(bundle.all_lines, key=lambda line: line.line_no, default=None)
    parties = {
        "patient_id": first.patient_id if first is not None else None,
        "payer_id": first.payer_id if first is not None else None,
    }
    return resolve_predicted(context, bundle, predicted, policy, {}), parties


def _probabilities(
    model: Any, records: Sequence[FeatureRecord]
) -> tuple[np.ndarray, np.ndarray | pd.DataFrame]:
    """The probabilities (n x 4, ``CREDIT_SOURCES`` order) and what the model read: the
    matrix of a ``CreditSourceModel``, the feature frame of any other model."""
    if isinstance(model, CreditSourceModel):
        matrix = model.encoder.transform_records(records)
        threads = 1 if len(matrix) < _ONE_THREAD_ROWS else 0  # no OpenMP wake-up for a few
        raw = model.booster.predict(matrix, raw_score=True, num_threads=threads)
        margins = np.asarray(raw, dtype="float64").reshape(len(matrix), len(CREDIT_SOURCES))
        return apply_temperature(margins, model.temperature), matrix
    features = features_frame(records, pd.RangeIndex(len(records)))
    if hasattr(model, "predict_proba"):
        return np.asarray(model.predict_proba(features), dtype="float64"), features
    out = model.predict(serving_frame(features))
    return out[list(PROBA_COLUMNS)].to_numpy(dtype="float64"), features


def _reasons(
    model: Any,
    model_input: np.ndarray | pd.DataFrame,
    records: Sequence[FeatureRecord],
    best: np.ndarray,
) -> list[str | None]:
    """The three strongest SHAP contributions of each credit's predicted source, in words
    (None for each when the model is not a tree model TreeSHAP can read)."""
    from cbclassify.explain.reasons import REASON_SEPARATOR, explainer_for, reason

    try:
        explainer = explainer_for(model, class_names=CREDIT_SOURCES)
        explanation = explainer.explain(model_input, predicted=best)
    except TypeError as exc:  # e.g. a stand-in model in tests
        log.warning("top_reasons left blank: %s", exc)
        return [None] * len(records)
    names = explanation.feature_names
    order, picked = explanation.top(3)
    out: list[str | None] = []
    for i, record in enumerate(records):
        source = CREDIT_SOURCES[int(best[i])]
        row = {k: pd.NA if v is None else v for k, v in record.items()}  # as the frame's NA
        out.append(
            REASON_SEPARATOR.join(
                reason(names[j], row.get(names[j]), float(c), row, source)
                for j, c in zip(order[i], picked[i], strict=True)
            )
        )
    return out


def scores_frame(rows: Sequence[ScoreRow]) -> pd.DataFrame:
    """Score rows -> the frame ``score_ledger`` returns (typed columns in contract order)."""
    columns: dict[str, Any] = {}
    for name in SCORE_MEMORY_COLUMNS + DETAIL_COLUMNS:
        values = [r[name] for r in rows]
        if name in _TEXT_COLUMNS:
            columns[name] = pd.array(values, dtype="string")
        elif name.endswith("_cents"):
            columns[name] = pd.array(values, dtype="Int64")
        elif name == "due_date":
            stamps = pd.to_datetime(pd.Series(values, dtype=object))
            columns[name] = stamps.astype("datetime64[ns]").to_numpy()
        else:
            columns[name] = np.array(values, dtype="float64")
    return pd.DataFrame(columns)


def contract_scores(scores: pd.DataFrame, decimals: int | None = None) -> pd.DataFrame:
    """The scoring output in contract form: SCORE_COLUMNS names, money as ``12.34``, dates ISO,
    probabilities at full precision (or rounded to ``decimals``), blanks for missing values."""
    out = pd.DataFrame(index=scores.index)
    extras = tuple(c for c in DETAIL_COLUMNS if c in scores.columns)
    for column in SCORE_COLUMNS + extras:
        if column.endswith("_cents"):
            out[column.removesuffix("_cents")] = format_cents_series(scores[column])
        elif column in MONEY_SCORE_COLUMNS:
            out[column] = format_cents_series(scores[f"{column}_cents"])
        elif column == "confidence" or column in PROBA_COLUMNS:
            values = scores[column].astype("float64")
            out[column] = values if decimals is None else values.round(decimals)
        elif column == "due_date":
            out[column] = pd.to_datetime(scores[column]).dt.strftime("%Y-%m-%d").fillna("")
        else:
            out[column] = scores[column].astype("string").fillna("")
    return out


def write_scores(
    scores: pd.DataFrame, path: Path | str, decimals: int | None = PROBABILITY_DECIMALS
) -> Path:
    """Write the contract scoring output as CSV (or Parquet for a ``.parquet`` path), the
    probabilities rounded to ``decimals`` places (``PROBABILITY_DECIMALS``)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    frame = contract_scores(scores, decimals)
    if target.suffix == ".parquet":
        frame.to_parquet(target, index=False)
    else:
        fixed = None if decimals is None else f"%.{decimals}f"  # 0.000089, never 8.9e-05
        safe = formula_safe_frame(frame)  # a claim id like "=1+2" is not a formula
        safe.to_csv(target, index=False, encoding="utf-8", float_format=fixed)
    return target
