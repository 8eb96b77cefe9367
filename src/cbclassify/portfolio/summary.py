"""One row per practice of ``portfolio_summary.csv``: its credits and dollars, by predicted
source, by verification and by due-date bucket (pure: from a practice's scores)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from cbclassify.contract.enums import CREDIT_SOURCES, VERIFICATIONS
from cbclassify.contract.money import format_cents

#: Due-date buckets, in days from the as-of date to the due date (``overdue``: before it).
DUE_BUCKETS: tuple[str, ...] = ("overdue", "0_30", "31_60", "61_plus", "none")

SUMMARY_COLUMNS: tuple[str, ...] = (
    "practice",
    "status",
    "problems",
    "first_problem",
    "as_of",
    "credits",
    "credit_amount",
    *(f"{source}_{what}" for source in CREDIT_SOURCES for what in ("credits", "amount")),
    *(f"verification_{v}" for v in VERIFICATIONS),
    *(f"due_{bucket}" for bucket in DUE_BUCKETS),
)


def practice_summary(practice: str, scores: pd.DataFrame, as_of: pd.Timestamp) -> dict[str, Any]:
    """The summary row of a scored practice.

    ``scores`` is ``score_ledger``'s frame (money in ``credit_amount_cents``); ``as_of`` the
    date the practice was scored as of. Money is written as contract decimals.
    """
    cents = scores["credit_amount_cents"].astype("int64")
    row: dict[str, Any] = {
        "practice": practice,
        "status": "scored",
        "problems": 0,
        "first_problem": "",
        "as_of": as_of.strftime("%Y-%m-%d"),
        "credits": len(scores),
        "credit_amount": format_cents(int(cents.sum())),
    }
    for source in CREDIT_SOURCES:
        mine = scores["predicted_source"] == source
        row[f"{source}_credits"] = int(mine.sum())
        row[f"{source}_amount"] = format_cents(int(cents[mine].sum()))
    for value in VERIFICATIONS:
        row[f"verification_{value}"] = int((scores["verification"] == value).sum())
    row.update(_due_buckets(scores["due_date"], as_of))
    return row


def failed_summary(practice: str, problems: list[str], status: str = "invalid") -> dict[str, Any]:
    """The summary row of a practice that could not be scored (``problems``: its errors)."""
    row: dict[str, Any] = dict.fromkeys(SUMMARY_COLUMNS, "")
    row.update(
        practice=practice,
        status=status,
        problems=len(problems),
        first_problem=problems[0] if problems else "",
    )
    return row


def _due_buckets(due_dates: pd.Series, as_of: pd.Timestamp) -> dict[str, int]:
    """Counts of credits per due-date bucket (days from ``as_of`` to the due date)."""
    due = pd.to_datetime(due_dates, errors="coerce")
    days = (due - as_of.normalize()).dt.days
    return {
        "due_overdue": int((days < 0).sum()),
        "due_0_30": int(days.between(0, 30).sum()),
        "due_31_60": int(days.between(31, 60).sum()),
        "due_61_plus": int((days > 60).sum()),
        "due_none": int(due.isna().sum()),
    }
