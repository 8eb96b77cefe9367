"""From findings to one verdict per credit: confirmed, partial, refuted or inconclusive.

* confirmed: the findings name one source and one action, and they account for the whole
  credit to the cent. Where every party is known, the accounting identity holds by
  construction and a known shortfall elsewhere (a patient who has not paid a copay yet) may
  absorb part of the finding; where a party is unknown, the findings must equal the credit
  exactly and nothing may be short.
* refuted: the predicted source's facts are absent although the data they need is present.
* partial: findings exist but cover part of the credit, several sources, or several actions.
* inconclusive: the data needed is missing (the reason says which).
A payer that already took its money back at remittance level (PLB WO) blocks a refund.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cbclassify.verify.masks import select, where
from cbclassify.verify.prepare import dollars
from cbclassify.verify.textops import join_by

SHORT_WORDS = {
    "primary": "payer {payer} paid",
    "secondary": "secondary payer {payer} paid",
    "not_billed": "payer {payer}",
    "writeoffs": "write-offs",
    "primary_and_writeoffs": "payer {payer} payments and write-offs",
    "patient": "the patient's payments (responsibility not yet paid)",
}
SOURCE_WORDS = {
    "payer_overpayment": "payer overpayment",
    "duplicate_payment": "duplicate payment",
    "allowance_error": "allowance error",
    "patient_credit": "patient credit",
}


def summarize_components(comps: pd.DataFrame) -> pd.DataFrame:
    """Per claim: positive total, number of distinct sources and actions, unattributed flag."""
    src = comps["source"].fillna("?")
    act = (
        comps["action"].fillna("?")
        + "|"
        + comps["payer_id"].fillna("").where(comps["action"] == "payer_return", "")
    )
    frame = comps.assign(src=src, act=act, unknown=comps["source"].isna() | comps["action"].isna())
    g = frame.groupby("claim_id", sort=False)
    out = pd.DataFrame(
        {
            "pos_cents": g["amount_cents"].sum(),
            "n_sources": g["src"].nunique(),
            "n_actions": g["act"].nunique(),
            "unattributed": g["unknown"].any(),
            "top_source": g["src"].first(),
            "top_rule": g["rule"].first(),
            "top_payer": g["payer_id"].first(),
            "top_action": g["action"].first(),
        }
    )
    by_source = frame.groupby(["claim_id", "src"], sort=False)["amount_cents"].sum().reset_index()
    by_source["words"] = (
        by_source["src"].map(SOURCE_WORDS).fillna("unattributed")
        + " "
        + dollars(by_source["amount_cents"])
    )
    out["found_words"] = join_by(by_source["claim_id"], by_source["words"], ", ").reindex(out.index)
    out["sources"] = join_by(by_source["claim_id"], by_source["src"], "|").reindex(out.index)
    return out


def summarize_parties(parties: pd.DataFrame, full: pd.Series) -> pd.DataFrame:
    """Per claim: any unknown party (with reasons), and known shortfalls (negative totals)."""
    p = parties.assign(
        full_cents=full.reindex(pd.MultiIndex.from_frame(parties[["claim_id", "party"]])).to_numpy()
    )
    unknown = p["total_cents"].isna()
    short = p["full_cents"].where(~unknown & (p["full_cents"] < 0), 0).astype("int64")
    reasons = p["unknown_reason"].where(unknown & (p["unknown_reason"] != ""), pd.NA)
    g = p.assign(unknown=unknown, short=short, reasons=reasons).groupby("claim_id", sort=False)
    out = pd.DataFrame(
        {
            "any_unknown": g["unknown"].any(),
            "short_cents": g["short"].sum(),
            "known_sum": g["full_cents"].sum(min_count=1),
        }
    )
    out["unknown_reasons"] = join_by(p["claim_id"], reasons, "; ", unique=True).reindex(out.index)
    shorts = p[short < 0]
    template = shorts["role"].map(SHORT_WORDS).fillna("postings").astype("string")
    parts = template.str.split("{payer}", n=1, regex=False)
    payer = shorts["payer_id"].fillna("?").astype("string")
    named = parts.str[0] + payer + parts.str[1].fillna("")
    words = named.where(parts.str.len() > 1, template) + " short by " + dollars(-short[short < 0])
    out["short_words"] = join_by(shorts["claim_id"], words, "; ").reindex(out.index)
    payer_known = p[p["role"].isin(["primary", "secondary", "not_billed", "primary_and_writeoffs"])]
    out["payer_known"] = (~payer_known["total_cents"].isna()).groupby(payer_known["claim_id"]).all()
    wo = p[p["role"].isin(["writeoffs", "primary_and_writeoffs"])]
    out["writeoffs_known"] = (~wo["total_cents"].isna()).groupby(wo["claim_id"]).all()
    pat = p[p["role"] == "patient"].set_index("claim_id")["total_cents"]
    out["patient_known"] = pat.notna().reindex(out.index).fillna(False)
    return out


def decide(
    credits: pd.DataFrame,
    comp_summary: pd.DataFrame,
    party_summary: pd.DataFrame,
    outside_cents: pd.Series,
    plb: pd.DataFrame,
    predicted: pd.Series | None,
    allow_shortfall: bool = True,
) -> pd.DataFrame:
    """The verdict per credit (columns: claim_id, verification, verified_source, explained_cents,
    review_reason, disagreement, predicted_source, confirmed_rule, confirmed_payer_id)."""
    v = credits[["claim_id", "credit_cents"]].set_index("claim_id")
    v = v.join(comp_summary).join(party_summary)
    v["outside_cents"] = outside_cents.reindex(v.index).fillna(0).astype("int64")
    v["pos_cents"] = v["pos_cents"].fillna(0).astype("int64")
    v["short_cents"] = v["short_cents"].fillna(0).astype("int64")
    v["n_sources"] = v["n_sources"].fillna(0).astype("int64")
    v["n_actions"] = v["n_actions"].fillna(0).astype("int64")
    for flag in ["any_unknown", "unattributed"]:
        v[flag] = v[flag].fillna(False).astype(bool)
    for flag in ["payer_known", "writeoffs_known", "patient_known"]:
        v[flag] = v[flag].fillna(True).astype(bool)
    credit = v["credit_cents"]
    all_known = ~v["any_unknown"]
    adds_up = v["pos_cents"] + v["short_cents"] == credit
    single = (v["n_sources"] == 1) & (v["n_actions"] == 1) & ~v["unattributed"]
    exact = v["pos_cents"] == credit
    covered = (v["pos_cents"] >= credit) & (allow_shortfall | (v["short_cents"] == 0))
    confirm = single & where(all_known, adds_up & covered, exact & (v["short_cents"] == 0))
    recouped = _recouped(v, plb)
    confirm = confirm & ~recouped
    pred = _predicted(v.index, predicted)
    v["predicted_source"] = pred
    refuted = ~confirm & pred.notna() & ~_predicted_found(v, pred) & _predicted_checkable(v, pred)
    partial = ~confirm & ~refuted & (v["pos_cents"] > 0)
    status = select(
        [confirm, refuted, partial], ["confirmed", "refuted", "partial"], "inconclusive"
    )
    v["verification"] = pd.Series(status, index=v.index, dtype="string")
    v["verified_source"] = v["top_source"].where(confirm, pd.NA).astype("string")
    explained = where(confirm, credit, np.minimum(v["pos_cents"], credit))
    v["explained_cents"] = pd.Series(explained, index=v.index).astype("Int64")
    v["disagreement"] = confirm & pred.notna() & (pred != v["verified_source"]).fillna(False)
    v["confirmed_rule"] = v["top_rule"].where(confirm, pd.NA).astype("string")
    v["confirmed_payer_id"] = v["top_payer"].where(confirm, pd.NA).astype("string")
    v["confirmed_action"] = v["top_action"].where(confirm, pd.NA).astype("string")
    v["review_reason"] = _reasons(v, all_known, adds_up, single, recouped)
    return v.reset_index()


def _predicted(index: pd.Index, predicted: pd.Series | pd.DataFrame | None) -> pd.Series:
    """Predicted source per credit: a Series indexed by claim_id, or a frame with claim_id and
    predicted_source columns."""
    if predicted is None:
        return pd.Series(pd.NA, index=index, dtype="string")
    if isinstance(predicted, pd.DataFrame):
        predicted = predicted.set_index("claim_id")["predicted_source"]
    pred = predicted.copy()
    pred.index = pred.index.astype("string")
    return pred.astype("string").reindex(index)


def _predicted_found(v: pd.DataFrame, pred: pd.Series) -> pd.Series:
    listed = v["sources"].fillna("").astype("string").str.split("|").explode()
    have = pd.Index(listed.index.astype("string") + "|" + listed.fillna("").astype("string"))
    found = pd.Series(
        (v.index.astype("string") + "|" + pred.fillna("-").astype("string")).isin(have),
        index=v.index,
    )
    # An unsplit excess may be a payer overpayment or an allowance error: neither is refuted.
    unsplit = pd.Series((v.index.astype("string") + "|?").isin(have), index=v.index)
    unsplit = unsplit & pred.isin(["payer_overpayment", "allowance_error"]).fillna(False)
    return (found | unsplit).fillna(False).astype(bool)


def _predicted_checkable(v: pd.DataFrame, pred: pd.Series) -> pd.Series:
    """Whether the data the predicted source's rules need is present."""
    return pd.Series(
        select(
            [
                (pred == s).fillna(False).to_numpy(bool)
                for s in ("payer_overpayment", "allowance_error", "patient_credit")
            ],
            [v["payer_known"], v["writeoffs_known"], v["patient_known"]],
            default=True,  # duplicates are facts of the postings themselves
        ),
        index=v.index,
    ).astype(bool)


