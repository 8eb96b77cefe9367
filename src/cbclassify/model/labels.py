"""Labels for training: a ledger's resolutions, checked, each with its own as-of date.

A label's as-of date is its ``identified_date`` (blank: the ledger's as-of date); its features
are read from the claim's history as of that date. A label whose claim does not exist, or does
not carry a credit on that date, is an error naming file, row and column (contract). Pure.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cbclassify.contract.enums import CREDIT_SOURCES
from cbclassify.contract.errors import Issue, LedgerValidationError
from cbclassify.contract.ledger import Ledger
from cbclassify.contract.money import format_cents
from cbclassify.features.history import balances_as_of

FIRST_DATA_LINE = 2  # the header is line 1 of the file


class LabelValidationError(LedgerValidationError):
    """Resolutions that cannot be used as labels (unknown claim, no credit, bad source)."""


def labelled_credits(ledger: Ledger, resolutions_file: str = "resolutions.csv") -> pd.DataFrame:
    """The ledger's labelled credits, one row per resolution.

    Args:
        ledger: a loaded ledger (its ``resolutions`` are the labels).
        resolutions_file: the file name used in error messages.

    Returns:
        Columns claim_id, as_of_date, label (source), resolved_date, credit_cents, line (the
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
        balance[known] = balances_as_of(ledger, out.loc[known, ["claim_id", "as_of_date"]])
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
    out["credit_cents"] = -balance
    return out
