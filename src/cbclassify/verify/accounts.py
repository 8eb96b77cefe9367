"""What each party holds on a claim, from the postings left after duplicates are set aside.

Per (claim, payer): net money kept (payments + transfers - refunds), whether and how it
adjudicated (ERA or manual), the patient responsibility it assigned (by deductible, coinsurance,
copay), sequestration (CO-253), its other write-offs, OA-23 on its payments. Per claim: the
patient's net payments and write-offs. All sums are exact integer cents.
"""

from __future__ import annotations

import pandas as pd

from cbclassify.verify.masks import select, where
from cbclassify.verify.prepare import PRIOR_PAYER_CARC, SEQUESTRATION_CARC
from cbclassify.verify.textops import join_by

PR_NAMES = {"1": "deductible", "2": "coinsurance", "3": "copay"}


def uncoded_sequestration(txns: pd.DataFrame, payers: frozenset[str]) -> pd.Series:
    """True for an adjustment posted without any CAS code by a sequestering payer whose amount
    is the 2% sequestration of that payer's payment on the line (2/98 of the payment, to the
    cent): a paper EOB's CO-253 keyed in without its code. Only one such row per line."""
    flag = pd.Series(False, index=txns.index)
    if not payers:
        return flag
    live = txns[~txns["extra"] & (txns["source"] == "payer") & txns["payer_key"].isin(list(payers))]
    bare = live[
        (live["kind"] == "adjustment")
        & live["group_code"].isna()
        & live["reason_code"].isna()
        & live["line_no"].notna()
    ]
    if bare.empty:
        return flag
    key = ["claim_id", "line_key", "payer_key"]
    pay = (
        live[(live["kind"] == "payment") & (live["amount_cents"] > 0)]
        .groupby(key)["amount_cents"]
        .sum()
    )
    paid = bare.join(pay.rename("line_paid"), on=key)["line_paid"].fillna(0).astype("int64")
    expected = (paid * 2 + 49) // 98
    match = ((bare["amount_cents"] - expected).abs() <= 1) & (paid > 0)
    single = match.groupby([bare[k] for k in key]).transform("sum") == 1
    flag.loc[bare.index] = (match & single).to_numpy()
    return flag


def payer_accounts(txns: pd.DataFrame, claims: pd.DataFrame) -> pd.DataFrame:
    """One row per (claim, payer) that posted anything or was billed, with its role."""
    live = txns[~txns["extra"] & (txns["source"] == "payer")]
    kind = live["kind"]
    reason = live["reason_code"].fillna("")
    is_pay = kind == "payment"
    is_seq = (kind == "adjustment") & ((reason == SEQUESTRATION_CARC) | live["uncoded_seq"])
    frame = pd.DataFrame(
        {
            "claim_id": live["claim_id"],
            "payer_id": live["payer_key"],
            "paid_cents": where(is_pay, live["amount_cents"], 0),
            "moved_cents": where(kind == "transfer", live["amount_cents"], 0),
            "refund_cents": where(kind == "refund", live["amount_cents"], 0),
            "pr_cents": where(kind == "responsibility", live["amount_cents"], 0),
            "seq_cents": where(is_seq, live["amount_cents"], 0),
            "writeoff_cents": where((kind == "adjustment") & ~is_seq, live["amount_cents"], 0),
            "n_pay": is_pay.astype("int64"),
            "n_era_pay": (is_pay & live["era_id"].notna()).astype("int64"),
            "n_pr": (kind == "responsibility").astype("int64"),
            "n_oa23": (is_pay & (reason == PRIOR_PAYER_CARC)).astype("int64"),
            "n_negative": (is_pay & (live["amount_cents"] < 0)).astype("int64"),
        }
    )
    for code, name in PR_NAMES.items():
        frame[f"pr_{name}_cents"] = where(
            (kind == "responsibility") & (reason == code), live["amount_cents"], 0
        )
    pay_dates = live["posted_date"].where(is_pay)
    frame["last_pay_date"] = pay_dates
    frame["first_pay_date"] = pay_dates
    grouped = frame.groupby(["claim_id", "payer_id"], sort=False)
    sums = grouped.sum(numeric_only=True)
    sums["last_pay_date"] = grouped["last_pay_date"].max()
    sums["first_pay_date"] = grouped["first_pay_date"].min()
    keys = pd.DataFrame({"claim_id": live["claim_id"], "payer_id": live["payer_key"]})
    sums["txn_ids"] = join_by(keys, live["txn_id"]).reindex(sums.index)
    accounts = sums.reset_index()
    accounts = _add_billed(accounts, claims)
    accounts["net_cents"] = (
        accounts["paid_cents"] + accounts["moved_cents"] - accounts["refund_cents"]
    ).astype("int64")
    accounts["adjudicated"] = accounts["n_pay"] > 0
    accounts["pr_known"] = (accounts["n_era_pay"] > 0) | (accounts["n_pr"] > 0)
    accounts["role"] = _roles(accounts, claims)
    return accounts


