"""Analyse a loaded ledger into storable cases: the worklist facts of every credit, the model's
prediction and the verification/recommendation, and each claim's ledger history.

With a model, ``scoring.score_ledger`` predicts, explains, verifies and recommends; without
one, ``resolve.verify_and_recommend`` verifies and recommends alone.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

from cbclassify.balances import credit_balances, resolve_as_of
from cbclassify.balances.worklist import build_worklist
from cbclassify.contract.enums import CREDIT_SOURCES
from cbclassify.contract.ledger import Ledger
from cbclassify.contract.money import format_cents_series
from cbclassify.contract.schema import TABLES
from cbclassify.ledger_io.write import to_contract_frame
from cbclassify.resolve import verify_and_recommend
from cbclassify.resolve.policy import Policy
from cbclassify.scoring import score_ledger
from cbclassify.store.ingest import CASE_COLUMNS, CASE_FACTS, AnalysedLedger, ModelRef

#: An as-of date as the service takes it (None: the ledger's latest posting date).
AsOf = pd.Timestamp | date | str | None

_SCORE_FACTS = (
    "predicted_source",
    "confidence",
    "verification",
    "verified_source",
    "explained_amount_cents",
    "evidence",
    "recommended_action",
    "due_date",
    "top_reasons",
)
_DETAIL_COLUMNS = (
    "statement",
    "review_reason",
    "disagreement",
    "ledger_source",
    "ledger_amount",
    "candidates",
)


def verification_only(ledger: Ledger, as_of: pd.Timestamp, policy: Policy | None) -> pd.DataFrame:
    """Verification and recommendation of every credit on ``as_of``, without a model (the
    scores' columns, ``credit_amount_cents``, ``explained_amount_cents``, ...)."""
    credits = credit_balances(ledger, as_of)
    return verify_and_recommend(ledger, credits, predicted=None, as_of=as_of, policy=policy)


def _verification_detail(scores: pd.DataFrame) -> pd.Series:
    """The verifier's statement and review reason per credit, where the scores carry them."""
    if "ledger_amount_cents" in scores.columns:
        scores = scores.assign(ledger_amount=format_cents_series(scores["ledger_amount_cents"]))
    present = [c for c in _DETAIL_COLUMNS if c in scores.columns]
    if not present:
        return pd.Series(None, index=scores.index, dtype=object)
    text = scores[present].astype("string")
    records = [
        {k: v for k, v in r.items() if isinstance(v, str) and v} for r in text.to_dict("records")
    ]
    return pd.Series([r or None for r in records], index=scores.index, dtype=object)


def _split(values: pd.Series) -> pd.Series:
    """``a;b;c`` text -> lists (blank -> empty list)."""
    text = values.astype("string").fillna("")
    return text.map(lambda s: [p for p in s.split(";") if p]).astype(object)


def _probabilities(scores: pd.DataFrame) -> pd.Series:
    columns = [f"p_{s}" for s in CREDIT_SOURCES]
    if not set(columns) <= set(scores.columns):
        return pd.Series(None, index=scores.index, dtype=object)
    probs = scores[columns].astype("float64").rename(columns=lambda c: c[2:])
    return pd.Series(probs.to_dict("records"), index=scores.index, dtype=object)


def ledger_history(ledger: Ledger, claim_ids: pd.Series) -> pd.Series:
    """Per claim: its claim lines and transactions in contract text form (for case detail)."""
    wanted = set(claim_ids)
    parts: dict[str, pd.Series] = {}
    for table in ("claim_lines", "transactions"):
        frame = ledger.table(table)
        frame = frame[frame["claim_id"].isin(wanted)]
        text = to_contract_frame(TABLES[table], frame)
        order = ["claim_id", "line_no"] if table == "claim_lines" else ["claim_id", "posted_date"]
        text = text.sort_values(order, kind="stable")
        parts[table] = text.groupby("claim_id", sort=False).apply(lambda g: g.to_dict("records"))
    return pd.Series(
        [{t: parts[t].get(c, []) for t in parts} for c in claim_ids],
        index=claim_ids.index,
        dtype=object,
    )


def analyse_ledger(
    ledger: Ledger,
    predictor: Any | None = None,
    model: ModelRef | None = None,
    as_of: AsOf = None,
    policy: Policy | None = None,
) -> AnalysedLedger:
    """Every credit of ``ledger`` on ``as_of`` with its facts, analysis and history."""
    when = resolve_as_of(ledger, as_of)
    worklist = build_worklist(ledger, when)
    cases = worklist.loc[:, list(CASE_FACTS)].copy()
    if predictor is not None:
        scores = score_ledger(ledger, predictor, as_of=when, policy=policy)
    else:
        scores = verification_only(ledger, when, policy)
        model = None
    if len(scores):
        keep = ["claim_id", *[c for c in _SCORE_FACTS if c in scores.columns]]
        extra = scores.loc[:, keep].assign(
            probabilities=_probabilities(scores), verification_detail=_verification_detail(scores)
        )
        cases = cases.merge(extra, on="claim_id", how="left", validate="one_to_one")
    for column in (*_SCORE_FACTS, "probabilities", "verification_detail"):
        if column not in cases.columns:
            cases[column] = None
    cases = cases.rename(columns={"explained_amount_cents": "explained_amount_cents"})
    cases["evidence"] = _split(cases["evidence"])
    cases["top_reasons"] = _split(cases["top_reasons"])
    cases["due_date"] = pd.to_datetime(cases["due_date"])
    cases["ledger_history"] = ledger_history(ledger, cases["claim_id"])
    as_of_date: date = when.date()
    return AnalysedLedger(as_of_date, cases.loc[:, list(CASE_COLUMNS)], model)
