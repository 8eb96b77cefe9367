"""Allowed amounts per credit: contracted (fee schedule) and payer-reported.

The contracted allowed of a line is ``allowed_per_unit x units`` from the fee-schedule row of
the line's primary payer and CPT whose effective dates cover the date of service and whose
modifier equals the line's (an exact modifier wins over a blank one, which matches any; among
equals, the latest ``effective_from``). The payer-reported allowed is the largest allowed amount
the primary payer reported on a payment of the line (a duplicate posting repeats it).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cbclassify.contract.ledger import Ledger
from cbclassify.features.history import KEY, as_text


def contracted_allowed(ledger: Ledger, lines: pd.DataFrame) -> pd.DataFrame:
    """Per credit: ``contracted_allowed_cents`` over covered lines, ``covered_lines`` count."""
    schedule = ledger.fee_schedule
    billed = lines[lines["payer_id"].notna().to_numpy(dtype=bool)]
    empty = pd.DataFrame(
        {
            "contracted_allowed_cents": pd.Series(dtype="int64"),
            "covered_lines": pd.Series(dtype="int64"),
        }
    )
    if schedule.empty or billed.empty:
        return empty
    left = billed[[KEY, "line_no", "payer_id", "cpt", "modifier", "units", "service_date"]]
    right = schedule.rename(columns={"modifier": "fs_modifier"})
    pairs = left.merge(right, on=["payer_id", "cpt"], how="inner", sort=False)
    if pairs.empty:
        return empty
    date = pairs["service_date"]
    in_force = (pairs["effective_from"] <= date) & (
        pairs["effective_to"].isna() | (date <= pairs["effective_to"])
    )
    line_mod = as_text(pairs["modifier"]).astype(str)
    fs_mod = as_text(pairs["fs_modifier"]).astype(str)
    exact = (fs_mod != "") & (np.char.upper(fs_mod) == np.char.upper(line_mod))
    matches = in_force.to_numpy(dtype=bool) & (exact | (fs_mod == ""))
    pairs = pairs[matches].assign(modifier_rank=np.where(exact[matches], 0, 1))
    pairs = pairs.sort_values(
        [KEY, "line_no", "modifier_rank", "effective_from"],
        ascending=[True, True, True, False],
        kind="stable",
    ).drop_duplicates([KEY, "line_no"])
    allowed = pairs["allowed_per_unit_cents"].astype("int64") * pairs["units"].astype("int64")
    out = (
        pairs.assign(allowed_cents=allowed)
        .groupby(KEY, sort=False)
        .agg(contracted_allowed_cents=("allowed_cents", "sum"), covered_lines=("line_no", "size"))
    )
    return out.astype("int64")


def reported_allowed(postings: pd.DataFrame, primary_payment: np.ndarray) -> pd.Series:
    """Per credit: the primary payer's reported allowed summed over lines (``reported_allowed_cents``).

    ``primary_payment`` marks the postings that are positive payments by the primary payer.
    """
    rows = postings[primary_payment & postings["allowed_amount_cents"].notna().to_numpy(dtype=bool)]
    if rows.empty:
        return pd.Series(dtype="float64", name="reported_allowed_cents")
    per_line = (
        rows.assign(line=rows["line_no"].astype("Int64").fillna(0))
        .groupby([KEY, "line"], sort=False)["allowed_amount_cents"]
        .max()
    )
    return per_line.groupby(level=0).sum().astype("float64").rename("reported_allowed_cents")
