"""The resolve tests build ledgers with the verification tests' builder."""

from __future__ import annotations

import sys
from pathlib import Path

_VERIFY_TESTS = str(Path(__file__).resolve().parents[1] / "verify")
if _VERIFY_TESTS not in sys.path:
    sys.path.insert(0, _VERIFY_TESTS)
