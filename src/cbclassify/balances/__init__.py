"""Balances per claim line and claim, and the credit-balance worklist."""

from cbclassify.balances.balance import (
    claim_balances,
    credit_balances,
    ledger_as_of,
    line_balances,
    resolve_as_of,
    signed_balance_effect,
)

__all__ = [
    "claim_balances",
    "credit_balances",
    "ledger_as_of",
    "line_balances",
    "resolve_as_of",
    "signed_balance_effect",
]
