"""One per-claim function over every credit of a ledger, spread over processes by patient.

``map_patient_groups(fn, ledger, credits)`` applies ``fn(context, bundle)`` to each credit's
bundle and returns the results in the credits' order. The credits are cut into chunks that
never split a patient (all credits whose claim's first line has the same patient go together);
each chunk's part of the ledger (``build.select_rows``) goes to a worker process, which builds
that chunk's bundles and applies ``fn``. The ledger-wide context is built once and sent once to
each worker. ``workers=1`` or a small batch runs the same chunks in this process. Workers start
with "forkserver" (no fork of a process that may hold threads), so ``fn`` must be picklable: a
module-level function or a ``functools.partial`` of one.
"""

from __future__ import annotations

import math
import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

import pandas as pd

from cbclassify.bundles.build import credit_bundles, select_rows
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
    credits: pd.DataFrame,
    *,
    workers: int | None = None,
    context: LedgerContext | None = None,
) -> list[Result]:
    """``fn(context, bundle)`` for each credit of ``credits`` (``claim_id``, ``as_of_date``,
    ``credit_cents``), in the credits' order.

    Args:
        fn: the per-claim function (picklable, see module docstring).
        ledger: the ledger the credits are on.
        credits: one row per credit, as ``build.credit_bundles`` reads them.
        workers: processes to use (default: every core); 1 runs in this process.
        context: the ledger's context when the caller already has it.
    """
    if context is None:
        context = ledger_context(ledger)
    if credits.empty:
        return []
    credits = credits.reset_index(drop=True)
    count = workers if workers is not None else (os.cpu_count() or 1)
    in_process = count <= 1 or len(credits) < IN_PROCESS_CREDITS
    if in_process and ledger.handed_rows("claim_lines") is not None:  # a request: no chunks
        return [
            fn(context, bundle) for bundle in credit_bundles(ledger, credits, context=context)[1]
        ]
    chunks = _chunks(ledger, credits, 1 if in_process else count)
    results: list[Any] = [None] * len(credits)
    if in_process:
        for positions, part, rows in chunks:
            _place(results, positions, _apply(fn, context, part, rows))
        return results
    with ProcessPoolExecutor(
        max_workers=count,
        mp_context=multiprocessing.get_context("forkserver"),
        initializer=_start_worker,
        initargs=(fn, context),
    ) as pool:
        tasks = list(chunks)
        done = pool.map(_run_chunk, [(part, rows) for _, part, rows in tasks])
        for (positions, _, _), found in zip(tasks, done, strict=True):
            _place(results, positions, found)
    return results


def patient_keys(ledger: Ledger, claim_ids: pd.Series) -> pd.Series:
    """Each claim's group key: the patient of its first line in ledger order (the claim id
    itself for a claim without lines)."""
    lines = ledger.claim_lines
    lines = lines[lines["claim_id"].isin(claim_ids.tolist()).to_numpy(dtype=bool)]
    first = lines.drop_duplicates("claim_id").set_index("claim_id")["patient_id"]
    keys = claim_ids.map(first).astype("string")
    return ("p:" + keys).fillna("c:" + claim_ids.astype("string"))


def _chunks(
    ledger: Ledger, credits: pd.DataFrame, workers: int
) -> Iterator[tuple[list[int], Ledger, pd.DataFrame]]:
    """(positions in ``credits``, the ledger part, the chunk's credits) per chunk; a patient's
    credits are never split."""
    keys = patient_keys(ledger, credits["claim_id"].astype("string"))
    count = max(
        workers * CHUNKS_PER_WORKER if workers > 1 else 1, math.ceil(len(credits) / CHUNK_CREDITS)
    )
    codes, uniques = pd.factorize(keys)
    sizes = pd.Series(codes).value_counts(sort=False).reindex(range(len(uniques)), fill_value=0)
    before = sizes.cumsum().to_numpy() - sizes.to_numpy()  # credits of the earlier groups
    chunk_of_group = (before * count) // len(credits)
    chunk = chunk_of_group[codes]
    for number in range(count):
        positions = [int(i) for i in (chunk == number).nonzero()[0]]
        if not positions:
            continue
        rows = credits.iloc[positions].reset_index(drop=True)
        claim_ids = [str(c) for c in rows["claim_id"].tolist()]
        part = select_rows(ledger, claim_ids) if workers > 1 else ledger  # a worker's part
        yield positions, part, rows


def _apply(
    fn: BundleFunction[Result], context: LedgerContext, part: Ledger, rows: pd.DataFrame
) -> list[Result]:
    _, bundles = credit_bundles(part, rows, context=context)
    return [fn(context, bundle) for bundle in bundles]


def _place(results: list[Any], positions: list[int], found: list[Any]) -> None:
    for position, value in zip(positions, found, strict=True):
        results[position] = value


_worker: dict[str, Any] = {}


def _start_worker(fn: BundleFunction[Any], context: LedgerContext) -> None:
    """Pool initializer: keep the function and the context for every chunk of this worker."""
    _worker["fn"] = fn
    _worker["context"] = context


def _run_chunk(task: tuple[Ledger, pd.DataFrame]) -> list[Any]:
    part, rows = task
    return _apply(_worker["fn"], _worker["context"], part, rows)
