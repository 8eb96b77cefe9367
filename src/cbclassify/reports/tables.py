"""The numbers of the manager's report, as small frames (pure pandas, no plotting).

Open credits join the worklist (every credit balance) with the scoring output (source,
verification, action, due date, reasons); a credit's source is the verified one when
verification confirmed it, else the predicted one, else ``unclassified``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cbclassify.contract.enums import CREDIT_SOURCES

UNCLASSIFIED = "unclassified"
SOURCE_ORDER: tuple[str, ...] = (*CREDIT_SOURCES, UNCLASSIFIED)
AGE_BINS = (-1, 30, 60, 90, 180, 365, np.inf)
AGE_LABELS = ("0-30 days", "31-60 days", "61-90 days", "91-180 days", "181-365 days", "over 1 year")
DUE_LABELS = {
    "overdue": "overdue",
    "due_7": "due within 7 days",
    "due_14": "due in 8-14 days",
    "due_30": "due in 15-30 days",
    "later": "due later",
    "none": "no deadline set",
}
#: What a recommended action says about whether the credit was preventable in the office.
PREVENTABLE_BY_ACTION = {
    "correct_adjustment": "preventable: write-off posted wrong",
    "reverse_posting": "preventable: payment posted twice",
    "refund_patient": "preventable: collected more than the patient owed",
    "apply_to_balance": "preventable: collected more than the patient owed",
    "refund_payer": "payer-caused: the payer paid too much",
    "payer_offset": "payer-caused: the payer paid too much",
}
#: How the resolutions table's actions are reported.
ACTION_GROUPS = {
    "refund_payer": "refunded",
    "refund_patient": "refunded",
    "payer_offset": "offset by the payer",
    "apply_to_balance": "applied to other balances",
    "correct_adjustment": "corrected",
    "reverse_posting": "reversed",
}
ACTION_GROUP_ORDER = (
    "refunded",
    "offset by the payer",
    "applied to other balances",
    "corrected",
    "reversed",
)


def open_credits(worklist: pd.DataFrame, scores: pd.DataFrame | None) -> pd.DataFrame:
    """One row per open credit: worklist facts plus source, basis, prediction, verification,
    recommended action, due date and reasons (blank where not scored)."""
    out = worklist.copy()
    columns = [
        "predicted_source",
        "confidence",
        "verification",
        "verified_source",
        "recommended_action",
        "due_date",
        "top_reasons",
    ]
    if scores is not None and len(scores):
        joined = scores.drop_duplicates("claim_id").set_index("claim_id")
        for column in columns:
            values = joined[column] if column in joined.columns else pd.Series(dtype=object)
            out[column] = out["claim_id"].map(values)
    else:
        for column in columns:
            out[column] = pd.NA
    confirmed = out["verification"].astype("string").eq("confirmed").fillna(False).to_numpy(bool)
    verified = out["verified_source"].astype("string")
    predicted = out["predicted_source"].astype("string")
    out["source"] = verified.where(confirmed, predicted).fillna(UNCLASSIFIED)
    out["basis"] = np.where(confirmed, "verified", np.where(predicted.notna(), "predicted", "none"))
    out["due_date"] = pd.to_datetime(out["due_date"])
    return out


def by_source(credits: pd.DataFrame) -> pd.DataFrame:
    """Per source: credits, amount (cents), share of amount, verified credits, median age."""
    index = pd.Index([s for s in SOURCE_ORDER if s in set(credits["source"])], name="source")
    grouped = credits.groupby("source")
    table = pd.DataFrame(index=index)
    table["credits"] = grouped.size().reindex(index).astype("int64")
    table["amount_cents"] = grouped["credit_amount_cents"].sum().reindex(index).astype("int64")
    total = max(int(table["amount_cents"].sum()), 1)
    table["share"] = table["amount_cents"] / total
    table["verified"] = (
        (credits["basis"] == "verified")
        .groupby(credits["source"])
        .sum()
        .reindex(index)
        .astype("int64")
    )
    table["median_age_days"] = grouped["age_days"].median().reindex(index)
    return table


def age_table(credits: pd.DataFrame) -> pd.DataFrame:
    """Credit counts by age bucket (rows) and source (columns)."""
    bucket = pd.cut(credits["age_days"].astype("float64"), AGE_BINS, labels=AGE_LABELS)
    table = pd.crosstab(bucket, credits["source"]).reindex(index=list(AGE_LABELS), fill_value=0)
    return table.reindex(columns=[s for s in SOURCE_ORDER if s in table.columns])


def due_table(credits: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """Credits and amount per due-date bucket (in DUE_LABELS order)."""
    from cbclassify.resolve.deadlines import due_bucket

    bucket = due_bucket(credits["due_date"], as_of)
    grouped = credits.assign(bucket=bucket.to_numpy()).groupby("bucket")
    table = pd.DataFrame(index=pd.Index(list(DUE_LABELS), name="bucket"))
    table["label"] = list(DUE_LABELS.values())
    table["credits"] = grouped.size().reindex(table.index).fillna(0).astype("int64")
    table["amount_cents"] = (
        grouped["credit_amount_cents"].sum().reindex(table.index).fillna(0).astype("int64")
    )
    return table


def urgent_items(
    credits: pd.DataFrame, as_of: pd.Timestamp, within_days: int = 14, limit: int = 25
) -> pd.DataFrame:
    """Overdue credits and those due within ``within_days``, soonest first."""
    days_left = (credits["due_date"] - pd.Timestamp(as_of).normalize()).dt.days
    urgent = credits.assign(days_left=days_left)[
        (days_left <= within_days).fillna(False).to_numpy(bool)
    ]
    return urgent.sort_values(["days_left", "credit_amount_cents"], ascending=[True, False]).head(
        limit
    )


def preventable_table(credits: pd.DataFrame) -> pd.DataFrame:
    """Credits and amount by what the recommended action says about prevention."""
    kind = (
        credits["recommended_action"]
        .astype("string")
        .map(PREVENTABLE_BY_ACTION)
        .fillna("not yet verified")
    )
    grouped = credits.assign(kind=kind.to_numpy()).groupby("kind")
    table = pd.DataFrame(
        {"credits": grouped.size(), "amount_cents": grouped["credit_amount_cents"].sum()}
    )
    return table.sort_values("amount_cents", ascending=False)


def resolution_totals(resolutions: pd.DataFrame | None) -> pd.DataFrame:
    """Resolved credits and amounts per action group (refunded, applied, corrected, ...)."""
    if resolutions is None or resolutions.empty:
        return pd.DataFrame(columns=["credits", "amount_cents"])
    group = resolutions["action"].astype("string").map(ACTION_GROUPS).fillna("other")
    grouped = resolutions.assign(group=group.to_numpy()).groupby("group")
    table = pd.DataFrame(
        {"credits": grouped.size(), "amount_cents": grouped["amount_cents"].sum().astype("int64")}
    )
    order = [g for g in (*ACTION_GROUP_ORDER, "other") if g in table.index]
    return table.reindex(order)


def resolutions_by_month(resolutions: pd.DataFrame | None) -> pd.DataFrame:
    """Resolved amounts (cents) per month (rows) and action group (columns)."""
    if resolutions is None or resolutions.empty:
        return pd.DataFrame()
    group = resolutions["action"].astype("string").map(ACTION_GROUPS).fillna("other")
    month = pd.to_datetime(resolutions["resolved_date"]).dt.to_period("M")
    table = pd.crosstab(
        month, group.to_numpy(), values=resolutions["amount_cents"].astype("float64"), aggfunc="sum"
    )
    return table.fillna(0).reindex(
        columns=[g for g in (*ACTION_GROUP_ORDER, "other") if g in table.columns]
    )
