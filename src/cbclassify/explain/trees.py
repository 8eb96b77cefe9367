"""LightGBM model access for explanations: the Booster behind a model, its input matrix, and
its trees flattened into numpy arrays (one ``ClassForest`` per model output).

The flattened form is what ``explain.fast`` evaluates. It mirrors LightGBM's own decision rule
(``Tree::NumericalDecision`` / ``CategoricalDecision``) and TreeSHAP's cover fractions
(``data_count(child) / data_count(node)``) so that the values agree with ``pred_contrib``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import lightgbm as lgb
import numpy as np
import pandas as pd

#: LightGBM treats |x| <= this (1e-35f) as zero for ``missing_type=Zero``.
ZERO_THRESHOLD = float(np.float32(1e-35))
MISSING_NONE, MISSING_ZERO, MISSING_NAN = 0, 1, 2
_MISSING_CODES = {"None": MISSING_NONE, "Zero": MISSING_ZERO, "NaN": MISSING_NAN}


def unwrap(model: Any) -> Any:
    """The model inside an MLflow pyfunc (``unwrap_python_model().model``), else ``model``."""
    inner = getattr(model, "unwrap_python_model", None)
    if callable(inner):
        wrapped = getattr(inner(), "model", None)
        return wrapped if wrapped is not None else model
    return model


def booster_of(model: Any) -> lgb.Booster:
    """The ``lightgbm.Booster`` of a Booster, an ``LGBMModel``, an object with ``.booster``
    (``CreditSourceModel``) or an MLflow pyfunc wrapping one."""
    model = unwrap(model)
    if isinstance(model, lgb.Booster):
        return model
    if isinstance(model, lgb.LGBMModel):
        return model.booster_
    inner = getattr(model, "booster", None)
    if isinstance(inner, lgb.Booster):
        return inner
    raise TypeError(f"not a LightGBM model: {type(model).__name__}")


def model_matrix(model: Any, features: pd.DataFrame | np.ndarray) -> np.ndarray:
    """The float64 matrix LightGBM predicts on, exactly as its own pandas conversion builds it.

    An object with ``.matrix(frame)`` (the project's ``CreditSourceModel``) encodes the frame
    itself. Pandas category columns are re-coded to the categories the booster was trained
    with (unseen -> NaN), as ``lightgbm.basic._data_from_pandas`` does.
    """
    model = unwrap(model)
    encode = getattr(model, "matrix", None)
    if callable(encode) and isinstance(features, pd.DataFrame):
        return np.asarray(encode(features), dtype="float64")
    if not isinstance(features, pd.DataFrame):
        return np.asarray(features, dtype="float64")
    frame = features.copy(deep=False)
    cat_cols = [c for c, d in frame.dtypes.items() if isinstance(d, pd.CategoricalDtype)]
    stored = booster_of(model).pandas_categorical or []
    if cat_cols and len(stored) != len(cat_cols):
        raise ValueError("the frame's categorical columns differ from the model's")
    for col, categories in zip(cat_cols, stored):
        codes = frame[col].cat.set_categories(categories).cat.codes.to_numpy()
        frame[col] = np.where(codes < 0, np.nan, codes.astype("float64"))
    return frame.to_numpy(dtype="float64", na_value=np.nan)


def output_count(booster: lgb.Booster) -> int:
    """Number of model outputs (classes for multiclass, 1 otherwise)."""
    return int(booster.num_model_per_iteration())


@dataclass
class ClassForest:
    """All trees of one model output, flattened.

    Internal nodes (``n_*`` arrays) are numbered across trees. Every tree node, leaves included,
    is an "entry" (``e_*``); entries are sorted by depth so parents come before children. For
    each non-root entry: its parent entry, the parent's internal node, whether it is the left
    child and the bit of the parent's split feature in the path's unique-feature list.
    """

    n_feature: np.ndarray  # int64 split feature per internal node
    n_threshold: np.ndarray  # float64
    n_missing: np.ndarray  # int8 MISSING_* code
    n_default_left: np.ndarray  # bool
    n_categories: dict[int, np.ndarray]  # internal node -> categories going left (categorical)
    e_parent: np.ndarray  # int64 parent entry (-1 for roots)
    e_node: np.ndarray  # int64 parent internal node (-1 for roots)
    e_left: np.ndarray  # bool
    e_bitval: np.ndarray  # int32 1 << bit
    e_depth: np.ndarray  # int64
    leaf_entry: np.ndarray  # int64 entry of each leaf
    leaf_value: np.ndarray  # float64
    leaf_features: list[np.ndarray]  # unique features on each leaf's path, in bit order
    leaf_zero: list[np.ndarray]  # cover fraction per unique feature (TreeSHAP zero fraction)
    bias: float  # sum of the trees' expected values


class _ForestBuilder:
    """Walks ``dump_model`` trees of one output into ClassForest arrays."""

    def __init__(self) -> None:
        self.nodes: list[tuple[int, float, int, bool, np.ndarray | None]] = []
        self.entries: list[tuple[int, int, bool, int, int]] = []
        self.leaves: list[tuple[int, float, np.ndarray, np.ndarray]] = []
        self.bias = 0.0

    def add_tree(self, root: dict[str, Any]) -> None:
        if "leaf_value" in root:  # a tree without splits: its value is all bias
            self.bias += float(root["leaf_value"])
            return
        total = float(root["internal_count"])
        stack: list[tuple[dict[str, Any], int, int, bool, int, int, list[int], list[float]]] = [
            (root, -1, -1, False, 0, 0, [], [])
        ]
        while stack:
            node, parent_entry, parent_node, is_left, bitval, depth, feats, zeros = stack.pop()
            entry = len(self.entries)
            self.entries.append((parent_entry, parent_node, is_left, bitval, depth))
            if "leaf_value" in node:
                value = float(node["leaf_value"])
                self.bias += value * float(node["leaf_count"]) / total
                self.leaves.append((entry, value, np.array(feats, "int64"), np.array(zeros)))
                continue
            node_id = self._add_node(node)
            count = float(node["internal_count"])
            feature = int(node["split_feature"])
            for child_key, left in (("left_child", True), ("right_child", False)):
                child = node[child_key]
                frac = float(child.get("internal_count", child.get("leaf_count"))) / count
                child_feats, child_zeros = list(feats), list(zeros)
                if feature in child_feats:
                    bit = child_feats.index(feature)
                    child_zeros[bit] *= frac
                else:
                    bit = len(child_feats)
                    child_feats.append(feature)
                    child_zeros.append(frac)
                stack.append(
                    (child, entry, node_id, left, 1 << bit, depth + 1, child_feats, child_zeros)
                )

    def _add_node(self, node: dict[str, Any]) -> int:
        categories = None
        if node["decision_type"] == "==":
            categories = np.array([int(c) for c in str(node["threshold"]).split("||")], "int64")
            threshold = np.nan
        else:
            threshold = float(node["threshold"])
        missing = _MISSING_CODES[str(node.get("missing_type", "None"))]
        self.nodes.append(
            (
                int(node["split_feature"]),
                threshold,
                missing,
                bool(node.get("default_left", False)),
                categories,
            )
        )
        return len(self.nodes) - 1

    def build(self) -> ClassForest:
        nodes, entries = self.nodes, self.entries
        depth = np.array([e[4] for e in entries], "int64")
        order = np.argsort(depth, kind="stable")
        new_id = np.empty(len(entries), "int64")
        new_id[order] = np.arange(len(entries))
        parent = np.array([e[0] for e in entries], "int64")
        parent = np.where(parent >= 0, new_id[np.maximum(parent, 0)], -1)[order]
        return ClassForest(
            n_feature=np.array([n[0] for n in nodes], "int64"),
            n_threshold=np.array([n[1] for n in nodes], "float64"),
            n_missing=np.array([n[2] for n in nodes], "int8"),
            n_default_left=np.array([n[3] for n in nodes], bool),
            n_categories={i: n[4] for i, n in enumerate(nodes) if n[4] is not None},
            e_parent=parent,
            e_node=np.array([e[1] for e in entries], "int64")[order],
            e_left=np.array([e[2] for e in entries], bool)[order],
            e_bitval=np.array([e[3] for e in entries], "int32")[order],
            e_depth=depth[order],
            leaf_entry=new_id[np.array([lf[0] for lf in self.leaves], "int64")],
            leaf_value=np.array([lf[1] for lf in self.leaves], "float64"),
            leaf_features=[lf[2] for lf in self.leaves],
            leaf_zero=[lf[3] for lf in self.leaves],
            bias=self.bias,
        )


def class_forests(booster: lgb.Booster, trees_per_block: int = 16) -> list[list[ClassForest]]:
    """Per model output, its trees (``i % outputs == k``) flattened in blocks of
    ``trees_per_block`` trees (small blocks keep the evaluation's arrays in cache)."""
    dump = booster.dump_model()
    if dump.get("average_output"):
        raise NotImplementedError("random-forest (average_output) models are not supported")
    outputs = int(dump["num_tree_per_iteration"])
    per_output: list[list[dict[str, Any]]] = [[] for _ in range(outputs)]
    for index, tree in enumerate(dump["tree_info"]):
        if "leaf_coeff" in tree["tree_structure"] or tree.get("is_linear"):
            raise NotImplementedError("linear trees are not supported")
        per_output[index % outputs].append(tree["tree_structure"])
    forests: list[list[ClassForest]] = []
    for trees in per_output:
        blocks = []
        for start in range(0, max(len(trees), 1), trees_per_block):
            builder = _ForestBuilder()
            for root in trees[start : start + trees_per_block]:
                builder.add_tree(root)
            blocks.append(builder.build())
        forests.append(blocks)
    return forests
