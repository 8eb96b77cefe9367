"""Write a synthetic practice to a folder: the ledger (through ``ledger_io``) plus the truth.

This module is the synth package's file adapter; generation itself does no I/O."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import pandas as pd

from cbclassify.ledger_io.write import write_ledger
from cbclassify.synth.config import SynthPractice
from cbclassify.synth.truth import TRUTH_COLUMNS

TRUTH_FILE = "synth_truth.csv"
_DATES = ("identified_date", "arose_date", "resolved_date")
_BOOLS = ("resolved", "hard_case", "mixed")
_INTS = ("credit_amount_cents", "principal_cents", "secondary_cents")


def truth_to_text(truth: pd.DataFrame) -> pd.DataFrame:
    """Truth frame -> text columns (ISO dates, true/false, integer cents, blanks for NA)."""
    out = pd.DataFrame(index=truth.index)
    for name in truth.columns:
        values = truth[name]
        if name in _DATES:
            out[name] = values.dt.strftime("%Y-%m-%d").fillna("")
        elif name in _BOOLS:
            out[name] = values.map({True: "true", False: "false"}).astype("string").fillna("")
        else:
            out[name] = values.astype("string").fillna("")
    return out


def write_practice(
    practice: SynthPractice, out_dir: Path | str, fmt: Literal["csv", "parquet"] = "csv"
) -> list[Path]:
    """Write the ledger tables (``fmt``) and ``synth_truth.csv`` into ``out_dir``."""
    folder = Path(out_dir)
    written = write_ledger(practice.ledger, folder, fmt=fmt)
    path = folder / TRUTH_FILE
    truth_to_text(practice.truth).to_csv(path, index=False, encoding="utf-8")
    return [*written, path]


def read_truth(path: Path | str) -> pd.DataFrame:
    """Read a ``synth_truth.csv`` (or the folder holding it) back into typed columns."""
    file = Path(path)
    if file.is_dir():
        file = file / TRUTH_FILE
    text = pd.read_csv(file, dtype=str, keep_default_na=False, encoding="utf-8")
    missing = [c for c in TRUTH_COLUMNS[:12] if c not in text.columns]
    if missing:
        raise ValueError(f"{file.name}: missing columns {missing}")
    out = pd.DataFrame(index=text.index)
    for name in text.columns:
        values = text[name].replace("", pd.NA)
        if name in _DATES:
            out[name] = pd.to_datetime(values, format="%Y-%m-%d").astype("datetime64[ns]")
        elif name in _BOOLS:
            out[name] = values.map({"true": True, "false": False}).astype("boolean")
        elif name in _INTS:
            out[name] = values.astype("Int64")
        else:
            out[name] = values.astype("string")
    return out
