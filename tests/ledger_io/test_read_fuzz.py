"""Whatever bytes a table file holds, reading gives issues (file named), never an exception."""

from __future__ import annotations

import tempfile
from functools import lru_cache
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ledger_factory import tiny_ledger

from cbclassify.ledger_io import validate_ledger_dir, write_ledger

_HEADER = b"patient_id,state\n"
_contents = st.one_of(
    st.binary(max_size=300),
    st.binary(max_size=200).map(lambda b: _HEADER + b),
    st.text(alphabet='PT12,"\n\r \t;x\ufeff\u00e9', max_size=120).map(
        lambda t: _HEADER + t.encode("utf-8")
    ),
)


@lru_cache(maxsize=1)
def _tiny_files() -> dict[str, bytes]:
    """The tiny ledger's CSV files (written once)."""
    with tempfile.TemporaryDirectory() as tmp:
        return {p.name: p.read_bytes() for p in write_ledger(tiny_ledger(), tmp, fmt="csv")}


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(content=_contents, suffix=st.sampled_from(["csv", "parquet"]))
def test_any_bytes_give_issues_not_exceptions(content: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name, data in _tiny_files().items():
            if name != "patients.csv":
                (folder / name).write_bytes(data)
        (folder / f"patients.{suffix}").write_bytes(content)
        issues = validate_ledger_dir(folder)
        for issue in issues:
            assert issue.file and issue.message