def _add_billed(accounts: pd.DataFrame, claims: pd.DataFrame) -> pd.DataFrame:
    """Add zero rows for billed payers that posted nothing, so every role has a row."""
    billed = pd.concat(
        [
            claims[["claim_id", "primary_payer_id"]].rename(
                columns={"primary_payer_id": "payer_id"}
            ),
            claims[["claim_id", "secondary_payer_id"]].rename(
                columns={"secondary_payer_id": "payer_id"}
            ),
        ],
        ignore_index=True,
    ).dropna()
    billed["payer_id"] = billed["payer_id"].astype("string")
    missing = billed.merge(accounts[["claim_id", "payer_id"]], how="left", indicator=True)
    missing = missing[missing["_merge"] == "left_only"].drop(columns="_merge")
    if missing.empty:
        return accounts
    numeric = accounts.select_dtypes("number").columns
    fill = {c: 0 for c in numeric}
    fill["txn_ids"] = ""
    out = pd.concat([accounts, missing.assign(**fill)], ignore_index=True)
    for col in numeric:
        out[col] = out[col].astype("int64")
    return out


def _roles(accounts: pd.DataFrame, claims: pd.DataFrame) -> pd.Series:
    roles = accounts[["claim_id"]].merge(
        claims[["claim_id", "primary_payer_id", "secondary_payer_id"]], on="claim_id", how="left"
    )
    payer = accounts["payer_id"].astype("string").reset_index(drop=True)
    primary = (roles["primary_payer_id"].astype("string") == payer).fillna(False).to_numpy(bool)
    secondary = (roles["secondary_payer_id"].astype("string") == payer).fillna(False).to_numpy(bool)
    role = select([primary, secondary], ["primary", "secondary"], default="not_billed")
    return pd.Series(role, index=accounts.index, dtype="string")


def patient_accounts(txns: pd.DataFrame, claim_ids: pd.Series) -> pd.DataFrame:
    """Per claim: patient net payments (payments + transfers - refunds), patient write-offs,
    evidence txn_ids, last patient activity date."""
    live = txns[~txns["extra"] & (txns["source"] == "patient")]
    kind = live["kind"]
    frame = pd.DataFrame(
        {
            "claim_id": live["claim_id"],
            "patient_paid_cents": where(kind == "payment", live["amount_cents"], 0),
            "patient_moved_cents": where(kind == "transfer", live["amount_cents"], 0),
            "patient_refund_cents": where(kind == "refund", live["amount_cents"], 0),
            "patient_writeoff_cents": where(kind == "adjustment", live["amount_cents"], 0),
            "last_patient_date": live["posted_date"],
        }
    )
    grouped = frame.groupby("claim_id", sort=False)
    sums = grouped.sum(numeric_only=True)
    sums["last_patient_date"] = grouped["last_patient_date"].max()
    sums["patient_txn_ids"] = join_by(live["claim_id"], live["txn_id"]).reindex(sums.index)
    out = pd.DataFrame({"claim_id": claim_ids}).merge(sums.reset_index(), on="claim_id", how="left")
    for col in [
        "patient_paid_cents",
        "patient_moved_cents",
        "patient_refund_cents",
        "patient_writeoff_cents",
    ]:
        out[col] = out[col].fillna(0).astype("int64")
    out["patient_net_cents"] = (
        out["patient_paid_cents"] + out["patient_moved_cents"] - out["patient_refund_cents"]
    ).astype("int64")
    out["patient_txn_ids"] = out["patient_txn_ids"].fillna("").astype("string")
    return out


def responsibility_text(accounts: pd.DataFrame) -> pd.Series:
    """``$20.00 copay`` / ``$10.00 deductible and $5.00 coinsurance`` / ``$0.00`` per row."""
    from cbclassify.verify.prepare import dollars

    parts = []
    for name in PR_NAMES.values():
        cents = accounts[f"pr_{name}_cents"]
        parts.append((dollars(cents) + " " + name).where(cents != 0, ""))
    other = accounts["pr_cents"] - sum(accounts[f"pr_{n}_cents"] for n in PR_NAMES.values())
    parts.append((dollars(other) + " other").where(other != 0, ""))
    joined = parts[0]
    for part in parts[1:]:
        joined = (joined + " and " + part).where((joined != "") & (part != ""), joined + part)
    return joined.where(joined != "", "$0.00")
