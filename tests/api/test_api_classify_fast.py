"""Classify-on-demand answers exactly the same with and without the single-claim paths
(``balances`` small sums, ``features.single``, ``scoring_small``, LightGBM's own TreeSHAP for a
few rows, ``verify.single``/``resolve.single``), end to end. (A request's ledger has one
validation, ``contract.validate_rows``: the file rules; tests/contract/test_validate_rows.py.)"""

from __future__ import annotations

import pytest

import api.classify
import cbclassify.balances.balance
import cbclassify.explain.explainer
import cbclassify.features.single
import cbclassify.resolve.pipeline
from api.classify import classify
from api.schemas_classify import ClassifyIn
from cbclassify.balances import credit_balances
from cbclassify.contract.schema import TABLES
from cbclassify.ledger_io.write import to_contract_frame
from cbclassify.synth import SynthConfig, generate_practice


def _rows(table: str, frame) -> list[dict]:
    text = to_contract_frame(TABLES[table], frame)
    return [{k: v for k, v in r.items() if v != ""} for r in text.to_dict("records")]


@pytest.fixture(scope="module")
def bodies() -> list[dict]:
    """Requests for credit claims of a synthetic practice, each with the patient's claims."""
    ledger = generate_practice(SynthConfig(claims=300, seed=3)).ledger
    as_of = ledger.default_as_of()
    lines, txns = ledger.claim_lines, ledger.transactions
    out = []
    for claim_id in credit_balances(ledger, as_of)["claim_id"][:4]:
        patient = lines.loc[lines["claim_id"] == claim_id, "patient_id"].iloc[0]
        ids = set(lines.loc[lines["patient_id"] == patient, "claim_id"])
        mine = txns[txns["claim_id"].isin(ids)]
        eras = set(mine["era_id"].dropna())
        out.append({
            "payers": _rows("payers", ledger.payers),
            "patients": _rows("patients", ledger.patients[ledger.patients["patient_id"] == patient]),
            "claim_lines": _rows("claim_lines", lines[lines["claim_id"].isin(ids)]),
            "transactions": _rows("transactions", mine),
            "fee_schedule": _rows("fee_schedule", ledger.fee_schedule),
            "remittances": _rows("remittances", ledger.remittances[ledger.remittances["era_id"].isin(eras)]),
            "as_of": as_of.date().isoformat(),
        })  # fmt: skip
    return out


def test_fast_and_vectorized_paths_answer_the_same(bodies, champion, monkeypatch) -> None:
    requests = [ClassifyIn.model_validate(b) for b in bodies]
    assert api.classify.can_score_small(champion.predictor, 1)  # the small path is taken
    fast = [classify(r, champion).model_dump() for r in requests]
    assert all(out["credits"] for out in fast)
    monkeypatch.setattr(cbclassify.resolve.pipeline, "SMALL_CREDITS", 0)
    monkeypatch.setattr(api.classify, "can_score_small", lambda model, count: False)
    monkeypatch.setattr(cbclassify.features.single, "SMALL_FEATURE_CREDITS", 0)
    monkeypatch.setattr(cbclassify.balances.balance, "SMALL_LEDGER_ROWS", -1)
    monkeypatch.setattr(cbclassify.explain.explainer, "SMALL_BATCH_ROWS", 0)
    assert [classify(r, champion).model_dump() for r in requests] == fast
