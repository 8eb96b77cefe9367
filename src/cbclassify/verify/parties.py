"""The four rules as accounting: how much each party holds above what it is owed.

With G the governing allowed, PR the patient responsibility a payer assigned, S its
sequestration (CO-253) and C the charge, a claim settles when

* the primary payer kept ``G - PR1 - S1``           (payer overpayment above that),
* the secondary kept (or wrote off) ``PR1 - PR2 - S2`` (above that: it paid as primary),
* a payer the claim was not billed to kept nothing   (all of it: paid a claim not billed to it),
* contractual write-offs are ``C - G``               (allowance error above that),
* the patient paid (or had written off) the responsibility of the last payer that adjudicated
  (patient credit above that).

These expectations add up to C, so the parties' excesses plus the duplicates set aside add up
to the credit exactly whenever every party is known. A party is unknown when a fact it needs is
missing (no fee schedule and no payer-reported allowed; a manual posting without responsibility
rows); the rest of the claim can still be settled by the pattern rules (duplicates, a payer not
billed, responsibility written off as contractual, a patient paying twice).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cbclassify.verify.masks import select, where
from cbclassify.verify.prepare import Workset

PARTY_COLUMNS = [
    "claim_id",
    "party",  # payer:<id> | writeoffs | payer_writeoffs:<id> | patient
    "payer_id",
    "role",
    "total_cents",  # Int64: excess held (negative: short); NA when unknown
    "default_source",
    "default_rule",
    "unknown_reason",
]


def claim_frame(
    ws: Workset, accounts: pd.DataFrame, patient: pd.DataFrame, allowed: pd.DataFrame
) -> pd.DataFrame:
    """One row per credit claim with the facts the party totals need."""
    claims = (
        ws.credits.merge(ws.claims, on="claim_id", how="left")
        .merge(allowed, on="claim_id", how="left")
        .merge(patient, on="claim_id", how="left")
    )
    prim = _role_row(accounts, "primary", "p1_")
    sec = _role_row(accounts, "secondary", "p2_")
    claims = claims.merge(prim, on="claim_id", how="left").merge(sec, on="claim_id", how="left")
    # Contractual write-offs are the primary's; a secondary's (Medicaid writing off the rest of
    # the patient's share) and an unbilled payer's belong to that payer's party.
    claims["writeoff_cents"] = claims["p1_writeoff_cents"]
    for col in [
        "p1_net_cents",
        "p1_pr_cents",
        "p1_seq_cents",
        "p1_writeoff_cents",
        "writeoff_cents",
        "p2_net_cents",
        "p2_pr_cents",
        "p2_seq_cents",
        "p2_writeoff_cents",
    ]:
        claims[col] = claims[col].fillna(0).astype("int64")
    for col in ["p1_adjudicated", "p1_pr_known", "p2_adjudicated", "p2_pr_known"]:
        claims[col] = claims[col].fillna(False).astype(bool)
    # A manual payment of the whole allowed amount (less sequestration) assigned the patient
    # nothing: the payer's own arithmetic shows no responsibility.
    full = (claims["p1_net_cents"] + claims["p1_seq_cents"] == claims["allowed_cents"]).fillna(
        False
    )
    claims["p1_paid_in_full"] = (
        claims["p1_adjudicated"] & ~claims["p1_pr_known"] & full.astype(bool)
    )
    claims["p1_pr_known"] = claims["p1_pr_known"] | claims["p1_paid_in_full"]
    claims["self_pay"] = claims["primary_payer_id"].isna()
    claims["has_secondary"] = claims["secondary_payer_id"].notna()
    return claims


def _role_row(accounts: pd.DataFrame, role: str, prefix: str) -> pd.DataFrame:
    rows = accounts[accounts["role"] == role].drop_duplicates("claim_id")
    keep = [
        "net_cents",
        "pr_cents",
        "seq_cents",
        "writeoff_cents",
        "adjudicated",
        "pr_known",
        "payer_id",
    ]
    return rows[["claim_id", *keep]].rename(columns={c: prefix + c for c in keep})


def party_totals(claims: pd.DataFrame, accounts: pd.DataFrame) -> pd.DataFrame:
    """Every party of every credit claim with its excess (NA when unknown) and default source."""
    unsplit = combined_primary_writeoffs(claims)
    split = ~claims["claim_id"].isin(unsplit["claim_id"])
    frames = [
        _primary_party(claims[split]),
        _secondary_party(claims),
        _unbilled_parties(accounts),
        _writeoff_party(claims[split]),
        unsplit,
        _patient_party(claims),
    ]
    parties = pd.concat([f for f in frames if not f.empty], ignore_index=True)
    parties["total_cents"] = parties["total_cents"].astype("Int64")
    return parties[PARTY_COLUMNS]


def _na_where(values: pd.Series | np.ndarray, unknown: pd.Series) -> pd.Series:
    out = pd.Series(values, index=unknown.index).astype("Int64")
    return out.where(~unknown, pd.NA)


def _primary_party(c: pd.DataFrame) -> pd.DataFrame:
    c = c[~c["self_pay"]]
    g = c["allowed_cents"]
    adjudicated = c["p1_adjudicated"]
    owed = g.fillna(0) - c["p1_pr_cents"] - c["p1_seq_cents"]
    excess = where(adjudicated, c["p1_net_cents"] - owed, c["p1_net_cents"])
    no_pr = adjudicated & ~c["p1_pr_known"]
    no_allowed = adjudicated & g.isna()
    reason = select(
        [no_pr, no_allowed],
        [
            "the primary payer's payment was posted manually without patient responsibility",
            "no fee schedule row and no payer-reported allowed amount",
        ],
        default="",
    )
    return pd.DataFrame(
        {
            "claim_id": c["claim_id"],
            "party": "payer:" + c["primary_payer_id"].astype("string"),
            "payer_id": c["primary_payer_id"],
            "role": "primary",
            "total_cents": _na_where(excess, no_pr | no_allowed),
            "default_source": "payer_overpayment",
            "default_rule": "above_allowed",
            "unknown_reason": reason,
        }
    )


def _secondary_party(c: pd.DataFrame) -> pd.DataFrame:
    c = c[c["has_secondary"]]
    adjudicated = c["p2_adjudicated"]
    owed = c["p1_pr_cents"] - c["p2_pr_cents"] - c["p2_seq_cents"]
    held = c["p2_net_cents"] + c["p2_writeoff_cents"]
    excess = where(adjudicated, held - owed, held)
    no_primary = adjudicated & ~(c["p1_adjudicated"] & c["p1_pr_known"])
    no_pr = adjudicated & ~c["p2_pr_known"]
    reason = select(
        [no_primary, no_pr],
        [
            "the secondary payer paid but the primary's patient responsibility is not known",
            "the secondary payer's payment was posted manually without patient responsibility",
        ],
        default="",
    )
    return pd.DataFrame(
        {
            "claim_id": c["claim_id"],
            "party": "payer:" + c["secondary_payer_id"].astype("string"),
            "payer_id": c["secondary_payer_id"],
            "role": "secondary",
            "total_cents": _na_where(excess, no_primary | no_pr),
            "default_source": "payer_overpayment",
            "default_rule": "secondary_excess",
            "unknown_reason": reason,
        }
    )


def _unbilled_parties(accounts: pd.DataFrame) -> pd.DataFrame:
    a = accounts[accounts["role"] == "not_billed"]
    # Write-offs from a payer the claim was not billed to came with its payment: they are its.
    held = a["net_cents"] + a["writeoff_cents"] + a["seq_cents"]
    undeclared_secondary = a["n_oa23"] > 0
    return pd.DataFrame(
        {
            "claim_id": a["claim_id"],
            "party": "payer:" + a["payer_id"],
            "payer_id": a["payer_id"],
            "role": "not_billed",
            "total_cents": _na_where(held.to_numpy(), undeclared_secondary),
            "default_source": "payer_overpayment",
            "default_rule": "not_billed",
            "unknown_reason": where(
                undeclared_secondary,
                "a payer paid as secondary (OA-23) but the claim names no such secondary payer",
                "",
            ),
        }
    )


def _writeoff_party(c: pd.DataFrame) -> pd.DataFrame:
    g = c["allowed_cents"]
    pending = ~c["self_pay"] & ~c["p1_adjudicated"]
    expected = where(c["self_pay"] | pending, 0, c["charge_cents"] - g.fillna(0))
    excess = c["writeoff_cents"] - expected
    unknown_allowed = ~c["self_pay"] & ~pending & g.isna()
    unknown_pending = pending & (c["writeoff_cents"] != 0)
    reason = select(
        [unknown_allowed, unknown_pending],
        [
            "no fee schedule row and no payer-reported allowed amount",
            "write-offs were posted before the primary payer adjudicated",
        ],
        default="",
    )
    return pd.DataFrame(
        {
            "claim_id": c["claim_id"],
            "party": "writeoffs",
            "payer_id": c["primary_payer_id"],
            "role": "writeoffs",
            "total_cents": _na_where(excess, unknown_allowed | unknown_pending),
            "default_source": "allowance_error",
            "default_rule": "above_contract",
            "unknown_reason": reason,
        }
    )


def _patient_party(c: pd.DataFrame) -> pd.DataFrame:
    resp, known, reason = patient_responsibility(c)
    excess = c["patient_net_cents"] + c["patient_writeoff_cents"] - resp
    return pd.DataFrame(
        {
            "claim_id": c["claim_id"],
            "party": "patient",
            "payer_id": pd.Series(pd.NA, index=c.index, dtype="string"),
            "role": "patient",
            "total_cents": _na_where(excess.to_numpy(), ~known),
            "default_source": "patient_credit",
            "default_rule": "above_responsibility",
            "unknown_reason": reason,
        }
    )


def patient_responsibility(c: pd.DataFrame) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(responsibility cents, known, reason-if-unknown): the last adjudicating payer's PR rows;
    a self-pay claim's patient owes the charge."""
    sec_done = c["has_secondary"] & c["p2_adjudicated"]
    prim_done = ~c["self_pay"] & c["p1_adjudicated"]
    resp = select(
        [c["self_pay"], sec_done, prim_done],
        [c["charge_cents"], c["p2_pr_cents"], c["p1_pr_cents"]],
        default=0,
    )
    known = select(
        [c["self_pay"], sec_done, prim_done],
        [True, c["p2_pr_known"], c["p1_pr_known"]],
        default=False,
    ).astype(bool)
    reason = select(
        [c["self_pay"] | known, sec_done | prim_done],
        ["", "the payer's payment was posted manually without patient responsibility rows"],
        default="the payer has not adjudicated the claim yet",
    )
    return (
        pd.Series(resp, index=c.index, dtype="int64"),
        pd.Series(known, index=c.index),
        pd.Series(reason, index=c.index, dtype="string"),
    )


