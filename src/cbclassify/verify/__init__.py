"""Deterministic verification of credit-balance sources against the ledger, to the cent."""

from __future__ import annotations

from typing import Any

from cbclassify.verify.engine import RESULT_COLUMNS, verify_credits


def verify_and_recommend(*args: Any, **kwargs: Any) -> Any:
    """``cbclassify.resolve.verify_and_recommend`` (re-exported here for callers that look for
    it next to ``verify_credits``; imported lazily because resolve builds on verify)."""
    from cbclassify.resolve.pipeline import verify_and_recommend as run

    return run(*args, **kwargs)


__all__ = ["RESULT_COLUMNS", "verify_and_recommend", "verify_credits"]
