"""Collect validation issues with a bounded number of ``Issue`` objects per problem.

Rows are addressed by their 0-based position in the table; an ``Issue`` carries the 1-based
line number in the file (header = line 1, so position 0 is line 2). Only rows that have a
problem become ``Issue`` objects, and at most ``cap`` of them per (file, column, rule): the
rest are counted in one summary issue, so memory stays bounded on huge, badly broken files.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from cbclassify.contract.errors import Issue

#: Issue objects kept per (file, column, rule) before the rest is summarised.
MAX_ISSUES_PER_RULE = 1000
#: Line number of the first data row (the header is line 1).
FIRST_DATA_LINE = 2


def line_number(position: int) -> int:
    """The 1-based file line of the data row at 0-based ``position``."""
    return int(position) + FIRST_DATA_LINE


def show(value: object, limit: int = 40) -> str:
    """A found value for a message: quoted and shortened; blanks are named as such."""
    if value is None or value == "":
        return "a blank value"
    text = str(value)
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return repr(text)


class IssueCollector:
    """Accumulates issues; ``add_rows`` keeps at most ``cap`` per call (one rule, one column)."""

    def __init__(self, cap: int = MAX_ISSUES_PER_RULE) -> None:
        self.cap = cap
        self.issues: list[Issue] = []

    def add_file_issue(self, file: str, column: str | None, message: str) -> None:
        """A problem with the file or a whole column (no row)."""
        self.issues.append(Issue(file, None, column, message))

    def add_rows(
        self,
        file: str,
        column: str | None,
        positions: np.ndarray,
        describe: Callable[[int], str],
    ) -> None:
        """One issue per row position (sorted), ``describe(position)`` giving its message."""
        ordered = np.sort(np.asarray(positions, dtype=np.int64))
        for position in ordered[: self.cap]:
            self.issues.append(Issue(file, line_number(position), column, describe(int(position))))
        rest = int(ordered.size) - self.cap
        if rest > 0:
            first = int(ordered[self.cap])
            self.issues.append(
                Issue(
                    file,
                    line_number(first),
                    column,
                    f"... and {rest} more rows with the same problem from this row on "
                    f"(this row: {describe(first)})",
                )
            )

    def add_mask(
        self,
        file: str,
        column: str | None,
        mask: np.ndarray,
        describe: Callable[[int], str],
    ) -> None:
        """``add_rows`` for the positions where the boolean ``mask`` is True."""
        if np.count_nonzero(mask):
            self.add_rows(file, column, np.flatnonzero(mask), describe)
