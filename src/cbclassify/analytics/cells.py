"""``analyze``: every credit placed on every dimension value it involves ("cells").

A credit involves a claim dimension's value through its claim (payer, location, provider, each
CPT, collection), a posting dimension's value through the postings behind it (poster,
posting method, CARC of its evidence), and its month through its date.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from cbclassify.analytics.credits import evidence_postings
from cbclassify.analytics.dimensions import (
    claim_table,
    claim_values,
    exposures,
    posting_table,
)
from cbclassify.contract.ledger import Ledger


@dataclass(frozen=True)
class RootCauseData:
    """Everything findings and breakdowns are computed from."""

    credits: pd.DataFrame  # the credit events (analytics.credits)
    cells: pd.DataFrame  # credit, claim_id, source, credit_amount_cents, dimension, value
    exposure: pd.DataFrame  # index (dimension, value): claims
    total_claims: int
    poster_method: pd.Series  # index (source, poster): the poster's usual posting method there
    payer_names: pd.Series  # claim_id -> payer name (for texts)

    @property
    def source_totals(self) -> pd.Series:
        """Credits per source."""
        return self.credits["source"].value_counts()


def _month(dates: pd.Series) -> pd.Series:
    months: pd.Series = dates.dt.to_period("M").astype("string")
    return months


def analyze(ledger: Ledger, credits: pd.DataFrame) -> RootCauseData:
    """Place every credit of ``credits`` (CREDIT_EVENT_COLUMNS) on its dimension values."""
    claims = claim_table(ledger)
    postings = posting_table(ledger)
    base = credits.reset_index(drop=True).assign(credit=lambda f: range(len(f)))
    keep = ["credit", "claim_id", "source", "credit_amount_cents"]

    by_claim = base[keep].merge(claim_values(claims, ledger), on="claim_id", how="inner")
    evidence = evidence_postings(ledger, base)[["credit", "txn_id"]].merge(
        postings.drop(columns=["claim_id", "month"]), on="txn_id", how="inner"
    )
    posting_long = evidence.melt(
        id_vars=["credit"],
        value_vars=["poster", "posting_method", "carc"],
        var_name="dimension",
        value_name="value",
    ).dropna()
    by_posting = base[keep].merge(posting_long.drop_duplicates(), on="credit", how="inner")
    month = _month(base["date"])
    by_month = base[keep].assign(dimension="month", value=month)
    payer = base["claim_id"].map(claims["payer"]).astype("string")
    by_payer_month = base[keep].assign(dimension="payer_month", value=payer + "|" + month)
    cells = pd.concat([by_posting, by_claim, by_month, by_payer_month], ignore_index=True)
    cells = cells[cells["value"].notna().to_numpy(bool)].astype(
        {"dimension": "string", "value": "string"}
    )

    by_poster = evidence.merge(base[["credit", "source"]], on="credit")
    usual = by_poster.groupby(["source", "poster"])["posting_method"].agg(
        lambda m: m.mode().iloc[0]
    )
    return RootCauseData(
        credits=base,
        cells=cells.reset_index(drop=True),
        exposure=exposures(claims, ledger, postings),
        total_claims=len(claims),
        poster_method=usual,
        payer_names=claims["payer"],
    )
