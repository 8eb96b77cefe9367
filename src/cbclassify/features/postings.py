"""Aggregates of each credit's postings: money by kind and source, duplicates, codes, timing.

All sums are integer cents (``*_cents``); ``build`` turns them into dollar features. Vectorized:
one masked column per aggregate and a single groupby per family.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cbclassify.balances import signed_balance_effect
from cbclassify.features.history import KEY, as_cents, as_text
from cbclassify.features.specs import CARC_CODES


class PostingView:
    """The credit x posting rows as numpy arrays, with the masks every aggregate uses."""

    def __init__(self, postings: pd.DataFrame, claim: pd.DataFrame) -> None:
        self.frame = postings
        self.key = postings[KEY].to_numpy(dtype="int64")
        self.amount = as_cents(postings["amount_cents"])
        self.kind = as_text(postings["kind"])
        self.source = as_text(postings["source"])
        self.payer = as_text(postings["payer_id"])
        self.group = as_text(postings["group_code"])
        self.reason = as_text(postings["reason_code"])
        self.era = as_text(postings["era_id"])
        self.trace = as_text(postings["trace_number"])
        self.line = postings["line_no"].astype("Int64").to_numpy(dtype="int64", na_value=0)
        self.date = postings["posted_date"].to_numpy()
        self.primary = as_text(claim["payer_id"].reindex(self.key))
        self.secondary = as_text(claim["secondary_payer_id"].reindex(self.key))
        self.manual = self.era == ""
        self.effect = signed_balance_effect(postings).to_numpy(dtype="int64")
        payment = self.kind == "payment"
        self.payer_pay = payment & (self.source == "payer")
        self.patient_pay = payment & (self.source == "patient")
        self.adjustment = self.kind == "adjustment"
        self.primary_payment = self.payer_pay & (self.payer == self.primary) & (self.amount > 0)


def money_aggregates(view: PostingView) -> pd.DataFrame:
    """Sums and counts per credit: payments by source and payer role, write-offs, codes."""
    a, v = view.amount, view
    rev = v.payer_pay & (a < 0)
    is_primary = v.payer_pay & (v.payer == v.primary)
    is_secondary = v.payer_pay & (v.payer == v.secondary) & (v.secondary != "")
    transfer = v.kind == "transfer"
    cols: dict[str, np.ndarray] = {
        "payer_paid_cents": a * v.payer_pay,
        "payer_payment_count": v.payer_pay & (a > 0),
        "payer_reversal_count": rev,
        "payer_reversal_cents": -a * rev,
        "primary_payer_paid_cents": a * is_primary,
        "secondary_payer_paid_cents": a * is_secondary,
        "unbilled_payer_paid_cents": a * (v.payer_pay & ~is_primary & ~is_secondary),
        "payer_paid_manual_cents": a * (v.payer_pay & v.manual),
        "payer_paid_era_cents": a * (v.payer_pay & ~v.manual),
        "era_payer_payment_count": v.payer_pay & ~v.manual,
        "patient_paid_cents": a * v.patient_pay,
        "patient_payment_count": v.patient_pay & (a > 0),
        "responsibility_cents": a * (v.kind == "responsibility"),
        "responsibility_rows": v.kind == "responsibility",
        "sequestration_cents": a * (v.adjustment & (v.reason == "253")),
        "adjustment_cents": a * v.adjustment,
        "adjustment_count": v.adjustment,
        "contractual_adjustment_cents": a * (v.adjustment & (v.source == "payer")),
        "patient_writeoff_cents": a * (v.adjustment & (v.source == "patient")),
        "co45_adjustment_cents": a * (v.adjustment & (v.group == "CO") & (v.reason == "45")),
        "pr_coded_adjustment_cents": a * (v.adjustment & (v.group == "PR")),
        "adjustment_reversal_count": v.adjustment & (a < 0),
        "refund_cents": a * (v.kind == "refund"),
        "transfer_in_cents": a * (transfer & (a > 0)),
        "transfer_out_cents": -a * (transfer & (a < 0)),
        "posting_count": np.ones(len(a), dtype="int64"),
        "balance_effect_cents": v.effect,
        "manual_posting_count": v.manual,
        "cr_group_count": v.group == "CR",
        "oa_group_count": v.group == "OA",
    }
    for code in CARC_CODES:
        cols[f"carc_{code}_count"] = v.reason == code
    frame = pd.DataFrame({k: np.asarray(c).astype("int64") for k, c in cols.items()})
    out = frame.groupby(v.key, sort=False).sum()
    paying = pd.Series(v.payer[v.payer_pay & (a > 0)]).groupby(v.key[v.payer_pay & (a > 0)])
    out["paying_payer_count"] = paying.nunique().reindex(out.index).fillna(0).astype("int64")
    out["distinct_era_count"] = _distinct(v.era, v.key, v.payer_pay & ~v.manual, out.index)
    out["distinct_trace_count"] = _distinct(
        v.trace, v.key, v.payer_pay & (v.trace != ""), out.index
    )
    return out


def _distinct(values: np.ndarray, key: np.ndarray, mask: np.ndarray, index: pd.Index) -> pd.Series:
    counts = pd.Series(values[mask]).groupby(key[mask]).nunique()
    return counts.reindex(index).fillna(0).astype("int64")


def _extra_per_group(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Per group: ``extra`` = size - 1 and ``extra_cents`` = extra x amount."""
    sizes = frame.groupby(by, sort=False).size().rename("size").reset_index()
    sizes["extra"] = sizes["size"] - 1
    sizes["extra_cents"] = sizes["extra"] * sizes["amount"]
    return sizes


