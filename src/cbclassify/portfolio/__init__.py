"""A billing service's portfolio: every practice's ledger scored (and a model trained) as Dask
work, on a local cluster or any Dask cluster (``cbclassify portfolio``).

This is an application layer over the library: each unit of work is the same ``score_ledger``
that ``cbclassify score`` runs, over one practice or one patient group of a large practice.
"""

from cbclassify.portfolio.practices import Practice, find_practices
from cbclassify.portfolio.score import PortfolioResult, score_portfolio
from cbclassify.portfolio.summary import SUMMARY_COLUMNS, failed_summary, practice_summary

__all__ = [
    "SUMMARY_COLUMNS",
    "PortfolioResult",
    "Practice",
    "failed_summary",
    "find_practices",
    "practice_summary",
    "score_portfolio",
]
