"""Ingest a practice's ledger folder or an 835 batch into the store, end to end.

A ledger folder is a complete snapshot. An 835 batch is new postings: it is merged into the
practice's latest ledger snapshot (kept as Parquet under ``<data_dir>/ledgers/``, see
``snapshots``) so balances stay complete, and the same 835 content is never posted twice.
Ingests of one practice are serialized (``store.batches.lock_practice_for_ingest``) and a batch
commits only after its snapshot is durable; ``recover_ingest_work`` cleans up after a crash.
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from cbclassify.contract.ledger import Ledger
from cbclassify.contract.schema import TABLES
from cbclassify.ledger_io import read_ledger, write_ledger
from cbclassify.resolve.policy import Policy
from cbclassify.service.analysis import AsOf, analyse_ledger
from cbclassify.service.champion import LoadedModel
from cbclassify.service.snapshots import (
    MergeBaseMissing,
    ledgers_root,
    prune,
    read_base,
    recover,
    snapshot_dir,
    write_snapshot,
)
from cbclassify.settings import Settings
from cbclassify.store.accounts import practice_by_code
from cbclassify.store.audit import AuditActor
from cbclassify.store.batches import (
    batch_ids,
    earlier_ingest,
    lock_practice_for_ingest,
    lock_practice_id_for_ingest,
    newest_batch_id,
)
from cbclassify.store.db import Database
from cbclassify.store.ingest import AnalysedLedger, BatchSummary, ingest_cases
from cbclassify.store.models_auth import Practice
from cbclassify.x12 import convert_remittances, read_835

__all__ = [
    "KEEP_SNAPSHOTS",
    "MergeBaseMissing",
    "X12Outcome",
    "X12UploadError",
    "folder_digest",
    "ingest_835_texts",
    "ingest_ledger_folder",
    "latest_snapshot",
    "recover_ingest_work",
    "snapshot_dir",
]
log = logging.getLogger("cbclassify.service")
#: Ledger snapshots kept per practice (the newest is what an 835 batch is merged into).
KEEP_SNAPSHOTS = 2
X12_KIND = "x12_835"


class X12UploadError(ValueError):
    """Nothing in an 835 upload could be converted; ``findings`` say where and why."""

    def __init__(self, findings: list[dict[str, Any]]) -> None:
        super().__init__(f"no 835 remittance could be converted ({len(findings)} finding(s))")
        self.findings = findings


@dataclass(frozen=True)
class X12Outcome:
    """An 835 ingest: the batch (None when nothing converted), findings, and whether the same
    content had been ingested before (then nothing was posted again)."""

    summary: BatchSummary | None
    findings: list[dict[str, Any]] = field(default_factory=list)
    already_ingested: bool = False


def folder_digest(folder: Path) -> str:
    """SHA-256 over the ledger's table files (names and bytes), independent of zip metadata."""
    digest = hashlib.sha256()
    for name in TABLES:
        for path in sorted(folder.glob(f"{name}.*")):
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def latest_snapshot(db: Database, settings: Settings, practice_id: int) -> Path | None:
    """The snapshot of the practice's latest ingest, if that ingest kept one."""
    with db.read_session() as session:
        newest = newest_batch_id(session, practice_id)
    path = None if newest is None else snapshot_dir(settings, practice_id, newest)
    return path if path is not None and path.is_dir() else None


@dataclass(frozen=True)
class _Prepared:
    """A ledger analysed and ready to store; ``base_id`` is the batch it was merged into."""

    ledger: Ledger
    analysed: AnalysedLedger
    base_id: int | None = None
    findings: list[dict[str, Any]] = field(default_factory=list)


def _analyse(
    ledger: Ledger, model: LoadedModel | None, as_of: AsOf, policy: Policy | None
) -> AnalysedLedger:
    predictor = model.predictor if model else None
    return analyse_ledger(ledger, predictor, model.ref if model else None, as_of, policy)


def _store_locked(
    session: Session,
    settings: Settings,
    practice: Practice,
    prepared: _Prepared,
    digest: str,
    kind: str,
    actor: AuditActor,
) -> BatchSummary:
    """Persist a batch and publish its snapshot, in the caller's locked transaction: the
    snapshot is durable before the batch commits (a crash in between leaves an orphan that
    start-up recovery removes)."""
    summary = ingest_cases(
        session, practice, prepared.analysed, kind=kind, content_sha256=digest, actor=actor
    )
    write_snapshot(settings, practice.id, summary.batch_id, prepared.ledger)
    return summary


def _after_commit(settings: Settings, practice_id: int, summary: BatchSummary) -> None:
    try:
        prune(settings, practice_id, keep=KEEP_SNAPSHOTS)
    except OSError as err:  # old snapshots only: the next prune or recovery retries
        log.warning("could not prune old ledger snapshots (%s)", type(err).__name__)
    log.info(
        "batch %s ingested: %s credits, %s new, %s cleared",
        summary.batch_id,
        summary.n_credits,
        summary.n_new,
        summary.n_cleared,
    )


