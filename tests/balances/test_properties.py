"""Properties of the balance rule and the worklist on random small ledgers (hypothesis)."""

from __future__ import annotations

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cbclassify.balances import build_worklist, claim_balances, credit_balances, line_balances
from cbclassify.contract.enums import TXN_KINDS
from cbclassify.contract.ledger import Ledger

START = pd.Timestamp("2024-01-01")
DAYS = 40


@st.composite
def ledgers(draw: st.DrawFn) -> Ledger:
    """1-4 claims of 1-3 lines billed on random days, and up to 14 random postings (any kind,
    claim- or line-level, reversals included) on random days."""
    lines = []
    for c in range(draw(st.integers(1, 4))):
        for n in range(1, draw(st.integers(1, 3)) + 1):
            lines.append(
                {
                    "claim_id": f"C{c}",
                    "line_no": n,
                    "patient_id": f"P{c % 2}",
                    "payer_id": None,
                    "location_id": "L1",
                    "provider_id": "R1",
                    "cpt": "97110",
                    "units": 1,
                    "service_date": START,
                    "billed_date": START + pd.Timedelta(days=draw(st.integers(0, DAYS))),
                    "charge_amount_cents": draw(st.integers(1, 30_000)),
                }
            )
    txns = []
    for i in range(draw(st.integers(0, 14))):
        target = draw(st.sampled_from(lines))
        txns.append(
            {
                "txn_id": f"T{i}",
                "claim_id": target["claim_id"],
                "line_no": draw(st.sampled_from([None, target["line_no"]])),
                "kind": draw(st.sampled_from(TXN_KINDS)),
                "source": "patient",
                "amount_cents": draw(st.integers(-20_000, 80_000)),
                "method": "cash",
                "posted_date": START + pd.Timedelta(days=draw(st.integers(0, DAYS))),
                "posted_by": "x",
            }
        )
    return Ledger.from_frames(
        payers=pd.DataFrame({"payer_id": ["X"], "payer_name": ["X"], "payer_type": ["other"]}),
        patients=pd.DataFrame({"patient_id": ["P0", "P1"], "state": ["PA", "PA"]}),
        claim_lines=pd.DataFrame(lines),
        transactions=pd.DataFrame(txns) if txns else pd.DataFrame(columns=["txn_id"]),
    )


as_of_days = st.integers(0, DAYS + 5).map(lambda d: START + pd.Timedelta(days=d))
_settings = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_settings
@given(ledger=ledgers(), as_of=as_of_days)
def test_claim_balance_is_the_sum_of_its_line_balances(ledger: Ledger, as_of) -> None:
    claims = claim_balances(ledger, as_of).set_index("claim_id")["balance_cents"]
    lines = line_balances(ledger, as_of)
    per_claim = lines.groupby("claim_id")["balance_cents"].sum()
    # the same claims (billed by as_of: earlier postings of a later claim are not a balance yet)
    assert set(per_claim.index) == set(claims.index)
    assert per_claim.reindex(claims.index).astype("int64").tolist() == claims.tolist()


@_settings
@given(ledger=ledgers(), as_of=as_of_days)
def test_credit_is_minus_the_balance_and_the_worklist_lists_every_credit(ledger, as_of) -> None:
    balances = claim_balances(ledger, as_of).set_index("claim_id")["balance_cents"]
    credits = credit_balances(ledger, as_of).set_index("claim_id")
    assert set(credits.index) == set(balances[balances <= -1].index)
    assert (credits["credit_amount_cents"] == -credits["balance_cents"]).all()
    assert (credits["credit_amount_cents"] > 0).all()
    worklist = build_worklist(ledger, as_of).set_index("claim_id")
    assert worklist["credit_amount_cents"].to_dict() == credits["credit_amount_cents"].to_dict()


def _is_credit(ledger: Ledger, claim_id: str, day: pd.Timestamp) -> bool:
    return claim_id in set(credit_balances(ledger, day)["claim_id"])


@_settings
@given(ledger=ledgers(), as_of=as_of_days, pick=st.floats(0, 1))
def test_credit_since_starts_the_unbroken_credit_run(ledger, as_of, pick) -> None:
    worklist = build_worklist(ledger, as_of)
    for row in worklist.itertuples():
        since = row.credit_since
        assert row.age_days == (as_of - since).days >= 0
        assert _is_credit(ledger, row.claim_id, since)
        assert not _is_credit(ledger, row.claim_id, since - pd.Timedelta(days=1))
        between = since + pd.Timedelta(days=int(pick * row.age_days))
        assert _is_credit(ledger, row.claim_id, between)
