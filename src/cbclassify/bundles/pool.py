"""One per-claim function over every credit of a ledger, spread over processes by patient.

``map_patient_groups(fn, ledger, credits)`` applies ``fn(context, bundle)`` to each credit's
bundle and returns the results in the credits' order. ``PatientGroups`` does the same for
several functions in turn (scoring: features, then verification) and builds each bundle once.

The credits are cut into chunks that never split a patient (all credits whose claim's first
line has the same patient go together). With several workers each chunk belongs to one worker
process: its part of the ledger (``build.select_rows``) is sent once, the worker builds the
chunk's bundles and keeps them for the next function; the ledger-wide context is sent once to
each worker. With ``workers=1`` or a small batch the same chunks run in this process (one
chunk's bundles are kept for the next function). Workers start with "forkserver" (no fork of a
process that may hold threads), so ``fn`` must be picklable (a module-level function or a
``functools.partial`` of one) and a script that maps over a large ledger must guard its top
level with ``if __name__ == "__main__":``.
"""

from __future__ import annotations

import math
import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self, TypeVar

import pandas as pd

from cbclassify.bundles.build import (
    Credits,
    LedgerPart,
    assemble,
    credit_bundles,
    credit_inputs,
    frame_rows,
    select_rows,
)
from cbclassify.bundles.claim import ClaimBundle
from cbclassify.bundles.context import LedgerContext, ledger_context
from cbclassify.bundles.rows import column_isin
from cbclassify.contract.ledger import Ledger

Result = TypeVar("Result")
BundleFunction = Callable[[LedgerContext, ClaimBundle], Result]

