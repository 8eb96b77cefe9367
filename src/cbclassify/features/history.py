"""Each credit's own history as of its own date: the claim's lines and postings up to then.

A credit is a row ``(claim_id, as_of_date)``. Training uses the label's ``identified_date``,
serving the run's as-of date. Everything here keeps only charges billed and postings posted on
or before that date, so postings that later resolved a credit never reach the features.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cbclassify.balances import signed_balance_effect
from cbclassify.contract.ledger import Ledger

KEY = "credit_key"


def credit_keys(credits: pd.DataFrame) -> pd.DataFrame:
    """``credits`` (claim_id, as_of_date) with a positional ``credit_key`` 0..n-1."""
    missing = {"claim_id", "as_of_date"} - set(credits.columns)
    if missing:
        raise ValueError(f"credits frame lacks column(s): {sorted(missing)}")
    keys = pd.DataFrame(
        {
            KEY: np.arange(len(credits), dtype="int64"),
            "claim_id": credits["claim_id"].astype("string").to_numpy(),
            "as_of_date": pd.to_datetime(credits["as_of_date"].to_numpy())
            .normalize()
            .astype("datetime64[ns]"),
        }
    )
    if keys["as_of_date"].isna().any():
        raise ValueError("every credit needs an as_of_date")
    return keys


def _subset(frame: pd.DataFrame, claim_ids: pd.Series) -> pd.DataFrame:
    return frame[frame["claim_id"].isin(claim_ids.unique()).fillna(False).to_numpy(dtype=bool)]


def credit_lines(ledger: Ledger, keys: pd.DataFrame) -> pd.DataFrame:
    """Claim lines of each credit's claim billed by its as-of date (one row per credit x line)."""
    lines = _subset(ledger.claim_lines, keys["claim_id"])
    cols = [
        "claim_id",
        "line_no",
        "patient_id",
        "payer_id",
        "secondary_payer_id",
        "service_date",
        "cpt",
        "modifier",
        "units",
        "charge_amount_cents",
        "billed_date",
    ]
    merged = keys.merge(lines[cols], on="claim_id", how="inner", sort=False)
    return merged[merged["billed_date"] <= merged["as_of_date"]].reset_index(drop=True)


def credit_postings(ledger: Ledger, keys: pd.DataFrame) -> pd.DataFrame:
    """Transactions of each credit's claim posted by its as-of date (credit x transaction)."""
    txns = _subset(ledger.transactions, keys["claim_id"])
    merged = keys.merge(txns, on="claim_id", how="inner", sort=False)
    return merged[merged["posted_date"] <= merged["as_of_date"]].reset_index(drop=True)


def as_text(values: pd.Series, fill: str = "") -> np.ndarray:
    """A string column as a numpy object array with NA replaced by ``fill``."""
    return values.astype("string").to_numpy(dtype=object, na_value=fill)


def as_cents(values: pd.Series) -> np.ndarray:
    """A nullable cents column as int64 (NA -> 0)."""
    return values.astype("Int64").to_numpy(dtype="int64", na_value=0)


def service_line_of(cpt: pd.Series, modifier: pd.Series) -> np.ndarray:
    """The discipline a claim line belongs to, from its CPT code and therapy modifier."""
    code = as_text(cpt).astype(str)
    mod = np.char.upper(as_text(modifier).astype(str))
    code_num = pd.to_numeric(pd.Series(code), errors="coerce").to_numpy()
    is_aba = ((code_num >= 97151) & (code_num <= 97158)) | np.isin(code, ["0362T", "0373T"])
    is_speech = np.isin(code_num, [92507, 92508, 92521, 92522, 92523, 92524, 92526, 92610])
    is_bh = ((code_num >= 90785) & (code_num <= 90899)) | (
        (code_num >= 96130) & (code_num <= 96139)
    )
    choices = [
        is_aba,
        mod == "GN",
        mod == "GO",
        mod == "GP",
        is_speech,
        is_bh,
        (code_num >= 97161) & (code_num <= 97164),
        (code_num >= 97165) & (code_num <= 97168),
    ]
    labels = ["aba", "speech", "ot", "pt", "speech", "behavioral_health", "pt", "ot"]
    return np.select(choices, labels, default="other").astype(object)


def claim_frame(ledger: Ledger, keys: pd.DataFrame, lines: pd.DataFrame) -> pd.DataFrame:
    """One row per credit: patient, payers and their types, charge, units, first service date."""
    first = lines.sort_values([KEY, "line_no"], kind="stable").drop_duplicates(KEY)
    first = first.assign(service_line=service_line_of(first["cpt"], first["modifier"]))
    agg = lines.groupby(KEY, sort=False).agg(
        charge_cents=("charge_amount_cents", "sum"),
        units_total=("units", "sum"),
        line_count=("line_no", "size"),
        first_service_date=("service_date", "min"),
    )
    claim = (
        keys.set_index(KEY)
        .join(
            first.set_index(KEY)[["patient_id", "payer_id", "secondary_payer_id", "service_line"]]
        )
        .join(agg)
    )
    payers = ledger.payers.set_index("payer_id")
    claim["payer_type"] = claim["payer_id"].map(payers["payer_type"]).astype("string")
    claim.loc[claim["payer_id"].isna() & claim["line_count"].notna(), "payer_type"] = "self_pay"
    claim["secondary_payer_type"] = (
        claim["secondary_payer_id"].map(payers["payer_type"]).astype("string")
    )
    offset = claim["payer_id"].map(payers["allows_offset"]).astype("boolean")
    claim["payer_allows_offset"] = offset.fillna(False).astype("float64")
    claim["charge_cents"] = claim["charge_cents"].fillna(0).astype("int64")
    return claim


def balances_as_of(ledger: Ledger, credits: pd.DataFrame) -> np.ndarray:
    """Each row's claim balance in cents (int64) as of that row's own ``as_of_date``; a claim
    with no line billed by then has balance 0. Exact: the contract's balance rule."""
    keys = credit_keys(credits)
    lines = credit_lines(ledger, keys)
    postings = credit_postings(ledger, keys)
    charge = (
        pd.Series(as_cents(lines["charge_amount_cents"]))
        .groupby(lines[KEY].to_numpy())
        .sum()
        .reindex(range(len(keys)), fill_value=0)
        .to_numpy(dtype="int64")
    )
    effect = (
        pd.Series(signed_balance_effect(postings).to_numpy(dtype="int64"))
        .groupby(postings[KEY].to_numpy())
        .sum()
        .reindex(range(len(keys)), fill_value=0)
        .to_numpy(dtype="int64")
    )
    return charge + effect
