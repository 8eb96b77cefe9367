"""docs/ledger.md documents every table and column of the contract schema."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cbclassify.contract.schema import TABLES

DOC = Path(__file__).resolve().parents[2] / "docs" / "ledger.md"


def _section(text: str, table: str) -> str:
    match = re.search(rf"^### {table} \(.*?(?=^### |^## )", text, re.DOTALL | re.MULTILINE)
    assert match, f"no section for {table}"
    return match.group(0)


@pytest.mark.parametrize("table", list(TABLES))
def test_every_column_is_documented_with_its_type(table: str) -> None:
    section = _section(DOC.read_text(encoding="utf-8"), table)
    for column in TABLES[table].columns:
        row = re.search(
            rf"^\| {column.name} \| (\w+) \| (yes|no|when [^|]+) \|", section, re.MULTILINE
        )
        assert row, f"{table}.{column.name} missing from docs/ledger.md"
        assert row.group(1) == column.type
        documented_required = row.group(2) == "yes"
        if not row.group(2).startswith("when"):
            assert documented_required == column.required, f"{table}.{column.name}"
    for choice in {c for col in TABLES[table].columns for c in col.choices}:
        assert f"`{choice}`" in section
