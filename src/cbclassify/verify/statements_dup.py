"""Statements of the duplicate findings: which posting repeated, where, when, under which trace.

Typed loosely (``m`` a row mask, ``ctx`` the findings joined with claim facts, ``dup`` the
duplicate group of each finding, ``name`` the payer's name per finding). Vectorized per rule.
"""

from __future__ import annotations

import pandas as pd

from cbclassify.verify.prepare import day_text, dollars


def line_words(dup: pd.DataFrame, m: pd.Series) -> pd.Series:
    line = dup.loc[m, "line_key"].astype("Int64")
    return ("line " + line.astype("string")).where(line > 0, "the claim")


def date_words(dup: pd.DataFrame, m: pd.Series) -> pd.Series:
    return day_text(dup.loc[m, "first_date"]) + " and " + day_text(dup.loc[m, "last_date"])


def posted_twice(m, ctx, dup, name) -> pd.Series:
    who = ("Payer " + name[m] + "'s payment").where(
        ctx.loc[m, "payer_id"].notna(), "The patient's payment"
    )
    ref = (
        dup.loc[m, "traces"]
        .fillna("")
        .where(dup.loc[m, "traces"].fillna("") != "", dup.loc[m, "eras"])
    )
    text = (
        who
        + " of "
        + dollars(dup.loc[m, "copy_cents"])
        + " on "
        + line_words(dup, m)
        + " was posted "
        # Int64: ``dup`` is float when other findings of the run have no duplicate group
        + (dup.loc[m, "n_extra"] + 1).astype("Int64").astype("string")
        + " times from one "
        + "remittance or receipt ("
        + ref.fillna("?")
        + "; "
        + date_words(dup, m)
        + ")"
    )
    more = ctx.loc[m, "amount_cents"] > dup.loc[m, "copy_cents"] * dup.loc[m, "n_extra"]
    tail = (
        "; with its write-offs the repeated posting accounts for "
        + dollars(ctx.loc[m, "amount_cents"])
    ).where(more, "")
    return text + tail + ": one posting counted twice, undone internally."


def paid_twice(m, ctx, dup, name) -> pd.Series:
    text = (
        "Payer "
        + name[m]
        + " paid "
        + dollars(dup.loc[m, "copy_cents"])
        + " for "
        + line_words(dup, m)
        + " twice, on remittances with different traces ("
        + dup.loc[m, "traces"].fillna("?")
        + "; "
        + date_words(dup, m)
        + ")"
    )
    full = dup.loc[m, "extra_cents"]
    part = ctx.loc[m, "amount_cents"] < full
    tail = (
        "; " + dollars(full - ctx.loc[m, "amount_cents"]) + " of it is already back with the payer"
    ).where(part, "")
    return text + tail + ": the payer paid the same service twice."


def untraced(m, dup, name) -> pd.Series:
    return (
        "A payment of "
        + dollars(dup.loc[m, "copy_cents"])
        + " from "
        + name[m].where(name[m] != "?", "the patient")
        + " on "
        + line_words(dup, m)
        + " was posted twice ("
        + date_words(dup, m)
        + ") with no trace number or remittance to tell a double posting from a double payment."
    )


def adjustment_twice(m, dup) -> pd.Series:
    code = dup.loc[m, "group_code"].fillna("") + "-" + dup.loc[m, "reason_code"].fillna("")
    return (
        "Write-off "
        + code.str.strip("-")
        + " of "
        + dollars(dup.loc[m, "copy_cents"])
        + " on "
        + line_words(dup, m)
        + " was posted twice ("
        + date_words(dup, m)
        + "): the same adjustment counted twice."
    )


def receipts_twice(m, dup) -> pd.Series:
    return (
        "The patient paid "
        + dollars(dup.loc[m, "copy_cents"])
        + " twice, on distinct receipts ("
        + dup.loc[m, "traces"].fillna("?")
        + "; "
        + date_words(dup, m)
        + ")."
    )
