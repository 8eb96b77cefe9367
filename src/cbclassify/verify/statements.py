"""Plain-language statements of the facts behind each finding, with the real amounts and dates.

Vectorized: each rule's sentence is assembled column-wise over all findings of that rule.
"""

from __future__ import annotations

import pandas as pd

from cbclassify.verify.accounts import responsibility_text
from cbclassify.verify.prepare import day_text, dollars
from cbclassify.verify.statements_dup import (
    adjustment_twice,
    paid_twice,
    posted_twice,
    receipts_twice,
    untraced,
)


def component_statements(
    comps: pd.DataFrame,
    claims: pd.DataFrame,
    accounts: pd.DataFrame,
    groups: pd.DataFrame,
    payer_names: pd.Series,
) -> pd.Series:
    """One sentence per finding (index aligned with ``comps``)."""
    out = pd.Series("", index=comps.index, dtype="string")
    name = comps["payer_id"].map(payer_names).fillna(comps["payer_id"]).fillna("?").astype("string")
    ctx = comps.merge(claims, on="claim_id", how="left", suffixes=("", "_claim"))
    ctx.index = comps.index
    acct = comps[["claim_id", "payer_id"]].merge(accounts, on=["claim_id", "payer_id"], how="left")
    acct.index = comps.index
    dup = groups.reindex(comps["detail_group"].fillna(-1).astype("int64").to_numpy())
    dup.index = comps.index
    builders = {
        "posted_twice": lambda m: posted_twice(m, ctx, dup, name),
        "paid_twice": lambda m: paid_twice(m, ctx, dup, name),
        "untraced_twice": lambda m: untraced(m, dup, name),
        "adjustment_twice": lambda m: adjustment_twice(m, dup),
        "receipts_twice": lambda m: receipts_twice(m, dup),
        "pr_written_off": lambda m: _pr_written_off(m, ctx),
        "above_allowed": lambda m: _above_allowed(m, ctx, acct, name),
        "secondary_excess": lambda m: _secondary(m, ctx, acct, name),
        "not_billed": lambda m: _not_billed(m, ctx, acct, name, payer_names),
        "above_contract": lambda m: _above_contract(m, ctx),
        "above_responsibility": lambda m: _patient(m, ctx, accounts, payer_names),
        "unsplit": lambda m: _unsplit(m, ctx, name),
    }
    for rule, build in builders.items():
        mask = comps["rule"] == rule
        if mask.any():
            out[mask] = build(mask)
    return out


def _pr_written_off(m, ctx) -> pd.Series:
    return (
        "Patient responsibility of "
        + dollars(ctx.loc[m, "amount_cents"])
        + " was written off as a contractual adjustment ("
        + ctx.loc[m, "txn_ids"]
        + ")."
    )


def _allowed_words(ctx: pd.DataFrame, m: pd.Series) -> pd.Series:
    basis = ctx.loc[m, "allowed_basis"].map(
        {"contract": "contracted", "payer": "payer-reported", "mixed": "contracted/payer-reported"}
    )
    return "the " + basis.fillna("") + " allowed amount for " + ctx.loc[m, "services"].fillna("?")


def _above_allowed(m, ctx, acct, name) -> pd.Series:
    seq = acct.loc[m, "seq_cents"].fillna(0)
    seq_txt = (" and " + dollars(seq) + " sequestration").where(seq != 0, "")
    owed = ctx.loc[m, "allowed_cents"] - acct.loc[m, "pr_cents"] - seq
    return (
        "Payer "
        + name[m]
        + " paid "
        + dollars(acct.loc[m, "net_cents"])
        + " (last on "
        + day_text(acct.loc[m, "last_pay_date"])
        + "); "
        + _allowed_words(ctx, m)
        + " is "
        + dollars(ctx.loc[m, "allowed_cents"])
        + " less "
        + responsibility_text(acct.loc[m])
        + " patient responsibility"
        + seq_txt
        + ", so it owed "
        + dollars(owed)
        + ": "
        + dollars(ctx.loc[m, "amount_cents"])
        + " overpaid."
    )


