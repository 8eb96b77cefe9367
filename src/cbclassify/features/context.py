"""The patient's and the payer's history up to each credit's as-of date.

Both are running totals over the whole ledger (cumulative sums per patient or payer, sorted by
date) read back at each credit's date with ``merge_asof``: no per-credit loops, and nothing
after the as-of date counts.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cbclassify.balances import signed_balance_effect
from cbclassify.contract.ledger import Ledger
from cbclassify.features.history import KEY, as_cents


def _as_of_lookup(
    credits: pd.DataFrame, events: pd.DataFrame, by: str, columns: list[str]
) -> pd.DataFrame:
    """Running totals of ``columns`` per ``by`` at each credit's as_of_date (0 before any)."""
    key_dtype = "int64" if pd.api.types.is_integer_dtype(events[by]) else "string"
    events = events.assign(
        date=events["date"].astype("datetime64[ns]"), **{by: events[by].astype(key_dtype)}
    )
    credits = credits.assign(
        as_of_date=credits["as_of_date"].astype("datetime64[ns]"),
        **{by: credits[by].astype(key_dtype)},
    )
    running = (
        events.groupby([by, "date"], sort=True)[columns]
        .sum()
        .groupby(level=0)
        .cumsum()
        .reset_index()
    )
    left = credits[[KEY, by, "as_of_date"]].sort_values("as_of_date", kind="stable")
    right = running.sort_values("date", kind="stable")
    merged = pd.merge_asof(
        left, right, left_on="as_of_date", right_on="date", by=by, direction="backward"
    )
    return merged.set_index(KEY)[columns].fillna(0).reindex(credits[KEY].to_numpy())


def patient_context(ledger: Ledger, claim: pd.DataFrame) -> pd.DataFrame:
    """Per credit: ``patient_claim_count`` and ``patient_balance_cents`` (all the patient's
    claims, this one included) as of the credit's date.

    Claims and patients are handled as integer codes: one hash lookup maps every posting to
    its claim, the rest is numpy indexing."""
    lines = ledger.claim_lines
    claim_codes, claim_ids = pd.factorize(lines["claim_id"])
    patient_codes, patient_ids = pd.factorize(lines["patient_id"])
    n_claims = len(claim_ids)
    billed = lines["billed_date"].to_numpy(dtype="datetime64[ns]")
    patient_of_claim = np.empty(n_claims, dtype="int64")
    patient_of_claim[claim_codes] = patient_codes
    first_billed = np.full(n_claims, np.datetime64("NaT"), dtype="datetime64[ns]")
    order = np.argsort(billed, kind="stable")[::-1]  # the earliest date is written last
    first_billed[claim_codes[order]] = billed[order]
    credit_patient = pd.Index(patient_ids).get_indexer(claim["patient_id"].astype("string"))
    wanted = np.zeros(len(patient_ids) + 1, dtype=bool)
    wanted[credit_patient] = True  # -1 (unknown patient) marks the spare last slot
    txns = ledger.transactions
    txn_claim = pd.Index(claim_ids).get_indexer(txns["claim_id"])
    known = txn_claim >= 0
    txn_claim = txn_claim[known]
    line_keep = wanted[patient_codes]
    claim_keep = wanted[patient_of_claim]
    txn_keep = claim_keep[txn_claim]
    effect = signed_balance_effect(txns).to_numpy(dtype="int64")[known][txn_keep]
    # A posting counts once its claim is billed (as in ``balances.claim_balances``).
    counted_from = np.maximum(
        txns["posted_date"].to_numpy(dtype="datetime64[ns]")[known][txn_keep],
        first_billed[txn_claim[txn_keep]],
    )
    events = pd.DataFrame(
        {
            "patient": np.concatenate(
                [
                    patient_codes[line_keep],
                    patient_of_claim[claim_keep],
                    patient_of_claim[txn_claim[txn_keep]],
                ]
            ),
            "date": np.concatenate([billed[line_keep], first_billed[claim_keep], counted_from]),
            "balance": np.concatenate(
                [
                    as_cents(lines["charge_amount_cents"])[line_keep],
                    np.zeros(int(claim_keep.sum()), dtype="int64"),
                    effect,
                ]
            ),
            "claims": np.concatenate(
                [
                    np.zeros(int(line_keep.sum()), dtype="int64"),
                    np.ones(int(claim_keep.sum()), dtype="int64"),
                    np.zeros(len(effect), dtype="int64"),
                ]
            ),
        }
    )
    credits = pd.DataFrame(
        {KEY: claim.index.to_numpy(), "patient": credit_patient, "as_of_date": claim["as_of_date"]}
    )
    found = _as_of_lookup(credits, events, "patient", ["balance", "claims"])
    return pd.DataFrame(
        {
            "patient_claim_count": found["claims"].to_numpy(dtype="int64"),
            "patient_balance_cents": found["balance"].to_numpy(dtype="int64"),
        },
        index=claim.index,
    )


def payer_context(ledger: Ledger, claim: pd.DataFrame) -> pd.DataFrame:
    """Per credit, the primary payer's payments so far: count, share reversed, and share paid
    above the allowed amount the payer itself reported."""
    txns = ledger.transactions
    is_pay = (
        ((txns["kind"] == "payment") & (txns["source"] == "payer") & txns["payer_id"].notna())
        .fillna(False)
        .to_numpy(bool)
    )
    pays = txns[is_pay]
    amount = as_cents(pays["amount_cents"])
    allowed = (
        pays["allowed_amount_cents"].astype("Int64").to_numpy(dtype="float64", na_value=np.nan)
    )
    payer_codes, payer_ids = pd.factorize(pays["payer_id"])
    credits = pd.DataFrame(
        {
            KEY: claim.index.to_numpy(),
            "payer": pd.Index(payer_ids).get_indexer(claim["payer_id"].astype("string")),
            "as_of_date": claim["as_of_date"].to_numpy(),
        }
    )
    events = pd.DataFrame(
        {
            "payer": payer_codes.astype("int64"),
            "date": pays["posted_date"].to_numpy(),
            "payments": (amount > 0).astype("int64"),
            "reversals": (amount < 0).astype("int64"),
            "above": ((amount > 0) & (amount > allowed)).astype("int64"),
        }
    )
    found = _as_of_lookup(credits, events, "payer", ["payments", "reversals", "above"])
    payments = found["payments"].to_numpy(dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        reversal_share = np.where(payments > 0, found["reversals"].to_numpy() / payments, np.nan)
        above_share = np.where(payments > 0, found["above"].to_numpy() / payments, np.nan)
    return pd.DataFrame(
        {
            "payer_history_payment_count": payments,
            "payer_history_reversal_share": reversal_share,
            "payer_history_above_reported_share": above_share,
        },
        index=claim.index,
    )
