"""Since when a claim has carried its credit balance, vectorized over all credit claims.

The claim's balance is replayed day by day: each claim line's charge enters on its billed_date,
each posting's balance effect (``signed_balance_effect``) on its posted_date. ``credit_since`` is the
first day of the final unbroken run of days whose end-of-day balance is a credit (<= -1 cent) that
lasts up to the as-of date. End-of-day balances make the result independent of the order of
postings within one day. A credit cannot be older than its claim, so the date is never earlier
than the claim's first billed_date (before it the claim is not in the ledger as of that date).

Invariant (tested): the claim is a credit on every day from credit_since to as-of, and was not a
credit (or not yet billed) on the day before credit_since.
"""

from __future__ import annotations

from typing import cast

import numpy as np
import pandas as pd

from cbclassify.balances.balance import signed_balance_effect
from cbclassify.balances.keys import member_mask
from cbclassify.contract.ledger import Ledger

#: A balance at or below this many cents is a credit (the contract's "below -0.005").
CREDIT_THRESHOLD_CENTS = -1


def _daily_events(current: Ledger, claim_ids: pd.Index) -> pd.DataFrame:
    """Charges and postings of ``claim_ids`` as (claim_id, date, delta_cents, is_charge) rows."""
    lines = current.claim_lines
    lines = lines[member_mask(lines["claim_id"], claim_ids)]
    txns = current.transactions
    txns = txns[member_mask(txns["claim_id"], claim_ids)]
    charges = pd.DataFrame(
        {
            "claim_id": lines["claim_id"].to_numpy(),
            "date": lines["billed_date"].to_numpy(),
            "delta_cents": lines["charge_amount_cents"].to_numpy(dtype="int64"),
            "is_charge": True,
        }
    )
    postings = pd.DataFrame(
        {
            "claim_id": txns["claim_id"].to_numpy(),
            "date": txns["posted_date"].to_numpy(),
            "delta_cents": signed_balance_effect(txns).to_numpy(),
            "is_charge": False,
        }
    )
    return pd.concat([charges, postings], ignore_index=True)


def credit_since(current: Ledger, claim_ids: pd.Series | pd.Index) -> pd.Series:
    """The date each claim's current credit run began (datetime64, indexed by claim_id).

    ``current`` must already be cut to the as-of date (``balance.ledger_as_of``) and every claim in
    ``claim_ids`` must be a credit as of that date; a claim whose replayed end balance is not a
    credit raises ValueError (it would mean the caller passed a non-credit claim).
    """
    ids = pd.Index(pd.unique(pd.Series(claim_ids).to_numpy()), name="claim_id")
    if ids.empty:
        return pd.Series([], index=ids, dtype="datetime64[ns]", name="credit_since")
    events = _daily_events(current, ids)
    daily = events.groupby(["claim_id", "date"], sort=True)["delta_cents"].sum()
    index = cast(pd.MultiIndex, daily.index)  # grouped by two keys
    claim_codes = index.codes[0]
    running = daily.groupby(level="claim_id", sort=False).cumsum().to_numpy()
    in_credit = running <= CREDIT_THRESHOLD_CENTS

    position = np.arange(len(daily))
    last_not_credit = (
        pd.Series(np.where(in_credit, -1, position)).groupby(claim_codes, sort=True).max()
    )
    first_position = pd.Series(position).groupby(claim_codes, sort=True).min()
    last_position = pd.Series(position).groupby(claim_codes, sort=True).max()
    if not in_credit[last_position.to_numpy()].all():
        raise ValueError("credit_since was given claims that are not credits as of the date")
    start = np.where(
        last_not_credit.to_numpy() >= 0, last_not_credit.to_numpy() + 1, first_position.to_numpy()
    )
    dates = daily.index.get_level_values("date").to_numpy()[start]
    claims = index.levels[0][last_not_credit.index.to_numpy()]
    since = pd.Series(dates, index=pd.Index(claims, name="claim_id"), name="credit_since")

    first_billed = events.loc[events["is_charge"]].groupby("claim_id", sort=False)["date"].min()
    first_billed = first_billed.reindex(since.index)
    since = since.where(since >= first_billed, first_billed)
    return since.reindex(ids).astype("datetime64[ns]").rename("credit_since")
