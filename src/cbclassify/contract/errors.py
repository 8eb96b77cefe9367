"""Validation findings that a billing manager can act on: file, row, column, what was expected."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Issue:
    """One problem in an input file.

    ``row`` is the 1-based line number in the file (the header is line 1, so the first data
    row is line 2); None for a file-level problem. ``column`` is None for a row-level problem.
    """

    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column {self.column}"
        return f"{where}: {self.message}"


class LedgerValidationError(ValueError):
    """All problems found in a ledger, reported together."""

    def __init__(self, issues: list[Issue], max_shown: int = 50) -> None:
        self.issues = sorted(issues, key=lambda i: (i.file, i.row or 0, i.column or ""))
        shown = "\n".join(f"  - {i}" for i in self.issues[:max_shown])
        more = len(self.issues) - max_shown
        tail = f"\n  ... and {more} more" if more > 0 else ""
        super().__init__(f"{len(self.issues)} problem(s) in the ledger:\n{shown}{tail}")
