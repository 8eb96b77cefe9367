"""Write a typed Ledger as a contract folder (``NAME.csv`` or ``NAME.parquet`` per table)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import pandas as pd

from cbclassify.contract.ledger import Ledger
from cbclassify.contract.money import format_cents_series
from cbclassify.contract.schema import TABLES, Table

LedgerFormat = Literal["csv", "parquet"]


def to_contract_frame(table: Table, frame: pd.DataFrame) -> pd.DataFrame:
    """Memory frame -> contract text columns (money as ``12.34``, dates ISO, bools true/false)."""
    out = pd.DataFrame(index=frame.index)
    for col in table.columns:
        values = frame[col.memory_name]
        if col.type == "money":
            out[col.name] = format_cents_series(values)
        elif col.type == "date":
            out[col.name] = values.dt.strftime("%Y-%m-%d").fillna("")
        elif col.type == "bool":
            out[col.name] = values.map({True: "true", False: "false"}).astype("string").fillna("")
        elif col.type == "int":
            out[col.name] = values.astype("Int64").astype("string").fillna("")
        else:
            out[col.name] = values.astype("string").fillna("")
    return out


def write_ledger(
    ledger: Ledger,
    out_dir: Path | str,
    fmt: LedgerFormat = "csv",
    include_empty_optional: bool = False,
) -> list[Path]:
    """Write every table of ``ledger`` into ``out_dir``; returns the paths written.

    Optional tables that are empty are skipped unless ``include_empty_optional``.
    A table written in one format removes a stale copy in the other format.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for name, table in TABLES.items():
        frame = ledger.table(name)
        if not table.required and frame.empty and not include_empty_optional:
            continue
        text = to_contract_frame(table, frame)
        path = out / f"{name}.{fmt}"
        other = out / f"{name}.{'parquet' if fmt == 'csv' else 'csv'}"
        if other.exists():
            other.unlink()
        if fmt == "csv":
            text.to_csv(path, index=False, encoding="utf-8")
        else:
            text.astype("string").to_parquet(path, index=False)
        written.append(path)
    return written
