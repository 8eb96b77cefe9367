"""Score a ledger: every credit balance with its predicted source and probabilities, plus the
verification columns when ``cbclassify.verify`` is available.

``score_ledger`` is pure given a loaded model (anything with ``predict_proba(features)``, like
``CreditSourceModel``, or an MLflow pyfunc whose ``predict`` returns the ``p_`` columns). The
returned frame follows ``contract.SCORE_COLUMNS`` in order, with money in integer cents under
``<name>_cents`` (the in-memory convention); ``contract_scores`` / ``write_scores`` format it
as contract decimals.
"""

from __future__ import annotations

import importlib
import logging
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cbclassify.balances import credit_balances, resolve_as_of
from cbclassify.contract.enums import CREDIT_SOURCES
from cbclassify.contract.ledger import Ledger
from cbclassify.contract.money import format_cents_series
from cbclassify.contract.schema import SCORE_COLUMNS
from cbclassify.features import credit_features
from cbclassify.model.classifier import PROBA_COLUMNS, probability_frame, serving_frame

log = logging.getLogger(__name__)

MONEY_SCORE_COLUMNS: tuple[str, ...] = ("credit_amount", "explained_amount")
#: The in-memory score columns: SCORE_COLUMNS with money as ``<name>_cents`` (Int64).
SCORE_MEMORY_COLUMNS: tuple[str, ...] = tuple(
    f"{c}_cents" if c in MONEY_SCORE_COLUMNS else c for c in SCORE_COLUMNS
)
VERIFY_COLUMNS: tuple[str, ...] = (
    "verification",
    "verified_source",
    "explained_amount",
    "evidence",
    "recommended_action",
    "due_date",
)


#: Columns beyond the contract's (it asks for "at least" its own): the verifier's words.
DETAIL_COLUMNS: tuple[str, ...] = ("statement", "review_reason")

_VERIFY_DTYPES = {"explained_amount_cents": "Int64", "due_date": "datetime64[ns]"}


def predict_probabilities(model: Any, features: pd.DataFrame) -> pd.DataFrame:
    """``predicted_source``, ``confidence`` and ``p_`` columns for a feature frame."""
    if len(features) == 0:
        return probability_frame(np.zeros((0, len(CREDIT_SOURCES))), features.index)
    if hasattr(model, "predict_proba"):
        proba = np.asarray(model.predict_proba(features), dtype="float64")
    else:
        out = model.predict(serving_frame(features))
        proba = out[list(PROBA_COLUMNS)].to_numpy(dtype="float64")
    return probability_frame(proba, features.index)


def _claim_parties(ledger: Ledger, claim_ids: pd.Series) -> pd.DataFrame:
    """patient_id and primary payer_id of each claim (from its first line)."""
    lines = ledger.claim_lines.sort_values(["claim_id", "line_no"], kind="stable")
    first = lines.drop_duplicates("claim_id").set_index("claim_id")
    return pd.DataFrame(
        {
            "patient_id": claim_ids.map(first["patient_id"]).astype("string"),
            "payer_id": claim_ids.map(first["payer_id"]).astype("string"),
        },
        index=claim_ids.index,
    )


def _verification(
    ledger: Ledger, credits: pd.DataFrame, predicted: pd.DataFrame, as_of: pd.Timestamp, policy: Any
) -> pd.DataFrame | None:
    """The verify columns per claim from ``cbclassify.verify`` (None while it is absent or
    when there is nothing to verify)."""
    if credits.empty:
        return None
    try:
        verify = importlib.import_module("cbclassify.verify")
    except ImportError:
        return None
    fn = getattr(verify, "verify_and_recommend", None)
    if fn is None:
        return None
    result = fn(ledger, credits, predicted=predicted, as_of=as_of, policy=policy)
    frame = result if "claim_id" in result.columns else result.reset_index()
    if "explained_amount_cents" not in frame.columns and "explained_amount" in frame.columns:
        frame = frame.rename(columns={"explained_amount": "explained_amount_cents"})
    return frame.set_index("claim_id")


