"""Exact path-dependent TreeSHAP, vectorized over rows with per-leaf lookup tables.

Why this is fast: for a leaf with value v whose path splits on the unique features U (m of
them, cover fractions z_k), TreeSHAP's contribution to feature j depends on the row only through
the set A of path features whose conditions the row satisfies. With
``H(S) = sum_r w(|S| - r, m) e_r(z_S)`` (e_r the elementary symmetric polynomials, w the Shapley
weights ``s!(m-s-1)!/m!``) and ``C0(A) = v * prod_{k not in A} z_k * H(A)``:

* j not in A:  phi_j = -C0(A)
* j in A:      phi_j = (1 - z_j) / z_j * C0(A without j)

So one table of 2^m numbers per leaf (precomputed once per model) replaces the O(m^2)
per-row recursion; a row needs its satisfied-set bitmask per leaf (propagated top-down through
each tree, one vector op per tree level) and a gather. Only the trees of the class being
explained are evaluated. Values equal LightGBM's ``pred_contrib`` up to float rounding (the
test suite checks 1e-9). This is a re-implementation of what ``shap``/LightGBM compute, kept
because it is the lever that makes whole-worklist explanation fast (see docs/explanations.md).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from math import factorial

import numpy as np
from scipy import sparse

from cbclassify.explain.trees import (
    MISSING_NAN,
    MISSING_ZERO,
    ZERO_THRESHOLD,
    ClassForest,
)

#: Leaves with more unique path features than this make tables too large: refuse the model.
MAX_UNIQUE_FEATURES = 22


@dataclass
class LeafTables:
    """The precomputed lookup tables of one ClassForest (see module docstring)."""

    forest: ClassForest
    c0: np.ndarray  # concatenated C0 tables, float64
    leaf_offset: np.ndarray  # int64 start of each leaf's table
    leaf_full: np.ndarray  # int64 (1 << m) - 1 per leaf
    q_leaf: np.ndarray  # per (leaf, path feature) pair, sorted by feature: the leaf
    q_entry: np.ndarray  # (column) the leaf's entry
    q_full: np.ndarray  # (column) int32 (1 << m) - 1 of the leaf
    q_offset: np.ndarray  # (column) int32 table offset of the pair's leaf
    q_notbit: np.ndarray  # (column) int32 ~(1 << bit) of the feature in the leaf's path
    q_scale: np.ndarray  # (column) 1 / (z * (1 << bit)) of the pair
    q_sum: sparse.csr_matrix  # (features used, pairs) 0/1: sums pairs into their feature
    q_features: np.ndarray  # the feature of each run
    depth_starts: np.ndarray  # entry index where each depth level starts (entries sorted)


@cache
def _subset_constants(m: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For all 2^m subsets: popcount, the complement's index and the weight matrix
    w[a, r] = s!(m-s-1)!/m! with s = |a| - r (zero where undefined)."""
    size = 1 << m
    subsets = np.arange(size)
    popcount = np.zeros(size, dtype="int64")
    for b in range(m):
        popcount += (subsets >> b) & 1
    weights = np.array([factorial(s) * factorial(m - s - 1) / factorial(m) for s in range(m)])
    r = np.arange(m + 1)
    s = popcount[:, None] - r[None, :]
    valid = (s >= 0) & (popcount[:, None] <= m - 1)
    w = np.zeros((size, m + 1))
    w[valid] = weights[s[valid]]
    return popcount, (size - 1) ^ subsets, w


def _c0_tables(values: np.ndarray, zeros: np.ndarray) -> np.ndarray:
    """C0 over all 2^m subsets for leaves sharing m = zeros.shape[1]; shape (leaves, 2^m)."""
    n_leaves, m = zeros.shape
    size = 1 << m
    # e[l, a, r]: r-th elementary symmetric polynomial of z over subset a (highest-bit DP).
    e = np.zeros((n_leaves, size, m + 1))
    e[:, 0, 0] = 1.0
    for b in range(m):
        lo, hi = 1 << b, 2 << b
        e[:, lo:hi, :] = e[:, :lo, :]
        e[:, lo:hi, 1:] += zeros[:, b, None, None] * e[:, :lo, :-1]
    popcount, complement, w = _subset_constants(m)
    h = np.einsum("lar,ar->la", e, w)
    p0 = e[:, complement, m - popcount]  # product of z over features NOT in the subset
    c0: np.ndarray = values[:, None] * p0 * h
    return c0


def _pair_sum_matrix(q_feature: np.ndarray, starts: np.ndarray) -> sparse.csr_matrix:
    """Sparse 0/1 matrix that sums each feature's (sorted, contiguous) pairs."""
    run = np.cumsum(np.r_[False, q_feature[1:] != q_feature[:-1]]) if len(q_feature) else q_feature
    ones = np.ones(len(q_feature))
    return sparse.csr_matrix(
        (ones, (run, np.arange(len(q_feature)))), shape=(len(starts), len(q_feature))
    )


