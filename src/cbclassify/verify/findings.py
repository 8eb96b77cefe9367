"""Findings: the pattern rules, and their allocation into each party's excess.

A *pattern* is a fact that names its own cause (a duplicate, a write-off of patient
responsibility, a patient paying twice). A pattern belongs to a party; where the party's total
excess is known, patterns are allocated inside it (a duplicate already refunded leaves nothing)
and what is left is the party's default cause; where it is unknown, patterns stand on their own.
Duplicates posted twice stand outside every party: they are set aside before the accounting.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cbclassify.verify.masks import select, where
from cbclassify.verify.prepare import PRIOR_PAYER_CARC
from cbclassify.verify.textops import join_by

COMPONENT_COLUMNS = [
    "claim_id",
    "party",
    "source",
    "rule",
    "action",  # reverse_posting | payer_return | correct_adjustment | patient_return | NA
    "payer_id",
    "amount_cents",
    "txn_ids",
    "detail",  # rule-specific words for the statement
]
PR_REASONS = ("1", "2", "3")


def patterns(groups: pd.DataFrame, txns: pd.DataFrame, parties: pd.DataFrame) -> pd.DataFrame:
    """Pattern findings with their party, priority and whether the party's own excess already
    includes them (``inside``)."""
    frames = [
        _dup_patterns(groups, parties),
        _pr_written_off(txns, parties),
    ]
    frames = [f for f in frames if not f.empty]
    if not frames:
        return _empty_patterns()
    return pd.concat(frames, ignore_index=True)


def _party_index(parties: pd.DataFrame) -> dict[str, pd.Series]:
    """Lookups: existing claim|party keys, and each claim's unsplit party."""
    unsplit = parties[parties["role"] == "primary_and_writeoffs"]
    others = parties[parties["role"].isin(["not_billed", "secondary"])]
    return {
        "all": parties["claim_id"] + "|" + parties["party"],
        "others": others["claim_id"] + "|" + others["party"],
        "unsplit": unsplit.set_index("claim_id")["party"],
        "primary": unsplit.set_index("claim_id")["payer_id"],
    }


def _payment_party(
    claim_ids: pd.Series, payer_ids: pd.Series, idx: dict[str, pd.Series]
) -> pd.Series:
    """A payer's duplicate belongs to the payer's party, or to the unsplit primary+writeoffs
    party where the claim's allowed amount is unknown and the payer is the primary."""
    own = "payer:" + payer_ids.fillna("")
    unsplit = claim_ids.map(idx["unsplit"]).astype("string")
    primary = claim_ids.map(idx["primary"]).astype("string")
    is_unsplit_primary = unsplit.notna() & (payer_ids == primary).fillna(False)
    return own.where(~is_unsplit_primary, unsplit).astype("string")


def _writeoff_party(
    claim_ids: pd.Series, payer_ids: pd.Series, idx: dict[str, pd.Series]
) -> pd.Series:
    """A payer-side write-off belongs to its payer's party when that payer is the secondary or
    was not billed, else to the claim's write-offs (or the unsplit party where the allowed
    amount is unknown)."""
    own = "payer:" + payer_ids.fillna("")
    theirs = (claim_ids + "|" + own).isin(idx["others"])
    fallback = claim_ids.map(idx["unsplit"]).astype("string").fillna("writeoffs")
    return own.where(theirs, fallback).astype("string")


