"""The patient's and the payer's history up to each credit's date, over plain rows.

The same events as ``features.context`` (there: running totals read back with ``merge_asof``):
a patient's line charges from their billed date; each claim of the patient (the patient of its
last line in ledger order) from its first billed date, and its postings from the later of their
posted date and that date; a payer's payments by posted date. An event counts when its date is
on or before the credit's as-of date; events without a date never count.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from cbclassify.features.context import payer_context
from cbclassify.features.single_credits import balance_effect
from cbclassify.features.single_table import TableView

Row = dict[str, Any]
#: (date in ns, balance cents, claims) of one patient.
PatientEvent = tuple[int, int, int]


def patient_events(view: TableView, patients: set[str]) -> dict[str, list[PatientEvent]]:
    """The balance and claim-count events of each patient in ``patients``."""
    events: dict[str, list[PatientEvent]] = {p: [] for p in patients}
    if not patients:
        return events
    own_lines = view.rows("claim_lines", "patient_id", patients)
    for line in own_lines:
        if line["billed_date"] is not None:
            charge = line["charge_amount_cents"]
            events[line["patient_id"]].append((line["billed_date"], charge or 0, 0))
    patient_of: dict[str, Any] = {}
    first_billed: dict[str, int | None] = {}
    for line in view.rows("claim_lines", "claim_id", {r["claim_id"] for r in own_lines}):
        claim, billed = line["claim_id"], line["billed_date"]
        patient_of[claim] = line["patient_id"]  # the last line's patient
        known = first_billed.get(claim)
        first_billed[claim] = (
            billed if known is None or (billed is not None and billed < known) else known
        )
    claims = {c: p for c, p in patient_of.items() if p in patients}
    for claim, patient in claims.items():
        if first_billed[claim] is not None:
            events[patient].append((first_billed[claim], 0, 1))
    for row in view.rows("transactions", "claim_id", set(claims)):
        since, posted = first_billed[row["claim_id"]], row["posted_date"]
        if since is not None and posted is not None:
            effect = balance_effect(row["kind"], row["amount_cents"] or 0)
            events[claims[row["claim_id"]]].append((max(posted, since), effect, 0))
    return events


def patient_context_at(events: list[PatientEvent], as_of: int) -> Row:
    """``patient_claim_count`` and ``patient_balance_cents`` as of ``as_of``."""
    balance = claims = 0
    for day, cents, count in events:
        if day <= as_of:
            balance += cents
            claims += count
    return {"patient_claim_count": claims, "patient_balance_cents": balance}


#: (date in ns, payments, reversals, above reported allowed) of one payer payment.
PayerEvent = tuple[int, int, int, int]


def payer_events(view: TableView, payers: set[str]) -> dict[str, list[PayerEvent]]:
    """The payments of each payer in ``payers`` (``context.payer_context``'s events)."""
    events: dict[str, list[PayerEvent]] = {p: [] for p in payers}
    for row in view.rows("transactions", "payer_id", payers):
        if row["kind"] != "payment" or row["source"] != "payer" or row["posted_date"] is None:
            continue
        amount = 0 if row["amount_cents"] is None else row["amount_cents"]
        allowed = row["allowed_amount_cents"]
        above = amount > 0 and allowed is not None and amount > allowed
        event = (row["posted_date"], int(amount > 0), int(amount < 0), int(above))
        events[row["payer_id"]].append(event)
    return events


def payer_context_at(events: list[PayerEvent], as_of: int) -> Row:
    """``payer_history_*`` of one payer as of ``as_of`` (shares NaN before any payment)."""
    payments = reversals = above = 0
    for day, paid, reversed_, over in events:
        if day <= as_of:
            payments += paid
            reversals += reversed_
            above += over
    count = float(payments)
    return {
        "payer_history_payment_count": count,
        "payer_history_reversal_share": reversals / count if count > 0 else math.nan,
        "payer_history_above_reported_share": above / count if count > 0 else math.nan,
    }


def payer_contexts(view: TableView, payer_ids: list[str | None], as_ofs: list[int]) -> list[Row]:
    """``payer_history_*`` per credit (its primary payer, its date). A large ledger goes
    through ``context.payer_context`` itself: a payer's payments there may be many."""
    if not view.is_small("transactions"):
        claim = pd.DataFrame(
            {
                "payer_id": pd.array(payer_ids, dtype="string"),
                "as_of_date": np.array(as_ofs, dtype="int64").view("datetime64[ns]"),
            }
        )
        found = payer_context(view.ledger, claim)
        names = list(found.columns)
        return [
            {n: float(v) for n, v in zip(names, row, strict=True)}
            for row in found.itertuples(index=False)
        ]
    events = payer_events(view, {p for p in payer_ids if p is not None})
    return [
        payer_context_at(events[p] if p is not None else [], day)
        for p, day in zip(payer_ids, as_ofs, strict=True)
    ]
