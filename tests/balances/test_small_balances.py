"""``claim_balances`` on a small ledger (plain-Python sums) gives exactly the vectorized frame;
``claim_balance_rows`` and ``credit_balance_rows`` give its rows, from frames or a request's rows."""

from __future__ import annotations

import pandas as pd
import pytest
from request_rows import patient_request

from cbclassify.balances import balance
from cbclassify.balances.balance import (
    claim_balance_rows,
    claim_balances,
    credits_from_claim_balances,
)
from cbclassify.balances.rows import credit_balance_rows, credit_pairs
from cbclassify.contract.rows import records
from cbclassify.contract.validate_rows import ledger_from_rows
from cbclassify.synth import SynthConfig, generate_practice


def vectorized(ledger, as_of, monkeypatch) -> pd.DataFrame:
    with monkeypatch.context() as m:
        m.setattr(balance, "SMALL_LEDGER_ROWS", -1)
        return claim_balances(ledger, as_of)


@pytest.fixture(scope="module")
def practice():
    return generate_practice(SynthConfig(claims=150, seed=41)).ledger


def test_small_ledger_sums_equal_the_groupbys(practice, monkeypatch):
    assert len(practice.claim_lines) + len(practice.transactions) <= balance.SMALL_LEDGER_ROWS
    first = practice.claim_lines["billed_date"].min()
    dates = [first - pd.Timedelta(days=1), first, first + pd.Timedelta(days=40),
             first + pd.Timedelta(days=120), practice.default_as_of()]  # fmt: skip
    for as_of in dates:
        small = claim_balances(practice, as_of)
        pd.testing.assert_frame_equal(small, vectorized(practice, as_of, monkeypatch))
    assert (claim_balances(practice, dates[-1])["balance_cents"] < 0).any()  # credits included


def test_each_patient_ledger_equals_the_groupbys(practice, monkeypatch):
    lines, txns = practice.claim_lines, practice.transactions
    for patient in lines["patient_id"].unique()[:25]:
        claims = set(lines.loc[lines["patient_id"] == patient, "claim_id"])
        small = practice.with_table(
            "claim_lines", lines[lines["claim_id"].isin(claims)]
        ).with_table("transactions", txns[txns["claim_id"].isin(claims)])
        as_of = practice.default_as_of()
        pd.testing.assert_frame_equal(
            claim_balances(small, as_of), vectorized(small, as_of, monkeypatch)
        )


def test_balance_and_credit_rows_equal_the_frames(practice, monkeypatch):
    as_of = practice.default_as_of()
    frame = vectorized(practice, as_of, monkeypatch)
    rows = claim_balance_rows(practice, as_of)
    assert rows == records(frame)
    credits = credit_balance_rows(rows)
    assert credits == records(credits_from_claim_balances(frame)) and credits
    assert all(type(r["credit_cents"]) is int and r["credit_cents"] >= 1 for r in credits)
    assert credit_pairs(credits) == credit_pairs(credits_from_claim_balances(frame))
    with monkeypatch.context() as m:  # a big ledger: the same rows from the groupbys
        m.setattr(balance, "SMALL_LEDGER_ROWS", -1)
        assert claim_balance_rows(practice, as_of) == rows


def test_a_request_ledger_is_summed_from_its_rows(practice, monkeypatch):
    lines = practice.claim_lines
    for claim_id in lines["claim_id"].unique()[:20]:
        request = ledger_from_rows(patient_request(practice, claim_id))
        as_of = request.default_as_of()
        rows = claim_balance_rows(request, as_of)
        assert request.built_tables() == []  # read from the handed-over rows
        assert rows == records(vectorized(request, as_of, monkeypatch))
