"""The dimensions root causes are cut by, and how many claims each value covers (exposure).

Claim dimensions come from the claim (its first line and payer): payer, payer_type, location,
provider, cpt (every CPT on the claim), collection (whether the patient paid before the payer).
Posting dimensions come from the postings behind a credit (its evidence): poster (posted_by),
posting_method (``ERA`` when the posting came from a remittance, else ``manual``), carc
(``CO-45``). ``month`` is the month a credit arose (its date); its exposure is the claims with
a posting in that month (the postings are where credits arise). ``payer_month`` pairs a claim's
payer with the credit's month.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cbclassify.contract.ledger import Ledger

CLAIM_DIMENSIONS: tuple[str, ...] = (
    "payer",
    "payer_type",
    "location",
    "provider",
    "cpt",
    "collection",
)
POSTING_DIMENSIONS: tuple[str, ...] = ("poster", "posting_method", "carc")
TIME_DIMENSIONS: tuple[str, ...] = ("month", "payer_month")
DIMENSIONS: tuple[str, ...] = (*POSTING_DIMENSIONS, *CLAIM_DIMENSIONS, *TIME_DIMENSIONS)
SELF_PAY = "Self-pay"
PAID_BEFORE_PAYER = "patient paid before the payer"


def claim_table(ledger: Ledger) -> pd.DataFrame:
    """One row per claim (index claim_id): payer (name), payer_id, payer_type, location,
    provider, billed month, collection."""
    lines = ledger.claim_lines.sort_values(["claim_id", "line_no"], kind="stable")
    first = lines.drop_duplicates("claim_id").set_index("claim_id")
    payers = ledger.payers.drop_duplicates("payer_id").set_index("payer_id")
    payer_id = first["payer_id"].astype("string")
    name = payer_id.map(payers["payer_name"]).astype("string").fillna(payer_id)
    table = pd.DataFrame(
        {
            "payer_id": payer_id,
            "payer": name.fillna(SELF_PAY),
            "payer_type": payer_id.map(payers["payer_type"]).astype("string").fillna("self_pay"),
            "location": first["location_id"].astype("string"),
            "provider": first["provider_id"].astype("string"),
            "billed_month": lines.groupby("claim_id")["billed_date"].min().dt.to_period("M"),
        }
    )
    table["collection"] = _collection(ledger, table.index)
    return table


def _collection(ledger: Ledger, claims: pd.Index) -> pd.Series:
    """Whether a claim's patient paid before any payer payment was posted."""
    txns = ledger.transactions
    pays = txns[(txns["kind"] == "payment").fillna(False).to_numpy(bool)]
    first_by = pays.groupby(["claim_id", "source"])["posted_date"].min().unstack()
    patient = first_by.get("patient", pd.Series(dtype="datetime64[ns]")).reindex(claims)
    payer = first_by.get("payer", pd.Series(dtype="datetime64[ns]")).reindex(claims)
    before = patient.notna() & (payer.isna() | (patient < payer))
    out = np.where(
        patient.isna(),
        "no patient payment",
        np.where(before, PAID_BEFORE_PAYER, "patient paid after the payer"),
    )
    return pd.Series(out, index=claims, dtype="string")


def posting_table(ledger: Ledger) -> pd.DataFrame:
    """Transactions with the posting dimensions: poster, posting_method, carc."""
    txns = ledger.transactions
    group = txns["group_code"].astype("string")
    reason = txns["reason_code"].astype("string")
    carc = (group.fillna("") + "-" + reason).str.lstrip("-").where(reason.notna())
    return pd.DataFrame(
        {
            "txn_id": txns["txn_id"].astype("string"),
            "claim_id": txns["claim_id"].astype("string"),
            "poster": txns["posted_by"].astype("string"),
            "posting_method": posting_method(txns),
            "carc": carc.astype("string"),
            "month": txns["posted_date"].dt.to_period("M").astype("string"),
        }
    )


def posting_method(txns: pd.DataFrame) -> pd.Series:
    """``ERA`` for a posting from a remittance, else its method (``manual``, ``card``, ...)."""
    method = txns["method"].astype("string").fillna("manual").replace("era", "manual")
    era = txns["era_id"].notna().to_numpy()
    return pd.Series(
        np.where(era, "ERA", method.to_numpy(dtype=object)), index=txns.index, dtype="string"
    )


def claim_values(claims: pd.DataFrame, ledger: Ledger) -> pd.DataFrame:
    """Long (claim_id, dimension, value) pairs of the claim dimensions."""
    parts = [
        claims[[d]].dropna().reset_index().rename(columns={d: "value"}).assign(dimension=d)
        for d in CLAIM_DIMENSIONS
        if d != "cpt"
    ]
    cpt = ledger.claim_lines[["claim_id", "cpt"]].dropna().drop_duplicates()
    parts.append(cpt.rename(columns={"cpt": "value"}).assign(dimension="cpt"))
    out = pd.concat(parts, ignore_index=True)
    return out.astype({"claim_id": "string", "value": "string", "dimension": "string"})


def posting_values(postings: pd.DataFrame) -> pd.DataFrame:
    """Long (claim_id, dimension, value) pairs of the posting dimensions, one per claim."""
    parts = [
        postings[["claim_id", d]].dropna().rename(columns={d: "value"}).assign(dimension=d)
        for d in POSTING_DIMENSIONS
    ]
    out = pd.concat(parts, ignore_index=True).drop_duplicates()
    return out.astype({"claim_id": "string", "value": "string", "dimension": "string"})


def exposures(claims: pd.DataFrame, ledger: Ledger, postings: pd.DataFrame) -> pd.DataFrame:
    """Claims covered by each (dimension, value): index (dimension, value), columns claims
    (how many) and claims_key (an order-free hash of which: the sum of the claim ids' hashes,
    equal for two values that cover the same claims, e.g. a payer type with a single payer)."""
    pairs = pd.concat([claim_values(claims, ledger), posting_values(postings)], ignore_index=True)
    active = postings[["claim_id", "month"]].dropna().drop_duplicates()
    active_payer = active.assign(payer=active["claim_id"].map(claims["payer"]).astype("string"))
    timed = pd.concat(
        [
            active.rename(columns={"month": "value"}).assign(dimension="month"),
            pd.DataFrame(
                {
                    "claim_id": active_payer["claim_id"],
                    "value": active_payer["payer"] + "|" + active_payer["month"],
                    "dimension": "payer_month",
                }
            ),
        ],
        ignore_index=True,
    )
    everything = pd.concat([pairs, timed.astype("string")], ignore_index=True)
    everything = everything.drop_duplicates(["dimension", "value", "claim_id"])
    everything["claim_hash"] = pd.util.hash_pandas_object(everything["claim_id"], index=False)
    grouped = everything.groupby(["dimension", "value"])
    return pd.DataFrame(
        {"claims": grouped["claim_id"].size(), "claims_key": grouped["claim_hash"].sum()}
    )
