"""Cache of explanations by a hash of the model input row, so unchanged credits are not
explained again on the next run (the worklist changes slowly from day to day).

Keys are 64-bit hashes of (row values, output index) computed vectorized with
``pandas.util.hash_pandas_object``; the cache belongs to one model (its fingerprint) and is
emptied when another model is used. Pure data: saving it is the caller's business
(``to_arrays`` / ``from_arrays``).
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
from lightgbm import Booster


def model_fingerprint(booster: Booster) -> str:
    """A stable digest of a booster's full text (trees and parameters)."""
    return hashlib.sha256(booster.model_to_string().encode("utf-8")).hexdigest()[:32]


def row_keys(matrix: np.ndarray, outputs: np.ndarray) -> np.ndarray:
    """uint64 key per row of ``matrix`` for the given output index per row."""
    frame = pd.DataFrame(np.asarray(matrix, dtype="float64"))
    frame["__output__"] = np.asarray(outputs, dtype="int64")
    return pd.util.hash_pandas_object(frame, index=False).to_numpy(dtype="uint64")


class ExplanationCache:
    """Contributions (features + 1 values, bias last) by row key, for one model."""

    def __init__(self, fingerprint: str, width: int, max_rows: int = 2_000_000) -> None:
        self.fingerprint = fingerprint
        self.width = width
        self.max_rows = max_rows
        self._keys = pd.Index(np.zeros(0, dtype="uint64"))
        self._values = np.zeros((0, width))

    def __len__(self) -> int:
        return len(self._keys)

    def lookup(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(hit, values)``: a bool mask over ``keys`` and the cached rows of the hits."""
        if len(self._keys) == 0:
            return np.zeros(len(keys), dtype=bool), np.zeros((0, self.width))
        position = self._keys.get_indexer(pd.Index(keys))
        hit = position >= 0
        return hit, self._values[position[hit]]

    def store(self, keys: np.ndarray, values: np.ndarray) -> None:
        """Add rows (newest win on a repeated key); keeps at most ``max_rows`` newest rows."""
        if len(keys) == 0:
            return
        all_keys = np.concatenate([self._keys.to_numpy(dtype="uint64"), np.asarray(keys, "uint64")])
        all_values = np.concatenate([self._values, np.asarray(values, dtype="float64")])
        keep = ~pd.Index(all_keys).duplicated(keep="last")
        all_keys, all_values = all_keys[keep][-self.max_rows :], all_values[keep][-self.max_rows :]
        self._keys = pd.Index(all_keys)
        self._values = all_values

    def to_arrays(self) -> dict[str, np.ndarray]:
        """The cache as arrays (e.g. for ``numpy.savez``)."""
        return {
            "fingerprint": np.array(self.fingerprint),
            "keys": self._keys.to_numpy(dtype="uint64"),
            "values": self._values,
        }

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], fingerprint: str) -> ExplanationCache:
        """A cache from ``to_arrays`` output; empty when it was made for another model."""
        values = np.asarray(arrays["values"], dtype="float64")
        cache = cls(fingerprint, values.shape[1] if values.ndim == 2 else 0)
        if str(arrays["fingerprint"]) == fingerprint and values.ndim == 2:
            cache.store(np.asarray(arrays["keys"], dtype="uint64"), values)
        return cache
