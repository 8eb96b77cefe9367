"""Root-cause findings: the (source, dimension value) pairs where credits are unusually common.

For a source s and a dimension value v (a poster, a payer, a CPT, ...):

* ``credits`` n: credits of source s that involve v; ``share_of_source`` = n / (credits of s).
* ``claims`` c: claims that involve v (exposure); N: all claims in the ledger.
* ``rate_per_1000`` = 1000 n / c; ``rest_rate_per_1000`` = 1000 (n_s - n) / (N - c).
* ``lift`` = rate in the group / rate in the rest, each smoothed by +0.5 credit and +1 claim
  so that an empty rest gives a large finite number instead of infinity.
* ``score``: how surprising n is if v had the practice's overall rate: with expected
  E = c n_s / N, score = sqrt(2 (n ln(n/E) - (n - E))) for n > E, else 0 (the signed root of
  the Poisson log-likelihood ratio, roughly a z-score). Findings are ranked by score.

A pair is a finding when n >= ``min_credits``, lift >= ``min_lift`` and v does not cover every
claim (no contrast). Each finding carries its evidence claims.

Two values of different dimensions can be one group: a payer type with a single payer covers
exactly that payer's claims, a posting method used by a single poster exactly that poster's.
Their cells have the same credits and the same claims, so they would be the same finding twice
under two names. ``findings`` keeps one of them, the more specific (``SPECIFIC_FIRST``), and
names the other in it ("Medicare Part B claims (every Medicare claim) carry ...").
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cbclassify.analytics.cells import RootCauseData
from cbclassify.explain.templates import category_words

FINDING_COLUMNS: tuple[str, ...] = (
    "rank",
    "source",
    "dimension",
    "value",
    "finding",
    "credits",
    "credit_amount_cents",
    "share_of_source",
    "claims",
    "rate_per_1000",
    "rest_rate_per_1000",
    "lift",
    "score",
    "evidence_claims",
)


#: Dimensions from the most specific to the broadest: when two cells are the same group (same
#: credits, same claims), the finding is worded by the more specific one.
SPECIFIC_FIRST: tuple[str, ...] = (
    "payer",
    "poster",
    "provider",
    "location",
    "cpt",
    "carc",
    "payer_month",
    "month",
    "posting_method",
    "payer_type",
    "collection",
)
#: The columns that make two cells the same group of credits over the same claims.
_SAME_GROUP = ("source", "credits", "evidence_claims", "claims", "claims_key")

#: How findings name the credits of each source.
SOURCE_NOUNS: dict[str, str] = {
    "payer_overpayment": "payer overpayments",
    "duplicate_payment": "duplicate payments",
    "allowance_error": "allowance errors",
    "patient_credit": "patient credits",
}


def source_noun(source: str) -> str:
    """``allowance_error`` -> ``allowance errors``."""
    return SOURCE_NOUNS.get(source, source.replace("_", " ") + " credits")


def _method_words(method: object) -> str:
    text = str(method)
    return "ERA postings" if text == "ERA" else f"{text.capitalize()} postings"


def cell_statistics(data: RootCauseData) -> pd.DataFrame:
    """Counts, rates, lift and score of every (source, dimension, value) in the data."""
    cells = data.cells
    if cells.empty:
        return pd.DataFrame(columns=[c for c in FINDING_COLUMNS if c not in ("rank", "finding")])
    unique = cells.drop_duplicates(["credit", "dimension", "value"])
    grouped = unique.groupby(["source", "dimension", "value"], sort=False)
    stats = grouped.agg(
        credits=("credit", "nunique"), credit_amount_cents=("credit_amount_cents", "sum")
    )
    stats["evidence_claims"] = grouped["claim_id"].agg(lambda ids: ";".join(sorted(set(ids))))
    stats = stats.reset_index()
    exposure = data.exposure["claims"]
    keys = data.exposure["claims_key"] if "claims_key" in data.exposure else exposure * 0
    pairs = list(zip(stats["dimension"], stats["value"], strict=True))
    stats["claims"] = [exposure.get(pair, 0) for pair in pairs]
    stats["claims_key"] = [keys.get(pair, 0) for pair in pairs]
    totals = data.source_totals
    n = stats["credits"].to_numpy(dtype="float64")
    n_s = stats["source"].map(totals).to_numpy(dtype="float64")
    c = np.maximum(stats["claims"].to_numpy(dtype="float64"), n)  # a group covers its own credits
    total = float(max(data.total_claims, 1))
    rest_claims = np.maximum(total - c, 0.0)
    stats["share_of_source"] = n / n_s
    stats["rate_per_1000"] = 1000 * n / np.maximum(c, 1)
    stats["rest_rate_per_1000"] = np.where(
        rest_claims > 0, 1000 * (n_s - n) / np.maximum(rest_claims, 1), np.nan
    )
    stats["lift"] = ((n + 0.5) / (c + 1)) / ((n_s - n + 0.5) / (rest_claims + 1))
    expected = c * n_s / total
    with np.errstate(divide="ignore", invalid="ignore"):
        llr = np.where(
            n > expected, n * np.log(n / np.maximum(expected, 1e-12)) - (n - expected), 0.0
        )
    stats["score"] = np.sqrt(2 * np.maximum(llr, 0.0))
    stats["covers_all"] = rest_claims <= 0
    return stats


def _month_words(period: str) -> str:
    return pd.Period(period, freq="M").strftime("%B %Y")


def merge_same_groups(stats: pd.DataFrame) -> pd.DataFrame:
    """One row per group of credits over the same claims (see module docstring): the row of
    the most specific dimension, with ``same_as`` listing the others as (dimension, value)."""
    if stats.empty:
        return stats.assign(same_as=pd.Series(index=stats.index, dtype=object))
    order = {d: i for i, d in enumerate(SPECIFIC_FIRST)}
    ranked = stats.assign(
        _specific=stats["dimension"].map(lambda d: order.get(str(d), len(order)))
    ).sort_values(["_specific", "dimension", "value"], kind="stable")
    group = ranked.groupby(list(_SAME_GROUP), sort=False, dropna=False)
    kept = ranked[group.cumcount().to_numpy() == 0].copy()
    pairs = list(zip(ranked["dimension"], ranked["value"], strict=True))
    members = pd.Series(pairs, index=ranked.index).groupby(group.ngroup()).agg(list)
    first_of = group.ngroup()[kept.index]
    kept["same_as"] = [members[g][1:] for g in first_of]
    out: pd.DataFrame = kept.drop(columns="_specific").sort_index()
    return out


def _also_words(row: pd.Series) -> str:
    """How a finding names the broader values that are the same group, e.g. ``every Medicare
    claim``; empty when there are none."""
    words = []
    for dimension, value in row.get("same_as", []) or []:
        if dimension == "payer_type":
            words.append(f"every {category_words(value)} claim")
        elif dimension == "posting_method":
            method = _method_words(value)[:-1]  # "Lockbox posting", "ERA posting"
            words.append(f"every {method if method.isupper() else method[:1].lower() + method[1:]}")
        elif dimension in ("month", "payer_month"):
            words.append(f"all in {_month_words(str(value).rsplit('|', 1)[-1])}")
        else:
            words.append(f"the same claims as {dimension} {value}")
    return f" ({'; '.join(words)})" if words else ""


def _finding_text(row: pd.Series, poster_method: pd.Series) -> str:
    """One finding in words (dimension-specific wording)."""
    src = source_noun(str(row["source"]))
    d, v = str(row["dimension"]), str(row["value"])
    also = _also_words(row)
    n, share, lift = int(row["credits"]), float(row["share_of_source"]), float(row["lift"])
    rates = f"{row['rate_per_1000']:.1f} per 1,000 claims"
    contrast = f"{lift:.1f}x the rate elsewhere"
    if d == "poster":
        method = poster_method.get((row["source"], v))
        kind = _method_words(method) if method is not None else "Postings"
        return f"{kind} by user {v}{also} account for {share:.0%} of {src} ({n} credits; {rates} they posted on, {contrast})"
    if d == "posting_method":
        return f"{_method_words(v)}{also} are behind {share:.0%} of {src} ({n} credits; {rates} with such postings, {contrast})"
    if d == "carc":
        return f"Postings coded {v} are behind {share:.0%} of {src} ({n} credits; {rates} coded so, {contrast})"
    if d == "month":
        return (
            f"{n} {src} arose in {_month_words(v)} ({rates} with postings that month, {contrast})"
        )
    if d == "payer_month":
        payer, month = v.rsplit("|", 1)
        what = {
            "duplicate_payment": "payments were counted twice",
            "payer_overpayment": "payments exceeded what it owed",
            "allowance_error": "claims were written off too much",
            "patient_credit": "patients overpaid",
        }.get(str(row["source"]), f"claims carried {src}")
        return f"{payer}: {what} {n} times in {_month_words(month)} ({contrast})"
    subject = {
        "payer": f"{v} claims",
        "payer_type": f"{category_words(v)} claims",
        "location": f"Claims at location {v}",
        "provider": f"Claims of provider {v}",
        "cpt": f"CPT {v} claims",
        "collection": f"Claims where the {v}",
    }.get(d, f"{d} {v}")
    text = f"{subject}{also} carry {src} at {rates} ({n} credits, {share:.0%} of all {src}; {contrast})"
    return text[:1].upper() + text[1:]


def findings(
    data: RootCauseData, min_credits: int = 3, min_lift: float = 1.5, top: int | None = 25
) -> pd.DataFrame:
    """The findings that stand out, ranked by score (see module docstring)."""
    stats = cell_statistics(data)
    if stats.empty:
        return pd.DataFrame(columns=list(FINDING_COLUMNS))
    keep = (stats["credits"] >= min_credits) & (stats["lift"] >= min_lift) & ~stats["covers_all"]
    chosen = merge_same_groups(stats[keep]).sort_values(
        ["score", "credits", "dimension", "value"], ascending=[False, False, True, True]
    )
    if top is not None:
        chosen = chosen.head(top)
    chosen = chosen.reset_index(drop=True)
    chosen["finding"] = [_finding_text(row, data.poster_method) for _, row in chosen.iterrows()]
    chosen["rank"] = np.arange(1, len(chosen) + 1)
    return chosen[list(FINDING_COLUMNS)]
