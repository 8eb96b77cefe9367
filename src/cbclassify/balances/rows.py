"""Claim balances and credits of a small ledger as plain dicts (one request's claims).

The single-claim path (classify-on-demand) reads these instead of frames: a pandas operation
on a frame of a few rows costs about a millisecond, the same sums in Python a few microseconds.
``balance_rows`` gives ``claim_balances``' rows (same order and values, tested); a request
ledger (``contract.rows.RowLedger``) is read from its rows, any other from its frames.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

from cbclassify.contract.enums import BALANCE_REDUCING_KINDS
from cbclassify.contract.ledger import Ledger

Row = dict[str, Any]
#: Credits as a credits frame (``credit_balances``) or as ``credit_balance_rows``.
Credits = pd.DataFrame | Sequence[Mapping[str, Any]]


def balance_rows(ledger: Ledger, cutoff: pd.Timestamp) -> list[Row]:
    """Per claim billed by ``cutoff``, in first-line order: claim_id, charge_cents,
    posted_cents (summed effect of its postings by ``cutoff``) and balance_cents."""
    charge: dict[str, int] = {}  # first appearance order, as groupby(sort=False)
    for claim, cents, billed in _line_charges(ledger, cutoff):
        if billed:
            charge[claim] = charge.get(claim, 0) + cents
    posted: dict[str, int] = {}
    for claim, kind, cents, on_time in _postings(ledger, cutoff):
        if on_time and claim in charge:
            effect = -cents if kind in BALANCE_REDUCING_KINDS else cents if kind == "refund" else 0
            posted[claim] = posted.get(claim, 0) + effect
    return [{"claim_id": c, "charge_cents": charge[c], "posted_cents": posted.get(c, 0),
             "balance_cents": charge[c] + posted.get(c, 0)} for c in charge]  # fmt: skip


def credit_balance_rows(balances: Iterable[Mapping[str, Any]]) -> list[Row]:
    """The credit rule on balance rows: balance <= -1 cent, plus ``credit_cents`` (= -balance),
    as ``credits_from_claim_balances`` does on frames."""
    return [
        {**b, "credit_cents": -b["balance_cents"]} for b in balances if b["balance_cents"] <= -1
    ]


def credit_pairs(credits: Credits) -> tuple[list[str], list[int]]:
    """Claim ids (text) and credit cents of ``credits``: a credits frame or ``credit_balance_rows``."""
    if isinstance(credits, pd.DataFrame):
        return ([str(c) for c in credits["claim_id"].tolist()],
                [int(a) for a in credits["credit_cents"].tolist()])  # fmt: skip
    return [str(c["claim_id"]) for c in credits], [int(c["credit_cents"]) for c in credits]


def _line_charges(ledger: Ledger, cutoff: pd.Timestamp) -> Iterable[tuple[str, int, bool]]:
    """(claim_id, charge cents, billed by ``cutoff``) per claim line, in ledger order."""
    rows = ledger.handed_rows("claim_lines")
    if rows is not None:  # blank as in the frame: no charge, never billed
        return ((r["claim_id"], r["charge_amount_cents"] or 0,
                 r["billed_date"] is not None and r["billed_date"] <= cutoff) for r in rows)  # fmt: skip
    lines = ledger.claim_lines
    return zip(
        lines["claim_id"].tolist(),
        lines["charge_amount_cents"].to_numpy(dtype="int64", na_value=0).tolist(),
        (lines["billed_date"].to_numpy() <= cutoff.to_datetime64()).tolist(),
        strict=True,
    )


def _postings(ledger: Ledger, cutoff: pd.Timestamp) -> Iterable[tuple[str, str, int, bool]]:
    """(claim_id, kind, amount cents, posted by ``cutoff``) per transaction, in ledger order."""
    rows = ledger.handed_rows("transactions")
    if rows is not None:
        return ((r["claim_id"], r["kind"], r["amount_cents"] or 0,
                 r["posted_date"] is not None and r["posted_date"] <= cutoff) for r in rows)  # fmt: skip
    txns = ledger.transactions
    return zip(
        txns["claim_id"].tolist(),
        txns["kind"].tolist(),
        txns["amount_cents"].to_numpy(dtype="int64", na_value=0).tolist(),
        (txns["posted_date"].to_numpy() <= cutoff.to_datetime64()).tolist(),
        strict=True,
    )
