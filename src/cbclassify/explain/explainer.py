"""Explain the predicted class of every row, fast: ``FastExplainer``.

Levers (measured in benchmarks/bench_explain.py): only the predicted class's trees are
evaluated; TreeSHAP runs through per-leaf lookup tables (``explain.fast``) built once per model;
rows go in chunks, optionally over threads; rows explained before (same model, same input
values) come from an ``ExplanationCache``. One path for one claim and for a worklist (issue 15):
with 16 trees per block the tables cost about 0.3 ms for one row of the service's model (LightGBM's
``pred_contrib``: 0.1 ms) and explain 10,000 rows in about 0.12 s (``pred_contrib``: 1.2 s);
benchmarks/bench_explain.py prints both per batch size. Only a model the tables cannot read
(linear trees, random forest mode) is explained by LightGBM's ``pred_contrib``, which gives the
same values.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from cbclassify.explain.cache import ExplanationCache, model_fingerprint, row_keys
from cbclassify.explain.contributions import lightgbm_contributions, raw_margins
from cbclassify.explain.fast import LeafTables, build_tables, forest_contributions
from cbclassify.explain.trees import booster_of, class_forests, model_matrix, output_count, unwrap

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Explanation:
    """SHAP contributions toward each row's predicted class (raw-margin / log-odds units)."""

    feature_names: tuple[str, ...]
    class_names: tuple[str, ...]
    predicted: np.ndarray  # (rows,) output index
    contributions: np.ndarray  # (rows, features)
    base: np.ndarray  # (rows,) expected margin of the predicted output

    def __len__(self) -> int:
        return len(self.predicted)

    @property
    def margin(self) -> np.ndarray:
        """base + contributions: the model's raw margin of the predicted output."""
        margin: np.ndarray = self.base + self.contributions.sum(axis=1)
        return margin

    @property
    def predicted_names(self) -> np.ndarray:
        """The predicted class name of each row."""
        names: np.ndarray = np.asarray(self.class_names, dtype=object)[self.predicted]
        return names

    def frame(self) -> pd.DataFrame:
        """Contributions as a frame (one column per feature)."""
        return pd.DataFrame(self.contributions, columns=list(self.feature_names))

    def top(self, k: int = 3) -> tuple[np.ndarray, np.ndarray]:
        """Per row, the ``k`` largest |contributions|: (feature indices, values), strongest first."""
        k = min(k, self.contributions.shape[1])
        order = np.argsort(-np.abs(self.contributions), axis=1, kind="stable")[:, :k]
        return order, np.take_along_axis(self.contributions, order, axis=1)


def _output_index(
    predicted: Sequence[Any] | np.ndarray, class_names: tuple[str, ...]
) -> np.ndarray:
    values = np.asarray(predicted)
    if values.dtype.kind in "iu":
        return values.astype("int64")
    lookup = {name: i for i, name in enumerate(class_names)}
    unknown = sorted({str(v) for v in values} - set(lookup))
    if unknown:
        raise ValueError(f"predicted classes not in the model's classes: {unknown}")
    return np.array([lookup[str(v)] for v in values], dtype="int64")