def _per_key(groups: pd.DataFrame, column: str, index: pd.Index) -> pd.Series:
    return groups.groupby(KEY, sort=False)[column].sum().reindex(index).fillna(0).astype("int64")


def duplicate_aggregates(view: PostingView, index: pd.Index) -> pd.DataFrame:
    """Identical-amount payments and adjustments per credit, and whether they share a
    remittance (era_id) or trace number."""
    v = view
    base = pd.DataFrame(
        {
            KEY: v.key,
            "line": v.line,
            "amount": v.amount,
            "trace": v.trace,
            "era": v.era,
            "manual": v.manual,
        }
    )
    out = pd.DataFrame(index=index)
    pay = base[v.payer_pay & (v.amount > 0)]
    by = [KEY, "line", "amount"]
    groups = _extra_per_group(pay, by)
    out["identical_payer_payment_count"] = _per_key(groups, "extra", index)
    out["identical_payer_payment_cents"] = _per_key(groups, "extra_cents", index)
    same_trace = _extra_per_group(pay[pay["trace"] != ""], by + ["trace"])
    out["identical_same_trace_count"] = _per_key(same_trace, "extra", index)
    same_era = _extra_per_group(pay[pay["era"] != ""], by + ["era"])
    out["identical_same_era_count"] = _per_key(same_era, "extra", index)
    traced = _extra_per_group(pay[pay["trace"] != ""], by)
    out["identical_distinct_trace_count"] = (
        _per_key(traced, "extra", index) - out["identical_same_trace_count"]
    ).clip(lower=0)
    mixed = pay.groupby(by, sort=False)["manual"].agg(["nunique", "size"]).reset_index()
    mixed["extra"] = np.where(mixed["nunique"] > 1, mixed["size"] - 1, 0)
    out["identical_manual_and_era_count"] = _per_key(mixed, "extra", index)
    out["identical_payment_net_of_reversals_cents"] = _net_identical(base, v, index)
    patient = base[v.patient_pay & (v.amount > 0)]
    pgroups = _extra_per_group(patient, [KEY, "amount"])
    out["identical_patient_payment_count"] = _per_key(pgroups, "extra", index)
    out["identical_patient_payment_cents"] = _per_key(pgroups, "extra_cents", index)
    receipts = _extra_per_group(patient[patient["trace"] != ""], [KEY, "amount", "trace"])
    out["identical_patient_same_receipt_count"] = _per_key(receipts, "extra", index)
    adj = base.assign(group=v.group, reason=v.reason)[v.adjustment & (v.amount > 0)]
    agroups = _extra_per_group(adj, by + ["group", "reason"])
    out["identical_adjustment_count"] = _per_key(agroups, "extra", index)
    out["identical_adjustment_cents"] = _per_key(agroups, "extra_cents", index)
    return out


def _net_identical(base: pd.DataFrame, v: PostingView, index: pd.Index) -> pd.Series:
    """Extra identical payer payments left after subtracting reversals of the same amount."""
    pay = base[v.payer_pay & (v.amount != 0)].assign(
        amount=np.abs(v.amount[v.payer_pay & (v.amount != 0)]),
        sign=np.sign(v.amount[v.payer_pay & (v.amount != 0)]),
    )
    counts = (
        pay.assign(pos=pay["sign"] > 0, neg=pay["sign"] < 0)
        .groupby([KEY, "line", "amount"], sort=False)[["pos", "neg"]]
        .sum()
        .reset_index()
    )
    counts["net"] = (counts["pos"] - counts["neg"] - 1).clip(lower=0) * counts["amount"]
    return _per_key(counts, "net", index)


def timing_aggregates(view: PostingView, index: pd.Index) -> pd.DataFrame:
    """Dates of payer payments and postings per credit (as datetime64 / day gaps)."""
    v = view
    dates = pd.DataFrame({KEY: v.key, "date": v.date})
    payer = dates[v.payer_pay & (v.amount > 0)].sort_values([KEY, "date"], kind="stable")
    gaps = payer.groupby(KEY, sort=False)["date"].diff().dt.days
    out = pd.DataFrame(index=index)
    grouped = payer.groupby(KEY, sort=False)["date"]
    out["first_payer_payment"] = grouped.min().reindex(index)
    out["last_payer_payment"] = grouped.max().reindex(index)
    out["min_days_between_payer_payments"] = (
        gaps.groupby(payer[KEY].to_numpy()).min().reindex(index).astype("float64")
    )
    patient = dates[v.patient_pay & (v.amount > 0)]
    first_payer = out["first_payer_payment"].reindex(patient[KEY].to_numpy()).to_numpy()
    early = patient["date"].to_numpy() < first_payer
    early = early | pd.isna(first_payer)
    out["patient_paid_before_payer_count"] = (
        pd.Series(early.astype("int64"))
        .groupby(patient[KEY].to_numpy())
        .sum()
        .reindex(index)
        .fillna(0)
        .astype("int64")
    )
    return out
