"""README for a generated data set (filled in below)."""

from __future__ import annotations

from pathlib import Path


def write_readme(path: Path, practices: dict, seed: int, scale: float) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"# held-out practices (seed {seed}, scale {scale})\n", encoding="utf-8")
