"""The practices of a portfolio: one ledger folder per practice under a root folder."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

#: A practice whose ledger files hold more than this many bytes is scored in several patient
#: groups (each its own Dask task) rather than one task (about 60 MB per 500k CSV lines).
DEFAULT_SPLIT_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class Practice:
    """One practice: its name (the folder's) and its ledger folder."""

    name: str
    ledger_dir: Path

    def size_bytes(self) -> int:
        """The bytes of the practice's ledger files (0 for an empty or missing folder)."""
        if not self.ledger_dir.is_dir():
            return 0
        return sum(p.stat().st_size for p in self.ledger_dir.iterdir() if p.is_file())

    def parts(self, split_bytes: int) -> int:
        """Patient groups to score it in: 1, or one per ``split_bytes`` of ledger files."""
        if split_bytes <= 0:
            return 1
        return max(1, math.ceil(self.size_bytes() / split_bytes))


def find_practices(root: Path | str) -> list[Practice]:
    """Every sub-folder of ``root`` (hidden ones aside), sorted by name: one practice each.

    A folder that holds no valid ledger is still a practice: scoring reports its problems.
    Raises ``NotADirectoryError`` when ``root`` is not a folder.
    """
    base = Path(root)
    if not base.is_dir():
        raise NotADirectoryError(f"{base}: the portfolio root is not a folder")
    return [
        Practice(child.name, child)
        for child in sorted(base.iterdir(), key=lambda p: p.name)
        if child.is_dir() and not child.name.startswith(".")
    ]
