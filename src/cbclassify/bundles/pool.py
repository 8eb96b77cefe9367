"""One per-claim function over every credit of a ledger, spread over processes by patient.

``map_patient_groups(fn, ledger, credits)`` applies ``fn(context, bundle)`` to each credit's
bundle and returns the results in the credits' order. ``PatientGroups`` does the same for
several functions in turn (scoring: features, then verification) without cutting the ledger
or starting processes again.

The credits are cut into chunks that never split a patient (all credits whose claim's first
line has the same patient go together); each chunk's part of the ledger (``build.select_rows``)
goes to a worker process, which builds that chunk's bundles and applies ``fn``. The
ledger-wide context is built once and sent once to each worker. With ``workers=1`` or a small
batch the same chunks run in this process (one chunk's bundles are built once and kept for the
next function). Workers start with "forkserver" (no fork of a process that may hold threads),
so ``fn`` must be picklable (a module-level function or a ``functools.partial`` of one) and a
script that maps over a large ledger must guard its top level with
``if __name__ == "__main__":``.
"""

from __future__ import annotations

import math
import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self, TypeVar

import pandas as pd

from cbclassify.bundles.build import Credits, credit_bundles, credit_inputs, select_rows
from cbclassify.bundles.claim import ClaimBundle
from cbclassify.bundles.context import LedgerContext, ledger_context
from cbclassify.contract.ledger import Ledger

Result = TypeVar("Result")
BundleFunction = Callable[[LedgerContext, ClaimBundle], Result]

#: Below this many credits the work stays in this process (a pool costs about a second).
IN_PROCESS_CREDITS = 300
#: At most this many credits per chunk (bounds the memory of the bundles alive at once).
CHUNK_CREDITS = 5000
#: Chunks per worker, so that a slow chunk does not leave the other workers idle.
CHUNKS_PER_WORKER = 4


def map_patient_groups(
    fn: BundleFunction[Result],
    ledger: Ledger,
    credits: pd.DataFrame | Credits,
    *,
    workers: int | None = None,
    context: LedgerContext | None = None,
) -> list[Result]:
    """``fn(context, bundle)`` for each credit of ``credits``, in the credits' order.

    Args:
        fn: the per-claim function (picklable, see module docstring).
        ledger: the ledger the credits are on.
        credits: one row per credit (``claim_id``, ``as_of_date``, ``credit_cents``), as
            ``build.credit_bundles`` reads them.
        workers: processes to use (default: every core); 1 runs in this process.
        context: the ledger's context when the caller already has it.
    """
    with PatientGroups(ledger, credits, workers=workers, context=context) as groups:
        return groups.map(fn)


@dataclass(frozen=True)
class _Chunk:
    positions: list[int]  # in the credits
    part: Ledger  # the rows its bundles read (the whole ledger in this process)
    credits: Credits