def _secondary(m, ctx, acct, name) -> pd.Series:
    owed = ctx.loc[m, "p1_pr_cents"] - ctx.loc[m, "p2_pr_cents"] - ctx.loc[m, "p2_seq_cents"]
    no_oa23 = acct.loc[m, "n_oa23"].fillna(0) == 0
    how = pd.Series(
        "; its payment carries no OA-23: it paid as if it were primary", index=owed.index
    ).where(no_oa23, "")
    wo = acct.loc[m, "writeoff_cents"].fillna(0)
    wo_txt = (" and wrote off " + dollars(wo)).where(wo != 0, "")
    return (
        "Payer "
        + name[m]
        + ", the secondary, kept "
        + dollars(acct.loc[m, "net_cents"])
        + wo_txt
        + "; the primary left "
        + dollars(ctx.loc[m, "p1_pr_cents"])
        + " to the patient and "
        + name[m]
        + " left "
        + dollars(ctx.loc[m, "p2_pr_cents"])
        + ", so it owed "
        + dollars(owed)
        + how
        + ": "
        + dollars(ctx.loc[m, "amount_cents"])
        + " overpaid."
    )


def _not_billed(m, ctx, acct, name, payer_names) -> pd.Series:
    billed = ctx.loc[m, "primary_payer_id"].map(payer_names).fillna(ctx.loc[m, "primary_payer_id"])
    billed = billed.fillna("the patient (self-pay)")
    sec = ctx.loc[m, "secondary_payer_id"].map(payer_names).fillna(ctx.loc[m, "secondary_payer_id"])
    billed = (billed + " and " + sec).where(sec.notna(), billed)
    return (
        "Payer "
        + name[m]
        + " paid "
        + dollars(acct.loc[m, "net_cents"])
        + " (on "
        + day_text(acct.loc[m, "last_pay_date"])
        + ") on a claim billed to "
        + billed
        + ": it is neither the primary nor the secondary payer and owed nothing."
    )


def _above_contract(m, ctx) -> pd.Series:
    should = ctx.loc[m, "charge_cents"] - ctx.loc[m, "allowed_cents"].fillna(
        ctx.loc[m, "charge_cents"]
    )
    return (
        "Write-offs total "
        + dollars(ctx.loc[m, "writeoff_cents"])
        + " on charges of "
        + dollars(ctx.loc[m, "charge_cents"])
        + "; with "
        + _allowed_words(ctx, m)
        + " of "
        + dollars(ctx.loc[m, "allowed_cents"])
        + " only "
        + dollars(should)
        + " should be written off: "
        + dollars(ctx.loc[m, "amount_cents"])
        + " too much."
    )


def _patient(m, ctx, accounts, payer_names) -> pd.Series:
    c = ctx.loc[m]
    sec_done = c["p2_adjudicated"].fillna(False).astype(bool)
    by = c["secondary_payer_id"].where(sec_done, c["primary_payer_id"])
    keyed = pd.DataFrame({"claim_id": c["claim_id"], "payer_id": by}).merge(
        accounts, on=["claim_id", "payer_id"], how="left"
    )
    keyed.index = c.index
    resp = responsibility_text(keyed.fillna({k: 0 for k in keyed.columns if k.endswith("_cents")}))
    who = (
        "payer "
        + by.map(payer_names).fillna(by).fillna("?")
        + " assigned "
        + resp
        + " patient responsibility"
    )
    who = who.where(
        ~c["self_pay"].astype(bool),
        "the patient owes the charge of " + dollars(c["charge_cents"]) + " (self-pay)",
    )
    wo = c["patient_writeoff_cents"]
    wo_txt = (" and had " + dollars(wo) + " written off").where(wo != 0, "")
    return (
        "The patient paid "
        + dollars(c["patient_net_cents"])
        + wo_txt
        + "; "
        + who
        + ": "
        + dollars(c["amount_cents"])
        + " paid above it."
    )


def _unsplit(m, ctx, name) -> pd.Series:
    c = ctx.loc[m]
    return (
        "Payer "
        + name[m]
        + " kept "
        + dollars(c["p1_net_cents"])
        + " and write-offs total "
        + dollars(c["writeoff_cents"])
        + " on charges of "
        + dollars(c["charge_cents"])
        + " less "
        + dollars(c["p1_pr_cents"])
        + " patient responsibility: "
        + dollars(c["amount_cents"])
        + " too much, but with no fee schedule row and no payer-reported allowed amount the "
        "ledger cannot tell a payer overpayment from an excess write-off."
    )
