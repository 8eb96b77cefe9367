"""Classify-on-demand answers exactly the same whether the request's ledger holds its typed rows
(``contract.validate_rows``) or frames validated from text (``build_ledger``), end to end: the
one scoring path (bundles, features, model, reasons, verification) reads either."""

from __future__ import annotations

import pytest

import api.classify
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
        out.append(
            {
                "payers": _rows("payers", ledger.payers),
                "patients": _rows(
                    "patients", ledger.patients[ledger.patients["patient_id"] == patient]
                ),
                "claim_lines": _rows("claim_lines", lines[lines["claim_id"].isin(ids)]),
                "transactions": _rows("transactions", mine),
                "fee_schedule": _rows("fee_schedule", ledger.fee_schedule),
                "remittances": _rows(
                    "remittances", ledger.remittances[ledger.remittances["era_id"].isin(eras)]
                ),
                "as_of": as_of.date().isoformat(),
            }
        )
    return out


def test_rows_and_frames_answer_the_same(bodies, champion, monkeypatch) -> None:
    requests = [ClassifyIn.model_validate(b) for b in bodies]
    from_rows = [classify(r, champion).model_dump() for r in requests]
    assert all(out["credits"] for out in from_rows)
    monkeypatch.setattr(api.classify, "ledger_from_rows", lambda tables: None)
    assert [classify(r, champion).model_dump() for r in requests] == from_rows
