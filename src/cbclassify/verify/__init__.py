"""Deterministic verification of credit-balance sources against the ledger, to the cent."""

from __future__ import annotations

from cbclassify.verify.engine import (
    RESULT_COLUMNS,
    Verdict,
    verify_bundle,
    verify_credits,
    verify_records,
)

__all__ = ["RESULT_COLUMNS", "Verdict", "verify_bundle", "verify_credits", "verify_records"]
