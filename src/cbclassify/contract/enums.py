"""Enumerations of the ledger contract v1 (docs/ledger.md)."""

from __future__ import annotations

PAYER_TYPES: tuple[str, ...] = (
    "medicare",
    "medicaid",
    "medicare_advantage",
    "commercial",
    "tricare",
    "workers_comp",
    "other",
)
#: Payer types whose identified overpayments fall under the 60-day rule.
GOVERNMENT_PAYER_TYPES: tuple[str, ...] = ("medicare", "medicaid", "medicare_advantage")

TXN_KINDS: tuple[str, ...] = ("payment", "adjustment", "responsibility", "refund", "transfer")
#: Kinds that lower the balance (their amount is subtracted).
BALANCE_REDUCING_KINDS: tuple[str, ...] = ("payment", "adjustment", "transfer")
TXN_SOURCES: tuple[str, ...] = ("payer", "patient")
TXN_METHODS: tuple[str, ...] = ("era", "manual", "lockbox", "card", "cash", "check")
GROUP_CODES: tuple[str, ...] = ("CO", "PR", "OA", "PI", "CR")

CREDIT_SOURCES: tuple[str, ...] = (
    "payer_overpayment",
    "duplicate_payment",
    "allowance_error",
    "patient_credit",
)
ACTIONS: tuple[str, ...] = (
    "refund_payer",
    "payer_offset",
    "reverse_posting",
    "correct_adjustment",
    "refund_patient",
    "apply_to_balance",
)
VERIFICATIONS: tuple[str, ...] = ("confirmed", "partial", "refuted", "inconclusive")