def _dup_patterns(groups: pd.DataFrame, parties: pd.DataFrame) -> pd.DataFrame:
    wanted = ["paid_twice", "adjustment_twice", "receipts_twice", "posted_twice", "untraced_twice"]
    g = groups[groups["dup_kind"].isin(wanted)]
    if g.empty:
        return _empty_patterns()
    idx = _party_index(parties)
    payer = g["payer_key"].where(g["payer_key"] != "", pd.NA).astype("string")
    adj_party = _writeoff_party(g["claim_id"], payer, idx).where(
        g["source"] != "patient", "patient"
    )
    kind = g["dup_kind"]
    party = select(
        [kind == "paid_twice", kind == "adjustment_twice", kind == "receipts_twice"],
        [_payment_party(g["claim_id"], payer, idx), adj_party, "patient"],
        default="",  # posted twice / untraced: outside every party
    )
    source = select(
        [kind == "adjustment_twice", kind == "receipts_twice"],
        ["allowance_error", "patient_credit"],
        default="duplicate_payment",
    )
    action = select(
        [
            kind == "posted_twice",
            kind == "paid_twice",
            kind == "adjustment_twice",
            kind == "receipts_twice",
        ],
        ["reverse_posting", "payer_return", "correct_adjustment", "patient_return"],
        default="",
    )
    amount = where(kind == "receipts_twice", g["copy_cents"] * g["n_extra"], g["extra_cents"])
    out = pd.DataFrame(
        {
            "claim_id": g["claim_id"],
            "party": pd.Series(party, index=g.index, dtype="string"),
            "source": source,
            "rule": kind,
            "action": pd.Series(action, index=g.index, dtype="string").replace("", pd.NA),
            "payer_id": payer,
            "amount_cents": amount.astype("int64"),
            "txn_ids": g["txn_ids"],
            "priority": where(kind == "adjustment_twice", 1, 0),
            "inside": kind == "receipts_twice",
            "detail_group": g.index,
        }
    )
    # Several duplicated groups of one remittance posted twice make one finding.
    keys = ["claim_id", "party", "source", "rule", "action", "payer_id"]
    filled = out[keys].fillna({"action": "", "payer_id": ""})
    merged = (
        out.assign(**{k: filled[k] for k in keys})
        .groupby(keys, sort=False)
        .agg(
            amount_cents=("amount_cents", "sum"),
            priority=("priority", "min"),
            inside=("inside", "all"),
            detail_group=("detail_group", "first"),
        )
    )
    merged["txn_ids"] = join_by(filled, out["txn_ids"]).reindex(merged.index)
    merged = merged.reset_index()
    merged["action"] = merged["action"].replace("", pd.NA).astype("string")
    merged["payer_id"] = merged["payer_id"].replace("", pd.NA).astype("string")
    return merged


def _pr_written_off(txns: pd.DataFrame, parties: pd.DataFrame) -> pd.DataFrame:
    """Payer-side write-offs coded as patient responsibility (group PR, or CARC 1/2/3): the
    patient's share written off as contractual."""
    live = txns[~txns["extra"] & (txns["kind"] == "adjustment") & (txns["source"] == "payer")]
    pr_like = (live["group_code"] == "PR").fillna(False) | live["reason_code"].isin(PR_REASONS)
    rows = live[pr_like & (live["amount_cents"] > 0)]
    if rows.empty:
        return _empty_patterns()
    grouped = rows.groupby("claim_id", sort=False)
    out = pd.DataFrame(
        {
            "amount_cents": grouped["amount_cents"].sum().astype("int64"),
            "txn_ids": join_by(rows["claim_id"], rows["txn_id"]),
            "payer_id": grouped["payer_key"].first(),
        }
    ).reset_index()
    out["party"] = _writeoff_party(out["claim_id"], out["payer_id"], _party_index(parties))
    out = out.assign(
        source="allowance_error",
        rule="pr_written_off",
        action="correct_adjustment",
        priority=2,
        inside=True,
        detail_group=-1,
    )
    return out