class PatientGroups:
    """A ledger's credits cut into patient groups once, to map per-claim functions over.

    Use it as a context manager (the worker processes, if any, stop on exit).
    """

    def __init__(
        self,
        ledger: Ledger,
        credits: pd.DataFrame | Credits,
        *,
        workers: int | None = None,
        context: LedgerContext | None = None,
    ) -> None:
        self.ledger = ledger
        self.credits = credit_inputs(credits)
        self.context = ledger_context(ledger) if context is None else context
        count = workers if workers is not None else (os.cpu_count() or 1)
        self.workers = 1 if count <= 1 or len(self.credits) < IN_PROCESS_CREDITS else count
        self._chunks: list[_Chunk] | None = None
        self._kept: list[ClaimBundle] | None = None  # the bundles of a single in-process chunk
        self._pool: ProcessPoolExecutor | None = None

    @classmethod
    def of_bundles(
        cls, ledger: Ledger, context: LedgerContext, bundles: Sequence[ClaimBundle]
    ) -> PatientGroups:
        """Groups of bundles already built (a request's), mapped in this process."""
        credits = Credits(
            [b.claim_id for b in bundles],
            [b.credit_cents for b in bundles],
            [b.as_of for b in bundles],
        )
        groups = cls(ledger, credits, workers=1, context=context)
        groups._kept = list(bundles)
        return groups

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Stop the worker processes (if any were started)."""
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None

    def map(self, fn: BundleFunction[Result]) -> list[Result]:
        """``fn(context, bundle)`` for each credit, in the credits' order."""
        if not len(self.credits):
            return []
        chunks = self._plan()
        if self.workers == 1 and len(chunks) == 1:
            if self._kept is None:
                self._kept = credit_bundles(self.ledger, self.credits, context=self.context)[1]
            return [fn(self.context, bundle) for bundle in self._kept]
        results: list[Any] = [None] * len(self.credits)
        if self.workers == 1:
            for chunk in chunks:
                _place(results, chunk.positions, _apply(fn, self.context, chunk))
            return results
        done = self._executor().map(_run_chunk, [(fn, chunk) for chunk in chunks])
        for chunk, found in zip(chunks, done, strict=True):
            _place(results, chunk.positions, found)
        return results

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=multiprocessing.get_context("forkserver"),
                initializer=_start_worker,
                initargs=(self.context,),
            )
        return self._pool

    def _plan(self) -> list[_Chunk]:
        """The chunks: a patient's credits never split; a worker's chunk carries its part of
        the ledger, an in-process chunk the whole ledger."""
        if self._chunks is not None:
            return self._chunks
        n = len(self.credits)
        count = max(
            self.workers * CHUNKS_PER_WORKER if self.workers > 1 else 1,
            math.ceil(n / CHUNK_CREDITS),
        )
        if count == 1:
            self._chunks = [_Chunk(list(range(n)), self.ledger, self.credits)]
            return self._chunks
        codes, uniques = pd.factorize(patient_keys(self.ledger, self.credits.claim_ids))
        sizes = pd.Series(codes).value_counts(sort=False).reindex(range(len(uniques)), fill_value=0)
        before = sizes.cumsum().to_numpy() - sizes.to_numpy()  # credits of the earlier groups
        chunk_of = ((before * count) // n)[codes]
        self._chunks = []
        for number in range(count):
            positions = [int(i) for i in (chunk_of == number).nonzero()[0]]
            if not positions:
                continue
            credits = self.credits.take(positions)
            part = select_rows(self.ledger, credits.claim_ids) if self.workers > 1 else self.ledger
            self._chunks.append(_Chunk(positions, part, credits))
        return self._chunks


def patient_keys(ledger: Ledger, claim_ids: Sequence[str]) -> pd.Series:
    """Each claim's group key: the patient of its first line in ledger order (the claim id
    itself for a claim without lines)."""
    ids = pd.Series(claim_ids, dtype="string")
    lines = ledger.claim_lines
    lines = lines[lines["claim_id"].isin(list(claim_ids)).to_numpy(dtype=bool)]
    first = lines.drop_duplicates("claim_id").set_index("claim_id")["patient_id"]
    keys = ids.map(first).astype("string")
    return ("p:" + keys).fillna("c:" + ids)


def _apply(fn: BundleFunction[Result], context: LedgerContext, chunk: _Chunk) -> list[Result]:
    _, bundles = credit_bundles(chunk.part, chunk.credits, context=context)
    return [fn(context, bundle) for bundle in bundles]


def _place(results: list[Any], positions: list[int], found: list[Any]) -> None:
    for position, value in zip(positions, found, strict=True):
        results[position] = value


_worker: dict[str, LedgerContext] = {}


def _start_worker(context: LedgerContext) -> None:
    """Pool initializer: keep the ledger's context for every chunk of this worker."""
    _worker["context"] = context


def _run_chunk(task: tuple[BundleFunction[Any], _Chunk]) -> list[Any]:
    fn, chunk = task
    return _apply(fn, _worker["context"], chunk)
