"""Balances per claim line and claim, and the credit-balance worklist."""

from cbclassify.balances.balance import (
    claim_balances,
    credit_balances,
    credits_from_claim_balances,
    ledger_as_of,
    line_balances,
    resolve_as_of,
    signed_balance_effect,
)
from cbclassify.balances.credit_age import credit_since
from cbclassify.balances.worklist import WORKLIST_COLUMNS, build_worklist
from cbclassify.balances.worklist_export import (
    WorklistSummary,
    summarize_worklist,
    to_export_frame,
)
from cbclassify.balances.worklist_query import SORTABLE_COLUMNS, filter_worklist, sort_worklist

__all__ = [
    "SORTABLE_COLUMNS",
    "WORKLIST_COLUMNS",
    "WorklistSummary",
    "build_worklist",
    "claim_balances",
    "credit_balances",
    "credit_since",
    "credits_from_claim_balances",
    "filter_worklist",
    "ledger_as_of",
    "line_balances",
    "resolve_as_of",
    "signed_balance_effect",
    "sort_worklist",
    "summarize_worklist",
    "to_export_frame",
]
