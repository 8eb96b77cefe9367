"""Labels for training: a ledger's resolutions, checked, each with its own as-of date.

A label's as-of date is its ``identified_date`` (blank: the ledger's as-of date); its features
are read from the claim's history as of that date. A label whose claim does not exist, or does
not carry a credit on that date, is an error naming file, row and column (contract). Pure.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from cbclassify.contract.balance_rule import balance_effects
from cbclassify.contract.enums import CREDIT_SOURCES
from cbclassify.contract.errors import Issue, LedgerValidationError
from cbclassify.contract.ledger import Ledger
from cbclassify.contract.money import format_cents

FIRST_DATA_LINE = 2  # the header is line 1 of the file
_ROW = "row"


class LabelValidationError(LedgerValidationError):
    """Resolutions that cannot be used as labels (unknown claim, no credit, bad source)."""


def labelled_credits(ledger: Ledger, resolutions_file: str = "resolutions.csv") -> pd.DataFrame:
    """The ledger's labelled credits, one row per resolution.

    Args:
        ledger: a loaded ledger (its ``resolutions`` are the labels).
        resolutions_file: the file name used in error messages.

    Returns:
        Columns claim_id, as_of_date, label (source), resolved_date, credit_amount_cents, line (the
        resolution's line number in its file). Empty when the ledger has no resolutions.

    Raises:
        LabelValidationError: every unusable resolution, with file, row and column.
    """
    res = ledger.resolutions.reset_index(drop=True)
    line = np.arange(len(res), dtype="int64") + FIRST_DATA_LINE
    as_of = res["identified_date"].fillna(ledger.default_as_of()).astype("datetime64[ns]")
    out = pd.DataFrame(
        {
            "claim_id": res["claim_id"].astype("string"),
            "as_of_date": as_of,
            "label": res["source"].astype("string"),
            "resolved_date": res["resolved_date"],
            "line": line,
        }
    )
    issues: list[Issue] = []
    bad_source = ~out["label"].isin(CREDIT_SOURCES).fillna(False).to_numpy(bool)
    for row in line[bad_source]:
        issues.append(
            Issue(
                resolutions_file, int(row), "source", f"expected one of {', '.join(CREDIT_SOURCES)}"
            )
        )
    known = (
        out["claim_id"].isin(ledger.claim_lines["claim_id"].unique()).fillna(False).to_numpy(bool)
    )
    for row in line[~known]:
        issues.append(Issue(resolutions_file, int(row), "claim_id", "no such claim in claim_lines"))
    balance = np.zeros(len(out), dtype="int64")
    if known.any():
        balance[known] = balances_on_their_dates(ledger, out.loc[known, ["claim_id", "as_of_date"]])
    no_credit = known & (balance > -1)
    for row, date, cents in zip(line[no_credit], as_of[no_credit], balance[no_credit]):
        issues.append(
            Issue(
                resolutions_file,
                int(row),
                "identified_date",
                f"the claim carries no credit balance as of {date:%Y-%m-%d} "
                f"(balance {format_cents(int(cents))}); a label needs a credit on that date",
            )
        )
    if issues:
        raise LabelValidationError(issues)
    out["credit_amount_cents"] = -balance
    return out


def balances_on_their_dates(ledger: Ledger, credits: pd.DataFrame) -> npt.NDArray[np.int64]:
    """Each row's claim balance in cents (int64) as of the row's own ``as_of_date`` (cut to the
    day): its charges billed and the balance effects (``contract.balance_effects``) of its
    postings posted by then; a claim with no line billed by then has balance 0."""
    keys = pd.DataFrame(
        {
            _ROW: np.arange(len(credits), dtype="int64"),
            "claim_id": credits["claim_id"].astype("string").to_numpy(),
            "as_of_date": pd.to_datetime(credits["as_of_date"].to_numpy())
            .normalize()
            .astype("datetime64[ns]"),
        }
    )
    wanted = keys["claim_id"].unique()
    lines = ledger.claim_lines
    lines = lines[lines["claim_id"].isin(wanted).fillna(False).to_numpy(dtype=bool)]
    billed = keys.merge(lines[["claim_id", "charge_amount_cents", "billed_date"]], on="claim_id")
    billed = billed[(billed["billed_date"] <= billed["as_of_date"]).to_numpy(dtype=bool)]
    txns = ledger.transactions
    txns = txns[txns["claim_id"].isin(wanted).fillna(False).to_numpy(dtype=bool)]
    posted = keys.merge(txns[["claim_id", "kind", "amount_cents", "posted_date"]], on="claim_id")
    posted = posted[(posted["posted_date"] <= posted["as_of_date"]).to_numpy(dtype=bool)]
    charge = _sum_per_row(
        billed[_ROW], billed["charge_amount_cents"].astype("Int64").to_numpy("int64", na_value=0)
    )
    effect = _sum_per_row(posted[_ROW], balance_effects(posted["kind"], posted["amount_cents"]))
    return _per_row(charge, len(keys)) + _per_row(effect, len(keys))


def _sum_per_row(rows: pd.Series, cents: npt.NDArray[np.integer[Any]]) -> pd.Series:
    return pd.Series(cents, dtype="int64").groupby(rows.to_numpy()).sum()


def _per_row(sums: pd.Series, count: int) -> npt.NDArray[np.int64]:
    out: npt.NDArray[np.int64] = sums.reindex(range(count), fill_value=0).to_numpy(dtype="int64")
    return out
