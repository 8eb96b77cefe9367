"""Features of a request ledger read from the rows its builder hands over
(``contract.rows.remember``) equal the vectorized features read from its frames."""

from __future__ import annotations

import pandas as pd
from request_rows import patient_request

from cbclassify.balances import credit_balances
from cbclassify.contract.rows import remembered
from cbclassify.contract.validate_rows import ledger_from_rows
from cbclassify.features.build import credit_features_vectorized
from cbclassify.features.single import credit_features_small
from cbclassify.synth import SynthConfig, generate_practice


def test_handed_over_rows_give_the_vectorized_features():
    practice = generate_practice(SynthConfig(claims=400, seed=23)).ledger
    as_of = practice.default_as_of()
    checked = 0
    for claim_id in credit_balances(practice, as_of)["claim_id"].tolist()[:25]:
        ledger = ledger_from_rows(patient_request(practice, claim_id))
        assert ledger is not None and remembered(ledger.transactions) is not None
        credits = credit_balances(ledger, as_of)[["claim_id"]].assign(as_of_date=as_of)
        pd.testing.assert_frame_equal(
            credit_features_small(ledger, credits),
            credit_features_vectorized(ledger, credits),
            check_exact=True,
        )
        checked += len(credits)
    assert checked >= 20  # (a transfer from another patient can leave a cut claim at zero)
