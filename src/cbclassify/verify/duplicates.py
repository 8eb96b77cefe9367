"""Postings counted more than once: the same amount from the same source on the same claim line.

Copies are grouped by (claim, line, kind, source, payer, CAS codes for adjustments, |amount|).
A negative posting of the same group (a reversal or takeback of that amount) cancels one copy,
so a takeback followed by a corrected payment of the same amount is not a duplicate. The copies
left beyond the first are *extras*. How they arose decides the source and the action:

* ``posted_twice``: the copies share a remittance (era_id) or trace / receipt number: one payment
  posted twice; undone internally (``reverse_posting``), no money moves.
* ``paid_twice``: payer copies on distinct remittances with distinct traces: the payer paid twice.
* ``receipts_twice``: patient copies with distinct receipt numbers: the patient paid twice
  (a patient credit, left in the patient's account).
* ``untraced_twice``: copies without trace or remittance: cannot tell posting from payment.
* ``adjustment_twice``: an adjustment repeated without its payment: an allowance error.
Responsibility rows repeated in one group are de-duplicated silently (they move no balance).
"""

from __future__ import annotations

import pandas as pd

from cbclassify.verify.masks import select
from cbclassify.verify.textops import join_by

DUP_KEY = ["claim_id", "line_key", "kind", "source", "payer_key", "code_key", "abs_cents"]


