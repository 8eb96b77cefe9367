"""The labelled dataset: features of every labelled credit, its label and its date; the
time-based split; and a fingerprint that identifies the data a model was trained on. Pure.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cbclassify.contract.enums import CREDIT_SOURCES
from cbclassify.contract.ledger import Ledger
from cbclassify.features import FEATURE_NAMES, credit_features
from cbclassify.model.labels import labelled_credits

#: Columns that describe a labelled row besides its features.
META_COLUMNS: tuple[str, ...] = ("ledger", "claim_id", "as_of_date", "resolved_date", "label")


@dataclass(frozen=True)
class LabelledSet:
    """Features (``FEATURE_NAMES``) and meta columns of labelled credits, one row each."""

    frame: pd.DataFrame
    duplicates_dropped: int = 0
    conflicts_resolved: int = 0

    @property
    def features(self) -> pd.DataFrame:
        return self.frame[list(FEATURE_NAMES)]

    @property
    def labels(self) -> np.ndarray:
        """Integer class ids in ``CREDIT_SOURCES`` order."""
        return label_ids(self.frame["label"])

    def __len__(self) -> int:
        return len(self.frame)

    def subset(self, mask: np.ndarray) -> LabelledSet:
        return LabelledSet(self.frame[mask].reset_index(drop=True))


def label_ids(labels: pd.Series) -> np.ndarray:
    """Source names -> class ids (0..3, ``CREDIT_SOURCES`` order)."""
    codes = pd.Categorical(labels.astype("string"), categories=list(CREDIT_SOURCES)).codes
    if (codes < 0).any():
        raise ValueError("labels outside the four credit sources")
    return codes.astype("int64")


def ledger_labelled_set(
    name: str, ledger: Ledger, resolutions_file: str, *, workers: int | None = None
) -> pd.DataFrame:
    """Features and meta columns of one ledger's labelled credits (``workers``: processes for
    the features; 1 inside a process that may not start children, e.g. a Dask worker)."""
    labels = labelled_credits(ledger, resolutions_file)
    features = credit_features(ledger, labels[["claim_id", "as_of_date"]], workers=workers)
    meta = labels[["claim_id", "as_of_date", "resolved_date", "label"]].assign(ledger=name)
    return pd.concat([meta[list(META_COLUMNS)], features], axis=1)


def combine(frames: list[pd.DataFrame]) -> LabelledSet:
    """The union of labelled frames. The same credit labelled in two exports (same claim, date
    and features) counts once; where such copies disagree on the label, the latest resolution
    wins (billers correct earlier decisions)."""
    if not frames:
        raise ValueError("no labelled ledgers given")
    frame = pd.concat(frames, ignore_index=True)
    identity = pd.util.hash_pandas_object(
        frame[["claim_id", "as_of_date", *FEATURE_NAMES]].astype("string"), index=False
    )
    full = pd.util.hash_pandas_object(
        frame[["claim_id", "as_of_date", "label", *FEATURE_NAMES]].astype("string"), index=False
    )
    exact = full.duplicated().to_numpy()
    frame, identity = frame[~exact], identity[~exact]
    order = np.argsort(frame["resolved_date"].to_numpy(), kind="stable")
    frame, identity = frame.iloc[order], identity.iloc[order]
    conflict = identity.duplicated(keep="last").to_numpy()
    kept = frame[~conflict].sort_values(["as_of_date", "ledger", "claim_id"], kind="stable")
    return LabelledSet(kept.reset_index(drop=True), int(exact.sum()), int(conflict.sum()))


@dataclass(frozen=True)
class Split:
    """Positions of the train, validation and test rows (oldest to newest)."""

    train: np.ndarray
    validation: np.ndarray
    test: np.ndarray


def time_split(dates: pd.Series, test_share: float, validation_share: float) -> Split:
    """Train on older credits, validate on newer, test on the newest (by as-of date; ties keep
    their order, so the split is deterministic)."""
    n = len(dates)
    order = np.argsort(pd.to_datetime(dates).to_numpy(), kind="stable")
    n_test = max(1, round(n * test_share))
    n_val = max(1, round((n - n_test) * validation_share))
    if n - n_test - n_val < 1:
        raise ValueError(f"too few labelled credits to split: {n}")
    return Split(
        train=np.sort(order[: n - n_test - n_val]),
        validation=np.sort(order[n - n_test - n_val : n - n_test]),
        test=np.sort(order[n - n_test :]),
    )


def fingerprint(frame: pd.DataFrame) -> str:
    """A stable sha256 (hex, 16 chars) of a labelled frame's content and column order."""
    hashed = pd.util.hash_pandas_object(frame.astype("string"), index=False).to_numpy()
    digest = hashlib.sha256(hashed.tobytes())
    digest.update("|".join(frame.columns).encode())
    return digest.hexdigest()[:16]
