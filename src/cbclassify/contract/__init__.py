"""The ledger contract v1: schema, enums, exact money, the balance rule, the typed in-memory
Ledger, validation."""

from cbclassify.contract.balance_rule import balance_effect, balance_effects
from cbclassify.contract.ledger import Ledger, coerce_frame, empty_frame, memory_dtype
from cbclassify.contract.schema import SCORE_COLUMNS, TABLES, Column, Table

__all__ = [
    "SCORE_COLUMNS",
    "TABLES",
    "Column",
    "Ledger",
    "Table",
    "balance_effect",
    "balance_effects",
    "coerce_frame",
    "empty_frame",
    "memory_dtype",
]