def combined_primary_writeoffs(c: pd.DataFrame) -> pd.DataFrame:
    """Where the allowed amount is unknown, the primary payer and the write-offs together are
    still known (G cancels out): ``net1 + PR1 + S1 + write-offs - C``. The excess cannot be
    split between payer overpayment and allowance error, so its default source is NA."""
    c = c[~c["self_pay"] & c["allowed_cents"].isna() & c["p1_adjudicated"]]
    excess = (
        c["p1_net_cents"]
        + c["p1_pr_cents"]
        + c["p1_seq_cents"]
        + c["writeoff_cents"]
        - c["charge_cents"]
    )
    return pd.DataFrame(
        {
            "claim_id": c["claim_id"],
            "party": "payer_writeoffs:" + c["primary_payer_id"].astype("string"),
            "payer_id": c["primary_payer_id"],
            "role": "primary_and_writeoffs",
            "total_cents": _na_where(excess.to_numpy(), ~c["p1_pr_known"]),
            "default_source": pd.Series(pd.NA, index=c.index, dtype="string"),
            "default_rule": "unsplit",
            "unknown_reason": where(
                c["p1_pr_known"],
                "",
                "the primary payer's payment was posted manually without patient responsibility",
            ),
        }
    )[PARTY_COLUMNS]
