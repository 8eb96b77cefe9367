"""Ingest a practice's ledger folder or an 835 batch into the store, end to end.

A ledger folder is a complete snapshot. An 835 batch is new postings: it is merged into the
practice's latest ledger snapshot (kept as Parquet under ``<data_dir>/ledgers/``) so balances
stay complete, and the same 835 content is never posted twice.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cbclassify.contract.ledger import Ledger
from cbclassify.contract.schema import TABLES
from cbclassify.ledger_io import read_ledger, write_ledger
from cbclassify.service.analysis import analyse_ledger
from cbclassify.service.champion import LoadedModel
from cbclassify.settings import Settings
from cbclassify.store.accounts import practice_by_code
from cbclassify.store.audit import AuditActor
from cbclassify.store.batches import batch_ids, earlier_ingest
from cbclassify.store.db import Database
from cbclassify.store.ingest import BatchSummary, ingest_cases
from cbclassify.x12 import convert_remittances, read_835

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


def snapshot_dir(settings: Settings, practice_id: int, batch_id: int) -> Path:
    """Where a batch's ledger snapshot is kept."""
    return settings.data_dir / "ledgers" / str(practice_id) / str(batch_id)


def _prune_snapshots(settings: Settings, practice_id: int, keep: int) -> None:
    """Delete all but the newest ``keep`` snapshots of a practice."""
    folder = settings.data_dir / "ledgers" / str(practice_id)
    if not folder.is_dir():
        return
    kept = sorted((p for p in folder.iterdir() if p.name.isdigit()), key=lambda p: int(p.name))
    for path in kept[:-keep]:
        shutil.rmtree(path, ignore_errors=True)


def latest_snapshot(db: Database, settings: Settings, practice_id: int) -> Path | None:
    """The newest kept ledger snapshot of a practice, if any."""
    with db.read_session() as session:
        ids = batch_ids(session, practice_id)
    for batch_id in ids:
        path = snapshot_dir(settings, practice_id, batch_id)
        if path.is_dir():
            return path
    return None


def _store(
    db: Database,
    settings: Settings,
    practice_code: str,
    ledger: Ledger,
    digest: str,
    kind: str,
    model: LoadedModel | None,
    actor: AuditActor,
    as_of: Any,
    policy: Any,
) -> BatchSummary:
    """Analyse, persist in one transaction, then keep the snapshot for later 835 merges."""
    predictor = model.predictor if model else None
    analysed = analyse_ledger(ledger, predictor, model.ref if model else None, as_of, policy)
    with db.transaction() as session:
        practice = practice_by_code(session, practice_code)
        summary = ingest_cases(
            session, practice, analysed, kind=kind, content_sha256=digest, actor=actor
        )
        practice_id = practice.id
    target = snapshot_dir(settings, practice_id, summary.batch_id)
    scratch = target.with_name(f"{target.name}.partial")
    try:
        write_ledger(ledger, scratch, fmt="parquet")
        scratch.rename(target)
    except OSError:  # the batch is stored; only later 835 merges lose this snapshot
        log.exception("could not keep the ledger snapshot of batch %s", summary.batch_id)
        shutil.rmtree(scratch, ignore_errors=True)
    _prune_snapshots(settings, practice_id, keep=KEEP_SNAPSHOTS)
    log.info(
        "batch %s ingested: %s credits, %s new, %s cleared",
        summary.batch_id,
        summary.n_credits,
        summary.n_new,
        summary.n_cleared,
    )
    return summary


def ingest_ledger_folder(
    db: Database,
    settings: Settings,
    practice_code: str,
    folder: Path,
    model: LoadedModel | None,
    actor: AuditActor,
    *,
    as_of: Any = None,
    policy: Any = None,
) -> BatchSummary:
    """Validate and ingest a complete ledger folder (LedgerValidationError on bad input)."""
    with db.read_session() as session:
        practice_by_code(session, practice_code)  # NotFound before any heavy work
    ledger = read_ledger(folder)
    digest = folder_digest(folder)
    return _store(
        db, settings, practice_code, ledger, digest, "ledger", model, actor, as_of, policy
    )


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


def ingest_835_texts(
    db: Database,
    settings: Settings,
    practice_code: str,
    files: Sequence[tuple[str, str]],
    model: LoadedModel | None,
    actor: AuditActor,
    *,
    as_of: Any = None,
    policy: Any = None,
) -> X12Outcome:
    """Convert 835 files, merge them into the practice's latest snapshot and ingest the result."""
    digest = hashlib.sha256(
        b"".join(n.encode() + b"\0" + t.encode() + b"\0" for n, t in files)
    ).hexdigest()
    with db.read_session() as session:
        practice = practice_by_code(session, practice_code)
        earlier = earlier_ingest(session, practice.id, X12_KIND, digest)
    if earlier is not None:
        return X12Outcome(earlier, [], already_ingested=True)
    results = [read_835(text, name) for name, text in files]
    findings = _findings(results)
    remittances = [rem for r in results for rem in r.remittances]
    if not remittances:
        raise X12UploadError(findings or [dict(_NOTHING_FOUND)])
    base_dir = latest_snapshot(db, settings, practice.id)
    base = read_ledger(base_dir) if base_dir else None
    converted = convert_remittances(remittances, base)
    findings += _findings([converted])
    with tempfile.TemporaryDirectory() as scratch:  # round-trip: the contract's own validation
        write_ledger(converted.ledger, scratch, fmt="parquet")
        ledger = read_ledger(scratch)
    summary = _store(
        db, settings, practice_code, ledger, digest, X12_KIND, model, actor, as_of, policy
    )
    return X12Outcome(summary, findings)
