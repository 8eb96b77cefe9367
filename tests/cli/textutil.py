"""Output helpers for the CLI tests."""

from __future__ import annotations

import re

_BOX = re.compile(r"[\u2500-\u257f]")  # the box drawing of Typer's error panel


def plain(text: str) -> str:
    """``text`` without the error panel's box and with whitespace collapsed (the panel wraps
    long messages at the terminal width)."""
    return " ".join(_BOX.sub(" ", text).split())