def _top_reasons(model: Any, features: pd.DataFrame, predicted: pd.Series, explain: bool) -> pd.Series:
    """The ``top_reasons`` column: SHAP contributions of the predicted source, in words."""
    if not explain or len(features) == 0:
        return pd.Series(pd.NA, index=predicted.index, dtype="string")
    from cbclassify.explain.reasons import reasons_for

    try:
        reasons = reasons_for(model, features, predicted.to_numpy())
    except TypeError as exc:  # not a tree model TreeSHAP can read (e.g. a stand-in in tests)
        log.warning("top_reasons left blank: %s", exc)
        return pd.Series(pd.NA, index=predicted.index, dtype="string")
    return pd.Series(reasons.to_numpy(), index=predicted.index, dtype="string")


def serving_features(ledger: Ledger, as_of: pd.Timestamp) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The credit balances on ``as_of`` and their features (the serving path)."""
    credits = credit_balances(ledger, as_of)
    return credits, credit_features(ledger, credits[["claim_id"]].assign(as_of_date=as_of))


def score_ledger(
    ledger: Ledger,
    model: Any,
    as_of: pd.Timestamp | str | None = None,
    policy: Any = None,
    explain: bool = True,
) -> pd.DataFrame:
    """One row per credit balance on ``as_of`` (default: the ledger's latest posting).

    Args:
        ledger: the loaded ledger.
        model: a loaded model (see module docstring); load it once and reuse it.
        as_of: the run's as-of date; features and credits are read as of it.
        policy: the resolution policy, passed to verification.
        explain: fill ``top_reasons`` with the three strongest SHAP contributions in words.

    Returns:
        Columns ``SCORE_MEMORY_COLUMNS``; probabilities sum to 1 and ``confidence`` equals the
        predicted source's ``p_`` column; ``top_reasons`` is blank when ``explain`` is False.
    """
    when = resolve_as_of(ledger, as_of)
    credits, features = serving_features(ledger, when)
    predicted = predict_probabilities(model, features)
    out = pd.concat(
        [credits[["claim_id"]].astype("string"), _claim_parties(ledger, credits["claim_id"])],
        axis=1,
    )
    out["credit_amount_cents"] = credits["credit_cents"].astype("Int64")
    out = pd.concat([out, predicted], axis=1)
    verified = _verification(ledger, credits, out[["claim_id", "predicted_source"]], when, policy)
    for column in VERIFY_COLUMNS + DETAIL_COLUMNS:
        name = f"{column}_cents" if column in MONEY_SCORE_COLUMNS else column
        values = (
            verified[name].reindex(out["claim_id"].to_numpy()).to_numpy()
            if (verified is not None and name in verified.columns)
            else pd.NA
        )
        out[name] = pd.Series(values, index=out.index, dtype=_VERIFY_DTYPES.get(name, "string"))
    out["top_reasons"] = _top_reasons(model, features, out["predicted_source"], explain)
    return out[list(SCORE_MEMORY_COLUMNS + DETAIL_COLUMNS)].reset_index(drop=True)


def contract_scores(scores: pd.DataFrame, decimals: int | None = None) -> pd.DataFrame:
    """The scoring output in contract form: SCORE_COLUMNS names, money as ``12.34``, dates ISO,
    probabilities at full precision (or rounded to ``decimals``), blanks for missing values."""
    out = pd.DataFrame(index=scores.index)
    extras = tuple(c for c in DETAIL_COLUMNS if c in scores.columns)
    for column in SCORE_COLUMNS + extras:
        if column in MONEY_SCORE_COLUMNS:
            out[column] = format_cents_series(scores[f"{column}_cents"])
        elif column == "confidence" or column in PROBA_COLUMNS:
            values = scores[column].astype("float64")
            out[column] = values if decimals is None else values.round(decimals)
        elif column == "due_date":
            out[column] = pd.to_datetime(scores[column]).dt.strftime("%Y-%m-%d").fillna("")
        else:
            out[column] = scores[column].astype("string").fillna("")
    return out


def write_scores(scores: pd.DataFrame, path: Path | str) -> Path:
    """Write the contract scoring output as CSV (or Parquet for a ``.parquet`` path)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    frame = contract_scores(scores)
    if target.suffix == ".parquet":
        frame.to_parquet(target, index=False)
    else:
        frame.to_csv(target, index=False, encoding="utf-8")
    return target