def allocate(
    pats: pd.DataFrame, parties: pd.DataFrame, refunds: pd.Series
) -> tuple[pd.DataFrame, pd.Series]:
    """``refunds``: money already returned to a payer, keyed ``claim_id|payer_id``.

    Components: patterns allocated inside known party totals, plus each known party's
    remainder under its default cause; patterns of unknown parties at face value (a payer's
    duplicate less what was already refunded to it). Also returns each party's full total
    (its own excess plus the patterns set aside before it was computed), indexed by
    (claim_id, party)."""
    outside = pats[pats["party"] == ""]
    inside = pats[pats["party"] != ""].merge(
        parties[["claim_id", "party", "total_cents"]], on=["claim_id", "party"], how="left"
    )
    # Party totals grow by the patterns set aside before the party was computed.
    extra = inside.loc[~inside["inside"]].groupby(["claim_id", "party"])["amount_cents"].sum()
    full = parties.set_index(["claim_id", "party"])["total_cents"]
    full = full.add(extra.reindex(full.index).fillna(0).astype("int64"), fill_value=0)
    full = full.where(parties.set_index(["claim_id", "party"])["total_cents"].notna(), pd.NA)
    inside = inside.drop(columns="total_cents").join(
        full.rename("full_cents"), on=["claim_id", "party"]
    )
    known = inside["full_cents"].notna()
    kn = inside[known].sort_values(["claim_id", "party", "priority"], kind="stable")
    before = kn.groupby(["claim_id", "party"])["amount_cents"].cumsum() - kn["amount_cents"]
    room = (kn["full_cents"].astype("int64") - before).clip(lower=0)
    kn = kn.assign(amount_cents=np.minimum(kn["amount_cents"], room).astype("int64"))
    unk = inside[~known].copy()
    returned = (unk["claim_id"] + "|" + unk["payer_id"].fillna("")).map(refunds)
    face = unk["amount_cents"] - returned.fillna(0).astype("int64").where(
        unk["rule"] == "paid_twice", 0
    )
    unk["amount_cents"] = face.clip(lower=0).astype("int64")
    used = kn.groupby(["claim_id", "party"])["amount_cents"].sum()
    remainder = _remainders(parties, full, used)
    parts = [outside, kn.drop(columns="full_cents"), unk.drop(columns="full_cents"), remainder]
    parts = [p for p in parts if not p.empty]
    comps = pd.concat(parts, ignore_index=True) if parts else _empty_patterns()
    comps = comps[comps["amount_cents"] > 0]
    return comps.reset_index(drop=True), full


def _remainders(parties: pd.DataFrame, full: pd.Series, used: pd.Series) -> pd.DataFrame:
    p = parties.set_index(["claim_id", "party"])
    rest = (full - used.reindex(full.index).fillna(0)).where(full.notna(), pd.NA)
    p = p.assign(amount_cents=rest).reset_index()
    p = p[p["amount_cents"].notna()]
    p = p[p["amount_cents"] > 0]
    action = select(
        [
            p["default_source"].isna(),
            p["default_source"] == "payer_overpayment",
            p["default_source"] == "allowance_error",
        ],
        ["", "payer_return", "correct_adjustment"],
        default="patient_return",
    )
    return pd.DataFrame(
        {
            "claim_id": p["claim_id"],
            "party": p["party"],
            "source": p["default_source"],
            "rule": p["default_rule"],
            "action": pd.Series(action, index=p.index, dtype="string").replace("", pd.NA),
            "payer_id": p["payer_id"],
            "amount_cents": p["amount_cents"].astype("int64"),
            "txn_ids": "",
            "priority": 9,
            "inside": True,
            "detail_group": -1,
        }
    )


def oa23_flags(txns: pd.DataFrame) -> pd.Series:
    """claim|payer keys whose payments carry OA-23 (paid as a secondary)."""
    pay = txns[(txns["kind"] == "payment") & (txns["reason_code"] == PRIOR_PAYER_CARC)]
    return (pay["claim_id"] + "|" + pay["payer_key"]).drop_duplicates()


def _empty_patterns() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "claim_id": pd.Series([], dtype="string"),
            "party": pd.Series([], dtype="string"),
            "source": pd.Series([], dtype="string"),
            "rule": pd.Series([], dtype="string"),
            "action": pd.Series([], dtype="string"),
            "payer_id": pd.Series([], dtype="string"),
            "amount_cents": pd.Series([], dtype="int64"),
            "txn_ids": pd.Series([], dtype="string"),
            "priority": pd.Series([], dtype="int64"),
            "inside": pd.Series([], dtype=bool),
            "detail_group": pd.Series([], dtype="int64"),
        }
    )
