"""The ledger contract v1: schema, enums, exact money, the typed in-memory Ledger, validation."""

from cbclassify.contract.balance_rule import balance_effect, balance_effects
from cbclassify.contract.ledger import Ledger, coerce_frame, empty_frame, memory_dtype
from cbclassify.contract.schema import SCORE_COLUMNS, TABLES, Column, Table

__all__ = ["balance_effect", "balance_effects", "Ledger", "coerce_frame", "empty_frame", "memory_dtype", "TABLES", "SCORE_COLUMNS", "Column", "Table"]