#: Below this many credits the work stays in this process (a pool costs about a second).
IN_PROCESS_CREDITS = 300
#: At most this many credits per chunk (bounds the memory of the bundles alive at once).
CHUNK_CREDITS = 20000
#: Chunks per worker (each chunk is pinned to its worker; cutting the ledger costs a scan of
#: the transactions per chunk, so one chunk per worker unless CHUNK_CREDITS asks for more).
CHUNKS_PER_WORKER = 1


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
        credits: one row per credit (``claim_id``, ``as_of_date``, ``credit_amount_cents``), as
            ``build.credit_bundles`` reads them.
        workers: processes to use (default: every core); 1 runs in this process.
        context: the ledger's context when the caller already has it.
    """
    with PatientGroups(ledger, credits, workers=workers, context=context) as groups:
        return groups.map(fn)


@dataclass
class _Chunk:
    positions: list[int]  # in the credits
    credits: Credits
    part: LedgerPart | None  # the rows a worker reads; None once sent (or in this process)


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
        self._pools: list[ProcessPoolExecutor] = []  # one single-process pool per worker

    @classmethod
    def of_bundles(
        cls, ledger: Ledger, context: LedgerContext, bundles: Sequence[ClaimBundle]
    ) -> PatientGroups:
        """Groups of bundles already built (a request's), mapped in this process."""
        credits = Credits(
            [b.claim_id for b in bundles],
            [b.credit_amount_cents for b in bundles],
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
        for pool in self._pools:
            pool.shutdown()
        self._pools = []

    def map(self, fn: BundleFunction[Result]) -> list[Result]:
        """``fn(context, bundle)`` for each credit, in the credits' order."""
        if not len(self.credits):
            return []
        if self.workers > 1:
            return self._map_in_workers(fn)
        chunks = self._plan()
        if len(chunks) == 1:
            if self._kept is None:
                self._kept = credit_bundles(self.ledger, self.credits, context=self.context)[1]
            return [fn(self.context, bundle) for bundle in self._kept]
        results: list[Any] = [None] * len(self.credits)
        for chunk in chunks:
            _, bundles = credit_bundles(self.ledger, chunk.credits, context=self.context)
            _place(results, chunk.positions, [fn(self.context, b) for b in bundles])
        return results

    def _map_in_workers(self, fn: BundleFunction[Result]) -> list[Result]:
        """Each chunk in its worker: its part sent the first time, its bundles kept there. The
        workers start before the ledger is cut, and each chunk goes as soon as it is cut."""
        if not self._pools:
            context = multiprocessing.get_context("forkserver")
            # the fork server imports these once, so each worker starts in milliseconds (else
            # every worker imports pandas & co. again: seconds); no effect once it runs
            context.set_forkserver_preload([__name__, _module_of(fn)])
            self._pools = [
                ProcessPoolExecutor(1, context, _start_worker, (self.context,))
                for _ in range(self.workers)
            ]
            for pool in self._pools:
                pool.submit(int)  # start the process now
        done = []
        for number, chunk in enumerate(self._planned()):
            pool = self._pools[number % self.workers]
            done.append((chunk, pool.submit(_run_chunk, fn, number, chunk.part, chunk.credits)))
            chunk.part = None  # the worker keeps what it needs
        results: list[Any] = [None] * len(self.credits)
        for chunk, future in done:
            _place(results, chunk.positions, future.result())
        return results

    def _plan(self) -> list[_Chunk]:
        """The chunks (see ``_planned``)."""
        return list(self._planned())

    def _planned(self) -> Iterator[_Chunk]:
        """The chunks, cut on first use: a patient's credits never split; a worker's chunk
        carries its part of the ledger until it is sent."""
        if self._chunks is not None:
            yield from self._chunks
            return
        n = len(self.credits)
        count = max(
            self.workers * CHUNKS_PER_WORKER if self.workers > 1 else 1,
            math.ceil(n / CHUNK_CREDITS),
        )
        chunks: list[_Chunk] = []
        if count == 1:
            chunks.append(_Chunk(list(range(n)), self.credits, None))
            yield chunks[0]
        else:
            codes, uniques = pd.factorize(patient_keys(self.ledger, self.credits.claim_ids))
            sizes = pd.Series(codes).value_counts(sort=False)
            sizes = sizes.reindex(range(len(uniques)), fill_value=0)
            before = sizes.cumsum().to_numpy() - sizes.to_numpy()  # credits of earlier groups
            chunk_of = ((before * count) // n)[codes]
            for number in range(count):
                positions = [int(i) for i in (chunk_of == number).nonzero()[0]]
                if not positions:
                    continue
                credits = self.credits.take(positions)
                part = select_rows(self.ledger, credits.claim_ids) if self.workers > 1 else None
                chunks.append(_Chunk(positions, credits, part))
                yield chunks[-1]
        self._chunks = chunks


def patient_keys(ledger: Ledger, claim_ids: Sequence[str]) -> pd.Series:
    """Each claim's group key: the patient of its first line in ledger order (the claim id
    itself for a claim without lines)."""
    ids = pd.Series(claim_ids, dtype="string")
    lines = ledger.claim_lines
    lines = lines[column_isin(lines["claim_id"], claim_ids)]
    first = lines.drop_duplicates("claim_id").set_index("claim_id")["patient_id"]
    keys = ids.map(first).astype("string")
    return ("p:" + keys).fillna("c:" + ids)


def _module_of(fn: Callable[..., Any]) -> str:
    """The module of a function (of a ``functools.partial``'s function)."""
    inner = getattr(fn, "func", fn)
    return str(getattr(inner, "__module__", __name__))


def _place(results: list[Any], positions: list[int], found: list[Any]) -> None:
    for position, value in zip(positions, found, strict=True):
        results[position] = value


#: A worker's state: the ledger's context and the bundles of its chunks, by chunk number.
_worker: dict[str, Any] = {}


def _start_worker(context: LedgerContext) -> None:
    """Pool initializer: keep the ledger's context for every chunk of this worker."""
    _worker["context"] = context
    _worker["bundles"] = {}


def _run_chunk(
    fn: BundleFunction[Any], number: int, part: LedgerPart | None, credits: Credits
) -> list[Any]:
    """``fn`` over the bundles of chunk ``number`` (built from ``part`` the first time)."""
    context: LedgerContext = _worker["context"]
    kept: dict[int, list[ClaimBundle]] = _worker["bundles"]
    if number not in kept:
        if part is None:
            raise RuntimeError(f"chunk {number} was never sent to this worker")
        kept[number] = assemble(credits, frame_rows(part))
    return [fn(context, bundle) for bundle in kept[number]]
