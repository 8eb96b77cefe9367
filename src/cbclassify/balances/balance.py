"""The contract's balance rule, vectorized and exact (integer cents).

``balance = sum(charge) - sum(payment, adjustment, transfer) + sum(refund)``; responsibility rows
do not move the balance. A credit balance is a claim whose balance is below -0.005, i.e. at most
-1 cent, on the as-of date.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from cbclassify.contract.balance_rule import balance_effects
from cbclassify.contract.ledger import Ledger


def resolve_as_of(ledger: Ledger, as_of: pd.Timestamp | date | str | None) -> pd.Timestamp:
    """``as_of`` as a Timestamp; None means the ledger's latest posted_date."""
    return ledger.default_as_of() if as_of is None else pd.Timestamp(as_of).normalize()


def ledger_as_of(ledger: Ledger, as_of: pd.Timestamp | date | str | None = None) -> Ledger:
    """The ledger as it stood at the end of ``as_of``: later postings and charges removed."""
    cutoff = resolve_as_of(ledger, as_of)
    txns = ledger.transactions
    lines = ledger.claim_lines
    return ledger.with_table("transactions", txns[txns["posted_date"] <= cutoff]).with_table(
        "claim_lines", lines[lines["billed_date"] <= cutoff]
    )


def signed_balance_effect(transactions: pd.DataFrame) -> pd.Series:
    """Per transaction, its effect on the balance in cents (int64): -amount for payment,
    adjustment and transfer; +amount for refund; 0 for responsibility
    (``contract.balance_effects``)."""
    effect = balance_effects(transactions["kind"], transactions["amount_cents"])
    return pd.Series(effect, index=transactions.index, name="effect_cents")


def claim_balances(ledger: Ledger, as_of: pd.Timestamp | str | None = None) -> pd.DataFrame:
    """Balance per claim as of a date.

    Returns one row per claim billed by ``as_of``: claim_id, charge_amount_cents, posted_cents (the
    summed effect of postings, negative when money came in), balance_cents (all int64).
    """
    current = ledger_as_of(ledger, as_of)
    charges = (
        current.claim_lines.groupby("claim_id", sort=False, observed=True)["charge_amount_cents"]
        .sum()
        .astype("int64")
        .rename("charge_amount_cents")
    )
    txns = current.transactions
    posted = (
        signed_balance_effect(txns)
        .groupby(txns["claim_id"].array, sort=False)  # pyarrow keys, no boxing
        .sum()
        .rename("posted_cents")
    )
    out = charges.to_frame().join(posted, how="left")
    out["posted_cents"] = out["posted_cents"].fillna(0).astype("int64")
    out["balance_cents"] = (out["charge_amount_cents"] + out["posted_cents"]).astype("int64")
    out.index.name = "claim_id"
    return out.reset_index()


def line_balances(ledger: Ledger, as_of: pd.Timestamp | str | None = None) -> pd.DataFrame:
    """Balance per claim line as of a date, for the claims billed by then (as
    ``claim_balances``: a copay taken before the claim is billed is not yet a balance);
    claim-level postings (blank line_no) are reported on a pseudo-line with line_no NA so that
    lines still sum to the claim balance."""
    current = ledger_as_of(ledger, as_of)
    keys = ["claim_id", "line_no"]
    charges = current.claim_lines[keys + ["charge_amount_cents"]].copy()
    charges["charge_amount_cents"] = charges["charge_amount_cents"].astype("int64")
    txns = current.transactions
    effect = txns[keys].assign(posted_cents=signed_balance_effect(txns))
    posted = effect.groupby(keys, dropna=False, sort=False)["posted_cents"].sum().reset_index()
    out = charges.merge(posted, on=keys, how="outer")
    billed = out["claim_id"].isin(current.claim_lines["claim_id"].unique()).to_numpy(bool)
    out = out[billed].reset_index(drop=True)
    out["charge_amount_cents"] = out["charge_amount_cents"].fillna(0).astype("int64")
    out["posted_cents"] = out["posted_cents"].fillna(0).astype("int64")
    out["balance_cents"] = out["charge_amount_cents"] + out["posted_cents"]
    return out


def credit_balances(ledger: Ledger, as_of: pd.Timestamp | str | None = None) -> pd.DataFrame:
    """Claims carrying a credit balance as of a date: claim_balances rows with balance <= -1
    cent, plus ``credit_amount_cents`` (= -balance, positive int64)."""
    return credits_from_claim_balances(claim_balances(ledger, as_of))


def credits_from_claim_balances(balances: pd.DataFrame) -> pd.DataFrame:
    """The credit rule applied to ``claim_balances`` output: rows with balance <= -1 cent, plus
    ``credit_amount_cents`` (= -balance, positive int64). Lets callers that already hold every claim's
    balance (e.g. the worklist) select credits without recomputing."""
    credits = balances[balances["balance_cents"] <= -1].copy()
    credits["credit_amount_cents"] = (-credits["balance_cents"]).astype("int64")
    return credits.reset_index(drop=True)
