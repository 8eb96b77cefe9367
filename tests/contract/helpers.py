"""Helpers for validation tests: break one cell of the tiny ledger and validate it."""

from __future__ import annotations

from functools import lru_cache

import pandas as pd
from ledger_factory import tiny_raw_tables

from cbclassify.contract.errors import Issue
from cbclassify.contract.schema import TABLES
from cbclassify.contract.validate import LedgerCheck, validate_ledger_frames

#: File labels as the reader would give them.
FILES = {name: f"{name}.csv" for name in TABLES}


@lru_cache(maxsize=1)
def _base_tables() -> dict[str, pd.DataFrame]:
    return tiny_raw_tables()


def raw_tables() -> dict[str, pd.DataFrame]:
    """Fresh contract text frames of the tiny ledger (every call a new copy)."""
    return {name: frame.copy() for name, frame in _base_tables().items()}


def set_cell(raw: dict[str, pd.DataFrame], table: str, line: int, column: str, value: str) -> None:
    """Set the cell on file ``line`` (header = 1, so line 2 is the first row)."""
    raw[table].loc[line - 2, column] = value


def check(raw: dict[str, pd.DataFrame], **kwargs: object) -> LedgerCheck:
    """Validate ``raw`` with the reader's file labels."""
    return validate_ledger_frames(raw, FILES, **kwargs)


def issues_at(result: LedgerCheck, file: str, row: int | None, column: str | None) -> list[Issue]:
    """The issues reported at exactly (file, row, column)."""
    return [i for i in result.issues if (i.file, i.row, i.column) == (file, row, column)]


def only_issue(raw: dict[str, pd.DataFrame], **kwargs: object) -> Issue:
    """Validate and return the single issue (fails the test if there is not exactly one)."""
    result = check(raw, **kwargs)
    assert len(result.issues) == 1, [str(i) for i in result.issues]
    return result.issues[0]