class FastExplainer:
    """Exact TreeSHAP for the predicted class of each row of a LightGBM model.

    Args:
        model: a Booster, an LGBMClassifier, or an object with ``.booster`` (and ``.matrix``).
        class_names: names of the outputs (default ``class_0``...).
        threads: threads for the row chunks and for LightGBM's margin prediction.
        cache: optional ExplanationCache for this model (explanations by row hash).
        trees_per_block: trees evaluated together (fewer numpy calls per row chunk; larger
            blocks spill the chunk's arrays out of cache).
        rows_per_chunk: rows evaluated together.
    """

    def __init__(
        self,
        model: Any,
        class_names: Sequence[str] | None = None,
        threads: int = 1,
        cache: ExplanationCache | None = None,
        trees_per_block: int = 16,
        rows_per_chunk: int = 256,
    ) -> None:
        self.model = unwrap(model)
        self.booster = booster_of(model)
        self.outputs = output_count(self.booster)
        own_names = getattr(self.model, "feature_names", None)
        self.feature_names = tuple(
            own_names
            if own_names is not None and len(own_names) == self.booster.num_feature()
            else self.booster.feature_name()
        )
        names = (
            tuple(class_names)
            if class_names is not None
            else tuple(f"class_{i}" for i in range(self.outputs))
        )
        if len(names) != self.outputs:
            raise ValueError(f"{len(names)} class names for a model with {self.outputs} outputs")
        self.class_names = names
        self.threads = max(1, threads)
        self.trees_per_block = trees_per_block
        self.rows_per_chunk = rows_per_chunk
        self.cache = cache
        self._forests: list[list[Any]] | None = None
        self._tables: dict[int, list[LeafTables] | None] = {}

    def fingerprint(self) -> str:
        """The model fingerprint a cache for this explainer must carry."""
        return model_fingerprint(self.booster)

    def _tables_for(self, output: int) -> list[LeafTables] | None:
        """Lookup tables of one output, built on first use; None when the fast path cannot
        read the model (then LightGBM's pred_contrib is used)."""
        if output not in self._tables:
            try:
                if self._forests is None:
                    self._forests = class_forests(self.booster, self.trees_per_block)
                self._tables[output] = [build_tables(f) for f in self._forests[output]]
            except NotImplementedError as exc:
                log.info("fast TreeSHAP unavailable (%s); using LightGBM pred_contrib", exc)
                self._tables[output] = None
        return self._tables[output]

    def prepare(self) -> FastExplainer:
        """Build the lookup tables of every output now (e.g. at service start-up)."""
        for output in range(self.outputs):
            self._tables_for(output)
        return self

    def _compute(self, matrix: np.ndarray, predicted: np.ndarray) -> np.ndarray:
        """(rows, F+1) contributions of each row's predicted output, without the cache."""
        n_features = matrix.shape[1]
        out = np.zeros((len(matrix), n_features + 1))
        for output in np.unique(predicted):
            rows = np.flatnonzero(predicted == output)
            tables = self._tables_for(int(output))
            if tables is None:
                full = lightgbm_contributions(self.booster, matrix[rows], threads=self.threads)
                out[rows] = full[:, output, :]
            else:
                out[rows] = forest_contributions(
                    tables, matrix[rows], n_features, self.rows_per_chunk, self.threads
                )
        return out

    def explain(
        self,
        features: pd.DataFrame | np.ndarray,
        predicted: Sequence[Any] | np.ndarray | None = None,
    ) -> Explanation:
        """Contributions toward each row's predicted class.

        Args:
            features: the model input (a frame is encoded as the model's own predict would).
            predicted: each row's predicted class (index or name); default: argmax of the
                model's raw margins (what ``predict_proba`` would pick).
        """
        matrix = model_matrix(self.model, features)
        if predicted is None:
            margins = raw_margins(self.booster, matrix, threads=self.threads)
            chosen = margins.argmax(axis=1) if len(matrix) else np.zeros(0, dtype="int64")
        else:
            chosen = _output_index(predicted, self.class_names)
        values = np.zeros((len(matrix), matrix.shape[1] + 1))
        todo = np.ones(len(matrix), dtype=bool)
        keys = None
        if self.cache is not None and len(matrix):
            keys = row_keys(matrix, chosen)
            hit, cached = self.cache.lookup(keys)
            values[hit] = cached
            todo = ~hit
        if todo.any():
            values[todo] = self._compute(matrix[todo], chosen[todo])
            if self.cache is not None and keys is not None:
                self.cache.store(keys[todo], values[todo])
        return Explanation(
            feature_names=self.feature_names,
            class_names=self.class_names,
            predicted=chosen,
            contributions=values[:, :-1],
            base=values[:, -1],
        )
