"""Small, realistic report inputs made by hand (no ledger, no model needed)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cbclassify.balances.worklist import WORKLIST_COLUMNS
from cbclassify.contract.enums import CREDIT_SOURCES
from cbclassify.explain import Explanation
from cbclassify.features import CATEGORICAL_FEATURES, FEATURE_NAMES, VOCABULARY
from cbclassify.model.metrics import evaluate
from cbclassify.reports import ReportInputs, metrics_dict
from cbclassify.scoring import SCORE_MEMORY_COLUMNS

AS_OF = pd.Timestamp("2025-06-30")
ACTIONS = {
    "payer_overpayment": "refund_payer",
    "duplicate_payment": "reverse_posting",
    "allowance_error": "correct_adjustment",
    "patient_credit": "refund_patient",
}


def worklist(n: int = 24, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    age = rng.integers(3, 400, size=n)
    frame = pd.DataFrame(
        {
            "claim_id": [f"{i:09d}" for i in range(100, 100 + n)],
            "patient_id": [f"P{i % 9:05d}" for i in range(n)],
            "payer_id": rng.choice(["MCR", "BCX", "AET"], size=n),
            "secondary_payer_id": pd.NA,
            "location_id": rng.choice(["LOC1", "LOC2"], size=n),
            "provider_id": rng.choice(["PRV1", "PRV2", "PRV3"], size=n),
            "first_service_date": AS_OF - pd.to_timedelta(age + 40, unit="D"),
            "last_service_date": AS_OF - pd.to_timedelta(age + 40, unit="D"),
            "charge_amount_cents": rng.integers(10_000, 40_000, size=n),
            "credit_amount_cents": rng.integers(500, 25_000, size=n),
            "credit_since": AS_OF - pd.to_timedelta(age, unit="D"),
            "age_days": age,
            "last_posted_date": AS_OF - pd.to_timedelta(age, unit="D"),
            "patient_open_balance_cents": 0,
            "patient_open_claims": 0,
            "patient_other_credits": 0,
        }
    )
    frame["payer_name"] = frame["payer_id"].map(
        {"MCR": "Medicare Part B", "BCX": "Blue Cross", "AET": "Aetna"}
    )
    frame["payer_type"] = frame["payer_id"].map(
        {"MCR": "medicare", "BCX": "commercial", "AET": "commercial"}
    )
    return frame[list(WORKLIST_COLUMNS)]


def scores(work: pd.DataFrame, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed + 1)
    n = len(work)
    proba = rng.dirichlet(np.ones(4) * 0.6, size=n)
    predicted = np.asarray(CREDIT_SOURCES)[proba.argmax(axis=1)]
    confirmed = rng.random(n) < 0.7
    out = pd.DataFrame(
        {
            "claim_id": work["claim_id"],
            "patient_id": work["patient_id"],
            "payer_id": work["payer_id"],
            "credit_amount_cents": work["credit_amount_cents"].astype("Int64"),
            "predicted_source": predicted,
            "confidence": proba.max(axis=1),
            **{f"p_{s}": proba[:, i] for i, s in enumerate(CREDIT_SOURCES)},
            "verification": np.where(confirmed, "confirmed", "inconclusive"),
            "verified_source": pd.Series(predicted).where(confirmed).to_numpy(),
            "explained_amount_cents": work["credit_amount_cents"].where(confirmed).astype("Int64"),
            "evidence": ["T1;T2"] * n,
            "recommended_action": pd.Series([ACTIONS[s] for s in predicted])
            .where(confirmed)
            .to_numpy(),
            "due_date": (AS_OF + pd.to_timedelta(rng.integers(-20, 90, size=n), unit="D")).where(
                confirmed
            ),
            "top_reasons": "",
        }
    )
    return out[list(SCORE_MEMORY_COLUMNS)]


def features_and_explanation(sc: pd.DataFrame, seed: int = 0) -> tuple[pd.DataFrame, Explanation]:
    rng = np.random.default_rng(seed + 2)
    n, names = len(sc), list(FEATURE_NAMES)
    feats = pd.DataFrame(rng.gamma(2.0, 40.0, size=(n, len(names))).round(2), columns=names)
    for name in CATEGORICAL_FEATURES:
        feats[name] = rng.choice(VOCABULARY[name][:3], size=n)
    contributions = rng.normal(0, 0.3, size=(n, len(names)))
    predicted = np.array([CREDIT_SOURCES.index(s) for s in sc["predicted_source"]])
    for k, feature in enumerate(
        (
            "payer_paid_minus_contracted_allowed_usd",
            "identical_payer_payment_count",
            "co45_adjustment_usd",
            "patient_paid_minus_responsibility_usd",
        )
    ):
        contributions[predicted == k, names.index(feature)] += 2.0
    explanation = Explanation(
        tuple(names), tuple(CREDIT_SOURCES), predicted, contributions, np.full(n, -1.2)
    )
    return feats, explanation


def findings() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "rank": [1, 2],
            "source": ["allowance_error", "duplicate_payment"],
            "dimension": ["poster", "payer_month"],
            "value": ["fd-03", "Aetna|2025-03"],
            "finding": [
                "Manual postings by user fd-03 account for 41% of allowance errors (9 credits; 120.0 per 1,000 claims they posted on, 9.8x the rate elsewhere)",
                "Aetna: payments were counted twice 12 times in March 2025 (6.1x the rate elsewhere)",
            ],
            "credits": [9, 12],
            "credit_amount_cents": [120_000, 98_000],
            "share_of_source": [0.41, 0.3],
            "claims": [75, 140],
            "rate_per_1000": [120.0, 85.7],
            "rest_rate_per_1000": [12.2, 14.0],
            "lift": [9.8, 6.1],
            "score": [6.2, 4.4],
            "evidence_claims": [
                ";".join(f"{i:09d}" for i in range(9)),
                ";".join(f"{i:09d}" for i in range(20, 32)),
            ],
        }
    )


def payer_rates() -> pd.DataFrame:
    """Shaped like ``analytics.breakdown(data, "payer")``."""
    table = pd.DataFrame(
        {"claims": [400, 250], "credits": [12, 5], "credit_amount_cents": [90_000, 30_000]},
        index=pd.Index(["Aetna", "Medicare Part B"], name="payer"),
    )
    for i, source in enumerate(CREDIT_SOURCES):
        table[source] = [3 + i, i]
        table[f"{source}_per_1000"] = (1000 * table[source] / table["claims"]).round(2)
    return table


def resolutions() -> pd.DataFrame:
    actions = [
        "refund_payer",
        "payer_offset",
        "reverse_posting",
        "correct_adjustment",
        "refund_patient",
        "apply_to_balance",
    ]
    return pd.DataFrame(
        {
            "claim_id": [f"R{i:03d}" for i in range(12)],
            "source": "allowance_error",
            "action": [actions[i % 6] for i in range(12)],
            "amount_cents": [1_000 * (i + 1) for i in range(12)],
            "resolved_date": pd.to_datetime([f"2025-0{1 + i % 5}-15" for i in range(12)]),
            "resolved_by": "mgr",
            "identified_date": pd.NaT,
        }
    )


def metrics() -> dict:
    rng = np.random.default_rng(4)
    y = rng.integers(0, 4, size=80)
    proba = rng.dirichlet(np.ones(4), size=80)
    proba[np.arange(80), y] += 1.0
    return metrics_dict(
        evaluate(proba / proba.sum(axis=1, keepdims=True), y), "80 labelled credits in this ledger"
    )


def full_inputs() -> ReportInputs:
    work = worklist()
    sc = scores(work)
    feats, explanation = features_and_explanation(sc)
    return ReportInputs(
        as_of=AS_OF,
        worklist=work,
        scores=sc,
        findings=findings(),
        analysed_credits=64,
        explanation=explanation,
        explained_features=feats,
        explained_claims=list(sc["claim_id"]),
        metrics=metrics(),
        resolutions=resolutions(),
        ledger_name="demo-practice",
        rates={"payer": payer_rates()},
    )


def empty_inputs() -> ReportInputs:
    return ReportInputs(
        as_of=AS_OF, worklist=worklist(0), notes=["No model found: predictions are missing."]
    )