def recover_ingest_work(db: Database, settings: Settings) -> int:
    """At start-up: remove partial ingest work (unpublished or uncommitted snapshots) of every
    practice, each under its ingest lock so a running ingest of another process is never
    touched. Returns the number of folders removed; logs practices whose latest ingest has
    no snapshot (their next 835 is refused until a complete ledger is ingested)."""
    root = ledgers_root(settings)
    removed = 0
    folders = sorted(root.iterdir()) if root.is_dir() else []
    for practice_id in sorted(int(p.name) for p in folders if p.name.isdigit()):
        with db.transaction() as session:
            if lock_practice_id_for_ingest(session, practice_id) is None:
                continue
            committed = batch_ids(session, practice_id)
            gone = recover(settings, practice_id, set(committed))
        removed += len(gone)
        if gone:
            log.warning("removed %s piece(s) of partial ingest work", len(gone))
        if committed and not snapshot_dir(settings, practice_id, committed[0]).is_dir():
            log.warning("latest ingest %s has no ledger snapshot to merge into", committed[0])
    return removed


def ingest_ledger_folder(
    db: Database,
    settings: Settings,
    practice_code: str,
    folder: Path,
    model: LoadedModel | None,
    actor: AuditActor,
    *,
    as_of: AsOf = None,
    policy: Policy | None = None,
) -> BatchSummary:
    """Validate and ingest a complete ledger folder (LedgerValidationError on bad input)."""
    with db.read_session() as session:
        practice_by_code(session, practice_code)  # NotFound before any heavy work
    ledger = read_ledger(folder)
    digest = folder_digest(folder)
    prepared = _Prepared(ledger, _analyse(ledger, model, as_of, policy))
    with db.transaction() as session:
        practice = lock_practice_for_ingest(session, practice_code)
        summary = _store_locked(session, settings, practice, prepared, digest, "ledger", actor)
        practice_id = practice.id
    _after_commit(settings, practice_id, summary)
    return summary


def _findings(results: Sequence[Any]) -> list[dict[str, Any]]:
    return [
        {
            "file": f.file,
            "segment": f.segment,
            "st_control": f.st_control,
            "severity": f.severity,
            "code": f.code,
            "message": f.message,
        }
        for r in results
        for f in r.findings
    ]


_NOTHING_FOUND = {
    "file": "upload",
    "segment": None,
    "st_control": None,
    "severity": "error",
    "code": "no_remittance",
    "message": "no 835 remittance found in the upload",
}


def _merge_835(
    settings: Settings,
    practice_id: int,
    base_id: int | None,
    remittances: list[Any],
    model: LoadedModel | None,
    as_of: AsOf,
    policy: Policy | None,
) -> _Prepared:
    """Convert the remittances merged into the snapshot of batch ``base_id`` and analyse."""
    converted = convert_remittances(remittances, read_base(settings, practice_id, base_id))
    with tempfile.TemporaryDirectory() as scratch:  # round-trip: the contract's own validation
        write_ledger(converted.ledger, scratch, fmt="parquet")
        ledger = read_ledger(scratch)
    analysed = _analyse(ledger, model, as_of, policy)
    return _Prepared(ledger, analysed, base_id, _findings([converted]))


def ingest_835_texts(
    db: Database,
    settings: Settings,
    practice_code: str,
    files: Sequence[tuple[str, str]],
    model: LoadedModel | None,
    actor: AuditActor,
    *,
    as_of: AsOf = None,
    policy: Policy | None = None,
) -> X12Outcome:
    """Convert 835 files, merge them into the practice's latest snapshot and ingest the result.

    Ingests of one practice are serialized by its ingest lock; the merge base and the
    already-ingested check are read under it. The merge is prepared first against the latest
    batch seen without the lock (so the lock is short) and redone under the lock only when
    another ingest committed in between. MergeBaseMissing when the latest ingest kept no
    snapshot.
    """
    digest = hashlib.sha256(
        b"".join(n.encode() + b"\0" + t.encode() + b"\0" for n, t in files)
    ).hexdigest()
    with db.read_session() as session:
        practice = practice_by_code(session, practice_code)
        earlier = earlier_ingest(session, practice.id, X12_KIND, digest)
        seen_base = newest_batch_id(session, practice.id)
    if earlier is not None:
        return X12Outcome(earlier, [], already_ingested=True)
    results = [read_835(text, name) for name, text in files]
    findings = _findings(results)
    remittances = [rem for r in results for rem in r.remittances]
    if not remittances:
        raise X12UploadError(findings or [dict(_NOTHING_FOUND)])
    prepared = _merge_835(settings, practice.id, seen_base, remittances, model, as_of, policy)
    with db.transaction() as session:
        practice = lock_practice_for_ingest(session, practice_code)
        earlier = earlier_ingest(session, practice.id, X12_KIND, digest)
        if earlier is not None:  # the same content committed while this one was prepared
            return X12Outcome(earlier, [], already_ingested=True)
        base_id = newest_batch_id(session, practice.id)
        if base_id != prepared.base_id:  # another ingest committed meanwhile: merge into it
            prepared = _merge_835(settings, practice.id, base_id, remittances, model, as_of, policy)
        summary = _store_locked(session, settings, practice, prepared, digest, X12_KIND, actor)
        practice_id = practice.id
    _after_commit(settings, practice_id, summary)
    return X12Outcome(summary, findings + prepared.findings)
