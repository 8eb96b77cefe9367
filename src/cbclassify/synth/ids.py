"""Vectorized formatting of identifiers and coded values into pyarrow-backed string Series."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from cbclassify.synth.world import EPOCH


def _series(values: pa.Array) -> pd.Series:
    return pd.Series(pd.arrays.ArrowStringArray(values))


def format_ids(
    prefix: str, numbers: np.ndarray, width: int, valid: np.ndarray | None = None
) -> pd.Series:
    """``prefix`` + zero-padded ``numbers`` (NA where ``valid`` is False)."""
    mask = None if valid is None else ~np.asarray(valid, dtype=bool)
    arr = pa.array(np.asarray(numbers, dtype=np.int64), mask=mask)
    padded = pc.utf8_lpad(pc.cast(arr, pa.string()), width, "0")
    return _series(pc.binary_join_element_wise(prefix, padded, ""))


def decode(codes: np.ndarray, values: Sequence[str]) -> pd.Series:
    """Integer codes -> strings of ``values``; negative codes (and empty strings) become NA."""
    codes = np.asarray(codes, dtype=np.int64)
    labels = pa.array([v if v != "" else None for v in values], type=pa.string())
    arr = pa.DictionaryArray.from_arrays(pa.array(codes, mask=codes < 0), labels)
    return _series(arr.cast(pa.string()))


def days_to_dates(days: np.ndarray, valid: np.ndarray | None = None) -> np.ndarray:
    """Days since 1970 -> ``datetime64[ns]`` (NaT where ``valid`` is False)."""
    out = (EPOCH + np.asarray(days, dtype=np.int64).astype("timedelta64[D]")).astype(
        "datetime64[ns]"
    )
    if valid is not None:
        out = np.where(valid, out, np.datetime64("NaT", "ns"))
    return out


def claim_ids(claims: np.ndarray) -> pd.Series:
    """Patient control numbers: 9 digits with leading zeros (identifiers keep them)."""
    return format_ids("", np.asarray(claims) + 1, 9)


def txn_ids(row_numbers: np.ndarray) -> pd.Series:
    """Transaction ids from 0-based posting-order row numbers."""
    return format_ids("T", np.asarray(row_numbers) + 1, 10)


def patient_ids(patients: np.ndarray) -> pd.Series:
    return format_ids("P", np.asarray(patients) + 1, 7)
