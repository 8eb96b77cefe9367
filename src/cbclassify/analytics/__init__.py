"""Root-cause analytics: where credits come from and what makes them recur (pure).

``root_causes(ledger, credits)`` ranks the findings that stand out; ``analyze`` + ``breakdown``
give credits and rates per 1,000 claims by payer, location, provider, CPT, posting method,
poster, CARC and month. ``credits`` is built with ``credits_from_scores`` (open credits, their
verified or predicted source) and/or ``credits_from_resolutions`` (adjudicated ones).
See docs/explanations.md ("Root causes").
"""

from __future__ import annotations

import pandas as pd

from cbclassify.analytics.breakdown import breakdown
from cbclassify.analytics.cells import RootCauseData, analyze
from cbclassify.analytics.credits import (
    CREDIT_EVENT_COLUMNS,
    combine_credits,
    credits_from_resolutions,
    credits_from_scores,
    empty_credits,
)
from cbclassify.analytics.dimensions import DIMENSIONS
from cbclassify.analytics.findings import FINDING_COLUMNS, cell_statistics, findings
from cbclassify.contract.ledger import Ledger


def root_causes(
    ledger: Ledger,
    credits: pd.DataFrame,
    min_credits: int = 3,
    min_lift: float = 1.5,
    top: int | None = 25,
) -> pd.DataFrame:
    """The ranked root-cause findings of ``credits`` over ``ledger`` (FINDING_COLUMNS)."""
    return findings(analyze(ledger, credits), min_credits=min_credits, min_lift=min_lift, top=top)


__all__ = [
    "CREDIT_EVENT_COLUMNS",
    "DIMENSIONS",
    "FINDING_COLUMNS",
    "RootCauseData",
    "analyze",
    "breakdown",
    "cell_statistics",
    "combine_credits",
    "credits_from_resolutions",
    "credits_from_scores",
    "empty_credits",
    "findings",
    "root_causes",
]
