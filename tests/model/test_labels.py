"""Labels: resolutions that cannot be labels are refused with file, row and column."""

from __future__ import annotations

import pandas as pd
import pytest
from feature_ledgers import four_source_builder

from cbclassify.contract.ledger import Ledger
from cbclassify.model.labels import LabelValidationError, labelled_credits


def with_resolutions(rows: list[dict]) -> Ledger:
    ledger = four_source_builder().build()
    base = {
        "action": "refund_payer",
        "amount_cents": 100,
        "resolved_date": pd.Timestamp("2025-03-01"),
        "resolved_by": "u1",
        "identified_date": pd.Timestamp("2025-02-10"),
    }
    res = pd.DataFrame([{**base, **r} for r in rows])
    return ledger.with_table("resolutions", Ledger.from_frames(resolutions=res).resolutions)


def test_good_labels_carry_their_date_and_credit():
    ledger = with_resolutions(
        [
            {"claim_id": "C2", "source": "payer_overpayment"},
            {"claim_id": "C4", "source": "patient_credit", "identified_date": pd.NaT},
        ]
    )
    labels = labelled_credits(ledger)
    assert labels["credit_amount_cents"].tolist() == [2000, 3000]
    assert labels["as_of_date"].tolist() == [pd.Timestamp("2025-02-10"), ledger.default_as_of()]
    assert labels["line"].tolist() == [2, 3]


def test_unknown_claim_and_non_credit_claim_are_errors_with_row_and_column():
    ledger = with_resolutions(
        [
            {"claim_id": "C2", "source": "payer_overpayment"},
            {"claim_id": "NOPE", "source": "payer_overpayment"},
            {"claim_id": "C5", "source": "allowance_error"},  # settled claim: no credit
            {
                "claim_id": "C1",
                "source": "duplicate_payment",
                "identified_date": pd.Timestamp("2025-01-20"),
            },
        ]
    )
    with pytest.raises(LabelValidationError) as err:
        labelled_credits(ledger, "practice/resolutions.csv")
    found = {(i.file, i.row, i.column) for i in err.value.issues}
    assert found == {
        ("practice/resolutions.csv", 3, "claim_id"),
        ("practice/resolutions.csv", 4, "identified_date"),
        ("practice/resolutions.csv", 5, "identified_date"),  # before the duplicate was posted
    }
    assert "no credit balance as of 2025-01-20" in str(err.value)
    assert "NOPE" not in str(err.value)  # no claim identifiers in messages


def test_no_resolutions_gives_no_labels():
    assert labelled_credits(four_source_builder().build()).empty
