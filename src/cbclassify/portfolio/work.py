"""The unit of portfolio work, run on a Dask worker: score one practice, or one patient group
of a large practice, exactly as ``cbclassify score`` scores the whole ledger.

Everything a task needs travels in its ``PartTask`` (paths, model URI, tracking URI), so a task
runs the same on this machine's local cluster and on a remote worker that sees the same files.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from cbclassify.balances import credit_balances, resolve_as_of
from cbclassify.contract.errors import LedgerValidationError
from cbclassify.contract.ledger import Ledger


@dataclass(frozen=True)
class ModelRef:
    """The model a portfolio run scores with: a pinned URI and the tracking store to read it."""

    uri: str
    tracking_uri: str | None = None


@dataclass(frozen=True)
class PartTask:
    """Score patient group ``part`` of ``parts`` of one practice's ledger."""

    practice: str
    ledger_dir: str
    model: ModelRef
    as_of: pd.Timestamp | None
    part: int = 0
    parts: int = 1


@dataclass
class PartResult:
    """A scored part: its rows (indexed by position among the practice's credits) or the
    ledger's problems when it is invalid."""

    practice: str
    part: int
    as_of: pd.Timestamp | None = None
    scores: pd.DataFrame | None = None
    problems: list[str] = field(default_factory=list)


def patient_part(patient_ids: pd.Series, parts: int) -> np.ndarray:
    """The patient group (0 .. parts-1) of each patient id: a stable hash, the same on every
    worker and every run, so all claims of a patient fall in one group."""
    return np.array(
        [zlib.crc32(str(p).encode("utf-8")) % parts for p in patient_ids], dtype="int64"
    )


def part_credits(ledger: Ledger, credits: pd.DataFrame, part: int, parts: int) -> np.ndarray:
    """Positions (among ``credits``) of the credits whose patient falls in group ``part``."""
    if parts <= 1:
        return np.arange(len(credits))
    owners = ledger.claim_lines.drop_duplicates("claim_id").set_index("claim_id")["patient_id"]
    patients = credits["claim_id"].map(owners)
    return np.flatnonzero(patient_part(patients, parts) == part)


@lru_cache(maxsize=4)
def loaded_model(ref: ModelRef) -> Any:
    """The model of ``ref``, loaded once per worker process."""
    import mlflow

    from cbclassify.model.registry import load_pyfunc

    if ref.tracking_uri:
        mlflow.set_tracking_uri(ref.tracking_uri)
        mlflow.set_registry_uri(ref.tracking_uri)
    return load_pyfunc(ref.uri)


def score_part(task: PartTask) -> PartResult:
    """Read and validate the practice's ledger, then score the credits of the task's patient
    group with ``score_ledger`` (one process: the cluster supplies the parallelism)."""
    from cbclassify.ledger_io import read_ledger
    from cbclassify.scoring import score_ledger

    try:
        ledger = read_ledger(task.ledger_dir, as_of=task.as_of)
    except LedgerValidationError as exc:
        return PartResult(task.practice, task.part, problems=[str(i) for i in exc.issues])
    when = resolve_as_of(ledger, task.as_of)
    credits = credit_balances(ledger, when)
    positions = part_credits(ledger, credits, task.part, task.parts)
    mine = credits.iloc[positions].reset_index(drop=True)
    scores = score_ledger(ledger, loaded_model(task.model), as_of=when, credits=mine, workers=1)
    scores.index = pd.Index(positions, dtype="int64")
    return PartResult(task.practice, task.part, when, scores)
