"""``resolutions``: each resolution must be for a claim that carried a credit balance.

The claim's balance is taken as of the resolution's ``identified_date`` (blank = the ledger's
as-of date, by default its latest ``posted_date``): charges billed and postings posted on or
before that date, with the contract's balance rule (``contract.balance_rule``). A claim carries
a credit when its balance is below -0.005, i.e. at most -1 cent. Only the claims named in
``resolutions`` are looked at, joined to their charges and postings.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from cbclassify.contract.balance_rule import balance_effects
from cbclassify.contract.money import format_cents
from cbclassify.contract.typed import TypedTable
from cbclassify.contract.validate_issues import IssueCollector, show
from cbclassify.contract.validate_refs import DomainCodes

_CLAIMS: tuple[str, str] = ("claim_lines", "claim_id")


def check_resolution_credits(
    tables: Mapping[str, TypedTable],
    domains: DomainCodes,
    usable: np.ndarray,
    as_of: pd.Timestamp,
    files: Mapping[str, str],
    issues: IssueCollector,
) -> np.ndarray:
    """Report resolutions (rows where ``usable``) whose claim has no credit on the date.

    Returns the mask of reported rows."""
    res = tables["resolutions"]
    failed = np.zeros(res.rows, dtype=bool)
    if not usable.any():
        return failed
    identified = res["identified_date"]
    dates = np.where(identified.na, as_of.to_datetime64(), identified.values)
    wanted = pd.DataFrame(
        {
            "res": np.flatnonzero(usable),
            "code": domains.codes("resolutions", "claim_id", _CLAIMS)[usable],
            "date": dates[usable].astype("datetime64[ns]"),
        }
    )
    lines = tables["claim_lines"]
    line_codes = domains.codes("claim_lines", "claim_id", _CLAIMS)
    keep = _relevant(line_codes, wanted["code"].to_numpy())
    charged = _summed_by_resolution(
        wanted,
        line_codes[keep],
        lines["billed_date"].values[keep],
        lines["charge_amount"].values[keep],
    )
    txns = tables["transactions"]
    txn_codes = domains.codes("transactions", "claim_id", _CLAIMS)
    keep = _relevant(txn_codes, wanted["code"].to_numpy())
    posted = _summed_by_resolution(
        wanted,
        txn_codes[keep],
        txns["posted_date"].values[keep],
        balance_effects(txns["kind"].values.filter(keep), txns["amount"].values[keep]),
    )
    balance = charged + posted
    no_credit = balance > -1
    failed[wanted["res"].to_numpy()[no_credit]] = True
    by_row = dict(zip(wanted["res"].tolist(), balance.tolist(), strict=True))
    claim_ids = res["claim_id"]

    def describe(p: int) -> str:
        when = (
            f"on the ledger's as-of date {as_of:%Y-%m-%d} (identified_date is blank)"
            if identified.na[p]
            else f"on its identified_date {identified.value(p):%Y-%m-%d}"
        )
        return (
            f"claim {show(claim_ids.value(p))} carries no credit balance {when}: its balance "
            f"then is {format_cents(by_row[p])}; expected a claim with a balance below 0.00"
        )

    issues.add_mask(files.get("resolutions", "resolutions"), "claim_id", failed, describe)
    return failed


def _relevant(codes: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Mask of ``codes`` that are among the ``wanted`` claim codes."""
    lookup = np.zeros(int(max(codes.max(initial=0), wanted.max(initial=0))) + 1, dtype=bool)
    lookup[wanted] = True
    relevant: np.ndarray = (codes >= 0) & lookup[np.maximum(codes, 0)]
    return relevant


def _summed_by_resolution(
    wanted: pd.DataFrame, codes: np.ndarray, dates: np.ndarray, cents: np.ndarray
) -> np.ndarray:
    """Per row of ``wanted``: the sum of ``cents`` over rows with its claim code dated on or
    before its date."""
    rows = pd.DataFrame({"code": codes, "when": dates, "cents": cents})
    joined = wanted.merge(rows, on="code", how="inner")
    joined = joined[joined["when"] <= joined["date"]]
    sums = joined.groupby("res")["cents"].sum()
    return sums.reindex(wanted["res"], fill_value=0).to_numpy(dtype=np.int64)
