"""``service.analysis.analyse_ledger``: the cases of a ledger as the store keeps them, with a
model (prediction, verification, recommendation) and without one (verification and
recommendation only)."""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd
from ledger_factory import tiny_ledger

from cbclassify.contract.enums import CREDIT_SOURCES
from cbclassify.service.analysis import analyse_ledger
from cbclassify.store.ingest import CASE_COLUMNS, ModelRef

REF = ModelRef("credit-source", "7", "run-1")
SHARES = np.array([0.1, 0.2, 0.3, 0.4])


class FixedModel:
    """Predicts the same probabilities for every credit (not a tree model: no SHAP reasons)."""

    def predict_proba(self, features: pd.DataFrame) -> np.ndarray:
        return np.tile(SHARES, (len(features), 1))


def _verified(case: dict[str, Any]) -> None:
    """CL2's credit of 20.00: the copay paid twice, confirmed as a patient credit."""
    assert case["claim_id"] == "CL2" and case["credit_amount_cents"] == 2000
    assert case["credit_since"] == pd.Timestamp("2024-02-02")
    assert case["verification"] == "confirmed" and case["verified_source"] == "patient_credit"
    assert case["explained_amount_cents"] == 2000 and list(case["evidence"]) == ["T11", "T12"]
    assert case["recommended_action"] == "refund_patient"
    assert case["due_date"] == pd.Timestamp("2024-03-31")
    assert "patient credit" in case["verification_detail"]["statement"]
    history = case["ledger_history"]
    assert [line["line_no"] for line in history["claim_lines"]] == ["1"]
    assert [t["txn_id"] for t in history["transactions"]] == ["T11", "T08", "T09", "T10", "T12"]


def test_without_a_model_credits_are_verified_not_predicted() -> None:
    analysed = analyse_ledger(tiny_ledger(), model=REF)
    assert analysed.as_of == date(2024, 3, 1) and analysed.model is None
    assert tuple(analysed.cases.columns) == CASE_COLUMNS and len(analysed.cases) == 1
    (case,) = analysed.cases.to_dict("records")
    _verified(case)
    assert case["predicted_source"] is None and case["confidence"] is None
    assert list(case["top_reasons"]) == []


def test_with_a_model_credits_are_predicted_and_verified() -> None:
    analysed = analyse_ledger(tiny_ledger(), FixedModel(), REF)
    assert analysed.model == REF
    (case,) = analysed.cases.to_dict("records")
    _verified(case)
    assert case["probabilities"] == dict(zip(CREDIT_SOURCES, SHARES, strict=True))
    assert case["predicted_source"] == CREDIT_SOURCES[3] and case["confidence"] == SHARES[3]
