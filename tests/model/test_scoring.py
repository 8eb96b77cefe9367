"""score_ledger assembles the contract's scoring output from any loaded model."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from feature_ledgers import four_source_builder

from cbclassify.balances import credit_balances
from cbclassify.contract.schema import SCORE_COLUMNS
from cbclassify.scoring import (
    DETAIL_COLUMNS,
    SCORE_MEMORY_COLUMNS,
    WRITTEN_DETAIL_COLUMNS,
    contract_scores,
    score_ledger,
    write_scores,
)


class DuplicateSpotter:
    """A transparent model for these tests: duplicates where identical payments exist."""

    def predict_proba(self, features: pd.DataFrame) -> np.ndarray:
        dup = (features["identical_payer_payment_count"] > 0).to_numpy()
        proba = np.tile([0.4, 0.2, 0.2, 0.2], (len(features), 1))
        proba[dup] = [0.05, 0.85, 0.05, 0.05]
        return proba


@pytest.fixture
def ledger():
    return four_source_builder().build()


def test_one_row_per_credit_in_contract_order(ledger):
    scores = score_ledger(ledger, DuplicateSpotter(), as_of="2025-03-01")
    assert tuple(scores.columns) == SCORE_MEMORY_COLUMNS + DETAIL_COLUMNS
    credits = credit_balances(ledger, "2025-03-01")
    assert scores["claim_id"].tolist() == credits["claim_id"].tolist()
    assert scores["credit_amount_cents"].tolist() == credits["credit_amount_cents"].tolist()
    assert scores["patient_id"].tolist() == ["A", "B", "C", "D"]
    assert (scores["payer_id"] == "P1").all()
    row = scores.set_index("claim_id").loc["C1"]
    assert row["predicted_source"] == "duplicate_payment" and row["confidence"] == 0.85
    proba = scores[[c for c in scores.columns if c.startswith("p_")]].to_numpy()
    assert np.allclose(proba.sum(axis=1), 1.0)
    assert scores["top_reasons"].isna().all()


def test_contract_output_formats_money_and_blanks(ledger, tmp_path):
    scores = score_ledger(ledger, DuplicateSpotter(), as_of="2025-03-01")
    for column in ("verification", "explained_amount_cents", "due_date"):  # nothing verified
        scores[column] = pd.Series(pd.NA, index=scores.index, dtype=scores[column].dtype)
    assert scores["verification"].isna().all() and scores["explained_amount_cents"].isna().all()
    path = write_scores(scores, tmp_path / "out" / "predictions.csv")
    text = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert tuple(text.columns) == SCORE_COLUMNS + WRITTEN_DETAIL_COLUMNS
    assert text["credit_amount"].tolist() == ["80.00", "20.00", "50.00", "30.00"]
    assert (text["verification"] == "").all() and (text["due_date"] == "").all()
    assert float(text.loc[0, "confidence"]) == float(text.loc[0, "p_duplicate_payment"])


def test_a_ledger_without_credits_scores_to_an_empty_frame(ledger):
    scores = score_ledger(ledger, DuplicateSpotter(), as_of="2025-01-10")
    assert scores.empty and tuple(scores.columns) == SCORE_MEMORY_COLUMNS + DETAIL_COLUMNS
    assert tuple(contract_scores(scores).columns) == SCORE_COLUMNS + WRITTEN_DETAIL_COLUMNS


def test_predictions_csv_neutralizes_formula_cells(ledger, tmp_path):
    scores = score_ledger(ledger, DuplicateSpotter(), as_of="2025-03-01")
    scores["claim_id"] = scores["claim_id"].astype(object)
    scores.loc[0, "claim_id"] = "=1+2"
    scores.loc[1, "claim_id"] = "-42"  # a plain number stays as it is
    path = write_scores(scores, tmp_path / "predictions.csv")
    text = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert text["claim_id"].tolist()[:2] == ["'=1+2", "-42"]
    assert text["credit_amount"].tolist() == ["80.00", "20.00", "50.00", "30.00"]
