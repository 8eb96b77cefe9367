"""A request's ledger (the rows its builder hands over, ``contract.rows.RowLedger``) gives the
features of the same tables read as frames: the bundles built straight from the rows equal the
bundles of the frames' grouping pass."""

from __future__ import annotations

import pandas as pd
from request_rows import patient_request

from cbclassify.balances import credit_balances
from cbclassify.contract.ledger import Ledger
from cbclassify.contract.validate_rows import ledger_from_rows
from cbclassify.features import credit_features
from cbclassify.synth import SynthConfig, generate_practice


def test_handed_over_rows_give_the_features_of_the_frames() -> None:
    practice = generate_practice(SynthConfig(claims=400, seed=23)).ledger
    as_of = practice.default_as_of()
    checked = 0
    for claim_id in credit_balances(practice, as_of)["claim_id"].tolist()[:25]:
        ledger = ledger_from_rows(patient_request(practice, claim_id))
        assert ledger is not None and ledger.handed_rows("transactions") is not None
        frames = Ledger.from_frames(**{n: ledger.table(n) for n in ledger.table_names()})
        assert frames.handed_rows("transactions") is None
        credits = credit_balances(ledger, as_of)[["claim_id"]].assign(as_of_date=as_of)
        pd.testing.assert_frame_equal(
            credit_features(ledger, credits), credit_features(frames, credits), check_exact=True
        )
        checked += len(credits)
    assert checked >= 20  # (a transfer from another patient can leave a cut claim at zero)