def _recouped(v: pd.DataFrame, plb: pd.DataFrame) -> pd.Series:
    if plb.empty:
        return pd.Series(False, index=v.index)
    keys = plb["claim_id"] + "|" + plb["payer_id"].fillna("")
    mine = (v.index.to_series() + "|" + v["top_payer"].fillna("")).isin(keys)
    return mine & (v["top_action"] == "payer_return")


def _reasons(v, all_known, adds_up, single, recouped) -> pd.Series:
    status = v["verification"]
    found = v["found_words"].fillna("")
    unknown = v["unknown_reasons"].fillna("")
    credit = dollars(v["credit_cents"])
    reason = pd.Series("", index=v.index, dtype="string")
    reason = reason.mask(
        status == "partial", "facts found: " + found + " for a credit of " + credit
    )
    reason = reason.mask((status == "partial") & (v["n_sources"] > 1), "several sources: " + found)
    reason = reason.mask(
        (status == "partial") & (v["n_sources"] == 1) & (v["n_actions"] > 1),
        "one source needs several actions: " + found,
    )
    reason = reason.mask(
        (status == "partial") & (v["pos_cents"] > v["credit_cents"]) & (v["short_cents"] < 0),
        "facts found: "
        + found
        + "; shortfalls elsewhere on the claim "
        + dollars(-v["short_cents"])
        + " leave a credit of "
        + credit,
    )
    absent = "no " + v["predicted_source"].map(SOURCE_WORDS).fillna("") + " facts in the ledger"
    reason = reason.mask(status == "refuted", absent + ("; found " + found).where(found != "", ""))
    missing = ("data missing: " + unknown).where(unknown != "", "no rule accounts for the credit")
    reason = reason.mask(status == "inconclusive", missing)
    reason = reason.mask(
        all_known & ~adds_up & (status != "confirmed"),
        "the postings do not add up to the credit; review the ledger",
    )
    reason = reason.mask(
        (status == "partial") & (unknown != ""), reason + "; data missing: " + unknown
    )
    reason = reason.mask(
        recouped & single,
        "the payer already recovered this money at remittance level (PLB WO): "
        "post the recoupment instead of refunding",
    )
    agree = (
        "model predicted "
        + v["predicted_source"].map(SOURCE_WORDS).fillna("")
        + "; the ledger confirms "
        + v["verified_source"].map(SOURCE_WORDS).fillna("")
    )
    reason = reason.mask(v["disagreement"], agree)
    return reason.replace("", pd.NA).astype("string")
