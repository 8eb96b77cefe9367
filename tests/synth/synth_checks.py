"""Checks shared by the synth tests: the contract's balance rule applied to a practice."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cbclassify.balances import claim_balances
from cbclassify.contract.ledger import Ledger
from cbclassify.synth import SynthPractice


def balances_on(ledger: Ledger, day: object) -> pd.Series:
    """Claim balance (cents) by claim_id on ``day``, by the contract's balance rule."""
    return claim_balances(ledger, pd.Timestamp(day)).set_index("claim_id")["balance_cents"]


def only_claims(ledger: Ledger, claim_ids: pd.Series) -> Ledger:
    """The ledger restricted to some claims (their lines and postings), for fast balance checks."""
    keep = set(claim_ids)
    return ledger.with_table(
        "claim_lines", ledger.claim_lines[ledger.claim_lines["claim_id"].isin(keep)]
    ).with_table("transactions", ledger.transactions[ledger.transactions["claim_id"].isin(keep)])


def balances_at(ledger: Ledger, claim_ids: pd.Series, days: pd.Series) -> np.ndarray:
    """Balance of each (claim, day) pair, straight from the contract's rule: charges billed by the
    day, minus payments, adjustments and transfers posted by it, plus refunds posted by it."""
    pairs = pd.DataFrame({"claim_id": claim_ids.to_numpy(), "day": pd.to_datetime(days).to_numpy()})
    pairs["pair"] = np.arange(len(pairs))
    lines = pairs.merge(
        ledger.claim_lines[["claim_id", "billed_date", "charge_amount_cents"]], on="claim_id"
    )
    lines = lines[lines["billed_date"] <= lines["day"]]
    txns = ledger.transactions[["claim_id", "kind", "amount_cents", "posted_date"]]
    posted = pairs.merge(txns, on="claim_id")
    posted = posted[posted["posted_date"] <= posted["day"]]
    sign = (
        posted["kind"]
        .map({"payment": -1, "adjustment": -1, "transfer": -1, "refund": 1, "responsibility": 0})
        .astype("int64")
    )
    charge = lines.groupby("pair")["charge_amount_cents"].sum()
    moved = (posted["amount_cents"].astype("int64") * sign).groupby(posted["pair"]).sum()
    billed = pairs["pair"].isin(lines["pair"]).to_numpy()
    total = (
        charge.reindex(pairs["pair"], fill_value=0).to_numpy()
        + moved.reindex(pairs["pair"], fill_value=0).to_numpy()
    )
    return np.where(billed, total, 0).astype(np.int64)


def assert_truth_exact(practice: SynthPractice) -> None:
    """Every truth credit and every resolutions row is a real credit with its exact amount on its
    identified date; on the as-of date the credits are exactly the unresolved truth rows."""
    ledger, truth = practice.ledger, practice.truth
    on_day = balances_at(ledger, truth["claim_id"], truth["identified_date"])
    assert (on_day == -truth["credit_amount_cents"].to_numpy()).all(), (
        "truth credits differ on identified dates"
    )
    res = ledger.resolutions
    on_day = balances_at(ledger, res["claim_id"], res["identified_date"])
    assert (on_day == -res["amount_cents"].to_numpy()).all(), (
        "labelled credits differ on identified dates"
    )
    credit_claims = only_claims(ledger, truth["claim_id"])
    for day, rows in truth.drop_duplicates("identified_date").head(5).groupby("identified_date"):
        rule = balances_on(credit_claims, day).reindex(rows["claim_id"]).to_numpy()
        assert (rule == -rows["credit_amount_cents"].to_numpy()).all(), (
            f"claim_balances disagrees on {day}"
        )
    at_end = balances_on(ledger, ledger.default_as_of())
    credits = at_end[at_end < 0]
    open_truth = truth.loc[~truth["resolved"], ["claim_id", "credit_amount_cents"]].set_index(
        "claim_id"
    )["credit_amount_cents"]
    assert sorted(credits.index) == sorted(open_truth.index)
    assert (credits.reindex(open_truth.index).to_numpy() == -open_truth.to_numpy()).all()
    resolved = truth.loc[truth["resolved"], "claim_id"]
    assert (at_end.reindex(resolved) == 0).all()