def find_duplicates(txns: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Mark duplicate copies.

    Returns ``(txns, groups)``: ``txns`` gains ``extra`` (bool: a copy to set aside before the
    accounting) and ``dup_kind``; ``groups`` has one row per duplicated group with claim_id,
    payer_key, source, kind, dup_kind, copy_cents (one copy), extra_cents (balance effect of the
    extras), n_extra, txn_ids (all copies, ';'-joined), dates, traces.
    """
    out = txns.copy()
    out["extra"] = False
    out["dup_kind"] = pd.Series(pd.NA, index=out.index, dtype="string")
    cand = out[out["kind"].isin(["payment", "adjustment", "responsibility"])]
    cand = cand[cand["amount_cents"] != 0]
    if cand.empty:
        return out, _empty_groups()
    keyed = _with_keys(cand)
    extra_mask = _extra_copies(keyed)
    keyed = keyed.assign(extra=extra_mask)
    dup_gids = keyed.loc[keyed["extra"], "gid"].unique()
    copies = keyed[keyed["gid"].isin(dup_gids) & (keyed["amount_cents"] > 0)]
    if copies.empty:
        return out, _empty_groups()
    groups = _describe_groups(copies)
    groups = _classify(groups, keyed)
    kind_by_gid = groups.set_index("gid")["dup_kind"]
    copies = copies.assign(dup_kind=copies["gid"].map(kind_by_gid).astype("string"))
    # Patient double payments on distinct receipts are real money: leave them in the account.
    removed = copies["extra"] & ~copies["dup_kind"].isin(["receipts_twice", "takeback_unclear"])
    out.loc[copies.index, "dup_kind"] = copies["dup_kind"]
    out.loc[copies.index[removed.to_numpy()], "extra"] = True
    groups = groups[groups["kind"] != "responsibility"].drop(columns=["gid"])
    return out, groups.reset_index(drop=True)


def _with_keys(cand: pd.DataFrame) -> pd.DataFrame:
    codes = cand["group_code"].fillna("") + "-" + cand["reason_code"].fillna("")
    keyed = cand.assign(
        code_key=codes.where(cand["kind"] != "payment", ""),
        abs_cents=cand["amount_cents"].abs(),
    )
    keyed["gid"] = keyed.groupby(DUP_KEY, sort=False, dropna=False).ngroup()
    return keyed


def _extra_copies(keyed: pd.DataFrame) -> pd.Series:
    """True for the positive copies beyond the survivors' first, latest posted first."""
    positive = keyed["amount_cents"] > 0
    by_gid = positive.groupby(keyed["gid"])
    n_pos = by_gid.transform("sum")
    n_neg = by_gid.transform("size") - n_pos
    n_extra = (n_pos - n_neg - 1).clip(lower=0)
    # keyed is sorted by claim, posted_date, txn_id: rank positives from the last one back.
    rank_from_end = positive.astype("int64")[::-1].groupby(keyed["gid"][::-1]).cumsum()[::-1]
    return positive & (rank_from_end <= n_extra) & (n_extra > 0)


def _describe_groups(copies: pd.DataFrame) -> pd.DataFrame:
    grouped = copies.groupby("gid", sort=False)
    groups = grouped.agg(
        claim_id=("claim_id", "first"),
        line_key=("line_key", "first"),
        kind=("kind", "first"),
        source=("source", "first"),
        payer_key=("payer_key", "first"),
        group_code=("group_code", "first"),
        reason_code=("reason_code", "first"),
        copy_cents=("abs_cents", "first"),
        n_copies=("txn_id", "size"),
        n_era=("era_id", "count"),
        u_era=("era_id", "nunique"),
        n_trace=("remit_trace", "count"),
        u_trace=("remit_trace", "nunique"),
        first_date=("posted_date", "min"),
        last_date=("posted_date", "max"),
    )
    extras = copies[copies["extra"]]
    groups["n_extra"] = extras.groupby("gid").size().reindex(groups.index).fillna(0)
    groups["n_extra"] = groups["n_extra"].astype("int64")
    groups["extra_cents"] = (
        extras.groupby("gid")["effect_cents"].sum().reindex(groups.index).fillna(0)
    )
    groups["extra_cents"] = (-groups["extra_cents"]).astype("int64")  # credit it makes
    groups["txn_ids"] = join_by(copies["gid"], copies["txn_id"])
    groups["traces"] = join_by(copies["gid"], copies["remit_trace"], ", ", unique=True)
    groups["eras"] = join_by(copies["gid"], copies["era_id"], ";", unique=True)
    return groups.reset_index()


def _classify(groups: pd.DataFrame, keyed: pd.DataFrame) -> pd.DataFrame:
    shared = (groups["n_era"] > groups["u_era"]) | (groups["n_trace"] > groups["u_trace"])
    keyed_all = (groups["n_trace"] == groups["n_copies"]) | (groups["n_era"] == groups["n_copies"])
    is_pay = groups["kind"] == "payment"
    is_patient = groups["source"] == "patient"
    kind = select(
        [
            groups["kind"] == "responsibility",
            groups["kind"] == "adjustment",
            is_pay & shared,
            is_pay & keyed_all & is_patient,
            is_pay & keyed_all,
        ],
        [
            "responsibility_twice",
            "adjustment_twice",
            "posted_twice",
            "receipts_twice",
            "paid_twice",
        ],
        default="untraced_twice",
    )
    groups = groups.assign(dup_kind=pd.Series(kind, index=groups.index, dtype="string"))
    # A payer that also took money back in amounts that match no copy (interest, sequestration,
    # partial recoupment) may have paid the second copy as a correction: no duplicate claimed.
    messy = _unmatched_takebacks(keyed)
    pair = groups["claim_id"] + "|" + groups["payer_key"]
    unclear = (groups["dup_kind"] == "paid_twice") & pair.isin(messy)
    groups.loc[unclear, "dup_kind"] = "takeback_unclear"
    return _attach_adjustments(groups, keyed)


def _unmatched_takebacks(keyed: pd.DataFrame) -> pd.Series:
    """claim|payer keys with a negative payer payment that cancels no copy of its amount."""
    pay = keyed[(keyed["kind"] == "payment") & (keyed["source"] == "payer")]
    if pay.empty:
        return pd.Series([], dtype="string")
    positive = pay["amount_cents"] > 0
    n_pos = positive.groupby(pay["gid"]).sum()
    n_neg = (~positive).groupby(pay["gid"]).sum()
    bad_gids = n_neg.index[(n_neg > n_pos).to_numpy()]
    bad = pay[pay["gid"].isin(bad_gids)]
    return (bad["claim_id"] + "|" + bad["payer_key"]).drop_duplicates()


def _attach_adjustments(groups: pd.DataFrame, keyed: pd.DataFrame) -> pd.DataFrame:
    """An adjustment repeated on the same remittance as a repeated payment belongs to that
    payment's duplicate (the whole remittance was posted or paid again)."""
    pay = groups[groups["dup_kind"].isin(["posted_twice", "paid_twice"])]
    adj = groups["dup_kind"] == "adjustment_twice"
    if pay.empty or not adj.any():
        return groups
    extra_rows = keyed[keyed["extra"] & keyed["gid"].isin(groups["gid"])]
    pay_remits = extra_rows[extra_rows["gid"].isin(pay["gid"])]
    pay_remits = pay_remits.assign(parent=pay_remits["gid"])[["claim_id", "era_id", "parent"]]
    pay_remits = pay_remits.dropna(subset=["era_id"]).drop_duplicates(["claim_id", "era_id"])
    adj_rows = extra_rows[extra_rows["gid"].isin(groups.loc[adj, "gid"])][
        ["gid", "claim_id", "era_id"]
    ]
    linked = adj_rows.merge(pay_remits, on=["claim_id", "era_id"], how="inner")
    if linked.empty:
        return groups
    parent_of = linked.drop_duplicates("gid").set_index("gid")["parent"]
    parent_kind = groups.set_index("gid")["dup_kind"]
    child = groups["gid"].isin(parent_of.index)
    parents = groups.loc[child, "gid"].map(parent_of)
    groups.loc[child, "dup_kind"] = parents.map(parent_kind).to_numpy()
    groups["parent_gid"] = groups["gid"].map(parent_of).astype("Int64")
    return groups


def _empty_groups() -> pd.DataFrame:
    cols = {
        "claim_id": "string",
        "line_key": "int64",
        "kind": "string",
        "source": "string",
        "payer_key": "string",
        "dup_kind": "string",
        "copy_cents": "int64",
        "n_extra": "int64",
        "extra_cents": "int64",
        "txn_ids": "string",
        "traces": "string",
        "eras": "string",
    }
    return pd.DataFrame({c: pd.Series([], dtype=d) for c, d in cols.items()})