def build_tables(forest: ClassForest) -> LeafTables:
    """Precompute the C0 tables and index arrays of a ClassForest."""
    m = np.array([len(f) for f in forest.leaf_features], "int64")
    if len(m) and m.max() > MAX_UNIQUE_FEATURES:
        raise NotImplementedError(f"a leaf path has {m.max()} unique features")
    if any((z <= 0).any() for z in forest.leaf_zero):
        raise NotImplementedError("a split with an empty child (zero cover)")
    sizes = np.left_shift(1, m)
    offset = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype("int64")
    c0 = np.zeros(int(sizes.sum()))
    for width in np.unique(m):
        leaves = np.flatnonzero(m == width)
        per_leaf = (1 << int(width)) * (int(width) + 1) * 8
        step = max(1, (32 * 2**20) // per_leaf)
        for start in range(0, len(leaves), step):
            block = leaves[start : start + step]
            zeros = np.array([forest.leaf_zero[i] for i in block]).reshape(len(block), int(width))
            tables = _c0_tables(forest.leaf_value[block], zeros)
            index = offset[block, None] + np.arange(1 << int(width))[None, :]
            c0[index.ravel()] = tables.ravel()
    q_leaf = np.repeat(np.arange(len(m)), m)
    q_bit = np.concatenate([np.arange(k) for k in m]) if len(m) else np.zeros(0, "int64")
    q_feature = np.concatenate(forest.leaf_features) if len(m) else np.zeros(0, "int64")
    q_zero = np.concatenate(forest.leaf_zero) if len(m) else np.zeros(0)
    order = np.argsort(q_feature, kind="stable")
    q_feature, q_leaf, q_bit, q_zero = q_feature[order], q_leaf[order], q_bit[order], q_zero[order]
    starts = (
        np.flatnonzero(np.r_[True, q_feature[1:] != q_feature[:-1]])
        if len(q_feature)
        else q_feature
    )
    depth_starts = np.flatnonzero(np.r_[True, forest.e_depth[1:] != forest.e_depth[:-1]])
    return LeafTables(
        forest=forest,
        c0=c0,
        leaf_offset=offset.astype("int32"),
        leaf_full=(sizes - 1).astype("int32"),
        q_leaf=q_leaf,
        q_entry=forest.leaf_entry[q_leaf],
        q_full=(sizes - 1).astype("int32")[q_leaf, None],
        q_offset=offset.astype("int32")[q_leaf, None],
        q_notbit=np.invert(np.left_shift(1, q_bit).astype("int32"))[:, None],
        q_scale=(1.0 / (q_zero * np.left_shift(1, q_bit)))[:, None],
        q_sum=_pair_sum_matrix(q_feature, starts),
        q_features=q_feature[starts] if len(q_feature) else q_feature,
        depth_starts=np.r_[depth_starts, len(forest.e_depth)].astype("int64"),
    )


def goes_left(forest: ClassForest, xt: np.ndarray) -> np.ndarray:
    """LightGBM's decision at every internal node for every row, from the transposed matrix
    ``xt`` (features, rows): (nodes, rows) bool."""
    values = xt[forest.n_feature]
    nan = np.isnan(values)
    missing = forest.n_missing[:, None]
    if nan.any():
        values = np.where(nan & (missing != MISSING_NAN), 0.0, values)
    left: np.ndarray = values <= forest.n_threshold[:, None]
    default = (missing == MISSING_NAN) & nan
    if (forest.n_missing == MISSING_ZERO).any():
        default = default | ((missing == MISSING_ZERO) & (np.abs(values) <= ZERO_THRESHOLD))
    if default.any():
        left = np.where(default, forest.n_default_left[:, None], left)
    for node, categories in forest.n_categories.items():
        raw = xt[forest.n_feature[node]]
        ok = ~np.isnan(raw)
        codes = np.where(ok, raw, -1).astype("int64")
        left[node] = ok & (codes >= 0) & np.isin(codes, categories)
    return left


def _add_block(tables: LeafTables, xt: np.ndarray, out: np.ndarray) -> None:
    """Add one tree block's contributions for the rows of ``xt`` (features, rows) into
    ``out`` (features + 1, rows)."""
    forest = tables.forest
    out[-1] += forest.bias
    if not len(tables.q_leaf):
        return
    left = goes_left(forest, xt)
    mask = np.zeros((len(forest.e_depth), xt.shape[1]), dtype="int32")
    bounds = tables.depth_starts
    for level in range(1, len(bounds) - 1):
        blk = slice(int(bounds[level]), int(bounds[level + 1]))
        failed = left[forest.e_node[blk]] != forest.e_left[blk, None]
        mask[blk] = mask[forest.e_parent[blk]] | (failed * forest.e_bitval[blk, None])
    # satisfied path features per (leaf, path feature) pair; C0 at that set without the pair's
    # feature, times 1/z - 1 when the row satisfies the feature's conditions, else times -1
    sq = tables.q_full ^ mask[tables.q_entry]
    cleared = sq & tables.q_notbit
    sq -= cleared
    cleared += tables.q_offset
    values = tables.c0[cleared]
    factor = sq * tables.q_scale
    factor -= 1.0
    values *= factor
    out[tables.q_features] += tables.q_sum @ values


def forest_contributions(
    blocks: list[LeafTables],
    x: np.ndarray,
    n_features: int,
    rows_per_chunk: int = 256,
    threads: int = 1,
) -> np.ndarray:
    """Contributions (rows, n_features + 1, bias last) of one model output.

    Rows are explained in chunks; ``threads`` > 1 runs chunks in a thread pool (numpy releases
    the GIL in the gathers and ufuncs that dominate)."""
    out = np.zeros((n_features + 1, len(x)))

    def run(start: int) -> None:
        xt = np.ascontiguousarray(x[start : start + rows_per_chunk].T)
        view = out[:, start : start + rows_per_chunk]
        for tables in blocks:
            _add_block(tables, xt, view)

    starts = range(0, len(x), rows_per_chunk)
    if threads > 1 and len(starts) > 1:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            list(pool.map(run, starts))
    else:
        for start in starts:
            run(start)
    return out.T.copy()
