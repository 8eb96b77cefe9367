"""Wire the real pieces into report inputs: worklist, scores (with verification and reasons),
explanations, root-cause findings and model metrics of one loaded ledger.

Works without a model: credits are then verified only (no predictions, explanations or
metrics) and the report says so. Adapter code (it may load models); the core stays pure.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from cbclassify.analytics import combine_credits, credits_from_resolutions, credits_from_scores
from cbclassify.balances import credit_balances, resolve_as_of
from cbclassify.balances.worklist import build_worklist
from cbclassify.contract.enums import CREDIT_SOURCES
from cbclassify.contract.ledger import Ledger
from cbclassify.explain import FastExplainer, top_reasons
from cbclassify.reports.builder import ReportInputs, metrics_dict

if TYPE_CHECKING:
    from cbclassify.settings import Settings

log = logging.getLogger(__name__)
NO_MODEL_NOTE = (
    "No trained model was found, so predicted sources, explanations and model metrics are left "
    "out; credits are shown with their verified source where the ledger confirms one. Train a "
    "model with `cbclassify train LEDGER_DIR`."
)


@dataclass
class Scored:
    """Scoring output plus what explaining it needed."""

    scores: pd.DataFrame
    features: pd.DataFrame | None = None
    explanation: Any = None


def load_model(model: str | None, settings: Settings) -> Any:
    """A ``CreditSourceModel`` from a saved model folder or an MLflow URI (default: the
    registry's champion). Raises LookupError when there is none."""
    from cbclassify.model.classifier import PIPELINE_FILE, CreditSourceModel

    if model is not None and (Path(model) / PIPELINE_FILE).is_file():
        return CreditSourceModel.load(model)
    from cbclassify.model import tracking
    from cbclassify.model.registry import load_pyfunc, resolve_model_uri

    store = str(settings.resolved_tracking_uri)
    if (
        model is None
        and store.startswith("sqlite:///")
        and not Path(store[len("sqlite:///") :]).exists()
    ):
        raise LookupError(f"no model registry yet at {store}")  # nothing trained: do not create one
    tracking.configure(settings)
    loaded = load_pyfunc(resolve_model_uri(model, settings))
    return loaded.unwrap_python_model().model


def _verification_only(ledger: Ledger, when: pd.Timestamp) -> pd.DataFrame:
    """Scores without a model: each credit's verification, action and due date."""
    from cbclassify.resolve import verify_and_recommend
    from cbclassify.scoring import SCORE_MEMORY_COLUMNS

    credits = credit_balances(ledger, when)
    verified = verify_and_recommend(ledger, credits, as_of=when).set_index("claim_id")
    out = pd.DataFrame({"claim_id": credits["claim_id"].astype("string")})
    out["credit_amount_cents"] = credits["credit_amount_cents"].astype("Int64").to_numpy()
    for column in SCORE_MEMORY_COLUMNS:
        if column not in out.columns:
            out[column] = (
                out["claim_id"].map(verified[column]) if column in verified.columns else pd.NA
            )
    return out[list(SCORE_MEMORY_COLUMNS)]


def _fill_verification(ledger: Ledger, scores: pd.DataFrame, when: pd.Timestamp) -> pd.DataFrame:
    """Scores whose verification columns came back blank get them from ``resolve``."""
    if scores.empty or scores["verification"].notna().any():
        return scores
    from cbclassify.resolve import verify_and_recommend

    credits = credit_balances(ledger, when)
    predicted = scores.set_index("claim_id")["predicted_source"]
    verified = verify_and_recommend(ledger, credits, predicted=predicted, as_of=when).set_index(
        "claim_id"
    )
    out = scores.copy()
    for column in ("verification", "verified_source", "evidence", "recommended_action", "due_date"):
        out[column] = out["claim_id"].map(verified[column]).to_numpy()
    out["explained_amount_cents"] = (
        out["claim_id"].map(verified["explained_amount_cents"]).astype("Int64").to_numpy()
    )
    return out


def score_and_explain(
    ledger: Ledger, model: Any, when: pd.Timestamp, explain: bool = True
) -> Scored:
    """Score every credit, verify it, and (``explain``) explain its predicted source in words."""
    from cbclassify.features import credit_features
    from cbclassify.scoring import score_ledger

    scores = _fill_verification(ledger, score_ledger(ledger, model, as_of=when), when)
    if scores.empty or not explain:
        return Scored(scores)
    features = credit_features(ledger, scores[["claim_id"]].assign(as_of_date=when)).reset_index(
        drop=True
    )
    explainer = FastExplainer(model, class_names=CREDIT_SOURCES, threads=2)
    explanation = explainer.explain(
        features, predicted=scores["predicted_source"].astype(str).to_numpy()
    )
    scores = scores.assign(top_reasons=top_reasons(features, explanation).to_numpy())
    return Scored(scores, features, explanation)


def ledger_metrics(ledger: Ledger, model: Any) -> dict[str, Any] | None:
    """Metrics of ``model`` on the ledger's own resolved credits (None without labels)."""
    from cbclassify.features import credit_features
    from cbclassify.model.dataset import label_ids
    from cbclassify.model.labels import labelled_credits
    from cbclassify.model.metrics import evaluate

    if ledger.resolutions.empty:
        return None
    labels = labelled_credits(ledger)
    features = credit_features(ledger, labels[["claim_id", "as_of_date"]])
    proba = np.asarray(model.predict_proba(features), dtype="float64")
    label = (
        f"the {len(labels)} credits billers resolved in this ledger (in-sample if the model was "
        "trained on this ledger, so optimistic)"
    )
    return metrics_dict(evaluate(proba, label_ids(labels["label"])), label)


def root_cause_credits(
    ledger: Ledger, scores: pd.DataFrame, worklist: pd.DataFrame, when: pd.Timestamp
) -> pd.DataFrame:
    """Resolved credits plus open ones (verified, else predicted), open ones dated by the day
    they went into credit."""
    open_credits = credits_from_scores(scores, when)
    since = worklist.set_index("claim_id")["credit_since"]
    open_credits["date"] = (
        open_credits["claim_id"].map(since).fillna(pd.Timestamp(when)).astype("datetime64[ns]")
    )
    return combine_credits(credits_from_resolutions(ledger), open_credits)


def open_and_resolved(
    ledger: Ledger, model: Any | None, as_of: Any = None, explain: bool = True
) -> tuple[pd.Timestamp, pd.DataFrame, Scored, pd.DataFrame]:
    """(as-of date, worklist, scored open credits, credits for root causes) of a ledger."""
    when = resolve_as_of(ledger, as_of)
    worklist = build_worklist(ledger, when)
    if model is None:
        scored = Scored(_verification_only(ledger, when))
    else:
        scored = score_and_explain(ledger, model, when, explain=explain)
    return when, worklist, scored, root_cause_credits(ledger, scored.scores, worklist, when)


def gather(
    ledger: Ledger, model: Any | None, as_of: Any = None, ledger_name: str = ""
) -> ReportInputs:
    """Report inputs for a loaded ledger (and model, if any)."""
    from cbclassify.analytics import analyze, breakdown, findings

    when, worklist, scored, credits = open_and_resolved(ledger, model, as_of)
    data = analyze(ledger, credits)
    return ReportInputs(
        as_of=when,
        worklist=worklist,
        scores=scored.scores,
        findings=findings(data, top=15),
        analysed_credits=len(credits),
        rates={d: breakdown(data, d) for d in ("payer", "poster", "posting_method")},
        explanation=scored.explanation,
        explained_features=scored.features,
        explained_claims=list(scored.scores["claim_id"])
        if scored.explanation is not None
        else None,
        metrics=None if model is None else ledger_metrics(ledger, model),
        resolutions=ledger.resolutions,
        ledger_name=ledger_name,
        notes=[NO_MODEL_NOTE] if model is None else [],
    )
