"""A request's claim balances (each claim's bundle summed with the contract's balance rule)
are ``claim_balances``' rows: same claims, order and cents, from frames or a request's rows."""

from __future__ import annotations

import pandas as pd
import pytest
from request_rows import patient_request

from cbclassify.balances import claim_balances
from cbclassify.bundles import billed_claim_bundles
from cbclassify.contract.ledger import Ledger
from cbclassify.contract.validate_rows import ledger_from_rows
from cbclassify.synth import SynthConfig, generate_practice


@pytest.fixture(scope="module")
def practice() -> Ledger:
    return generate_practice(SynthConfig(claims=150, seed=41)).ledger


def bundle_balances(ledger: Ledger, as_of: pd.Timestamp) -> list[tuple[str, int, int]]:
    _, bundles = billed_claim_bundles(ledger, as_of.date())
    return [(b.claim_id, b.balance_cents, b.credit_amount_cents) for b in bundles]


def frame_balances(ledger: Ledger, as_of: pd.Timestamp) -> list[tuple[str, int, int]]:
    frame = claim_balances(ledger, as_of)
    cents = frame["balance_cents"].tolist()
    credits = [-c if c <= -1 else 0 for c in cents]
    return list(zip(frame["claim_id"].tolist(), cents, credits, strict=True))


def test_bundle_balances_are_the_claim_balances_on_several_dates(practice):
    first = practice.claim_lines["billed_date"].min()
    dates = [
        first - pd.Timedelta(days=1),
        first,
        first + pd.Timedelta(days=40),
        first + pd.Timedelta(days=120),
        practice.default_as_of(),
    ]
    for as_of in dates:
        assert bundle_balances(practice, as_of) == frame_balances(practice, as_of)
    assert any(credit > 0 for _, _, credit in bundle_balances(practice, dates[-1]))


def test_a_request_is_summed_from_its_rows(practice):
    for claim_id in practice.claim_lines["claim_id"].unique()[:20]:
        request = ledger_from_rows(patient_request(practice, claim_id))
        as_of = request.default_as_of()
        got = bundle_balances(request, as_of)
        assert request.built_tables() == []  # read from the handed-over rows
        assert got == frame_balances(request, as_of)
