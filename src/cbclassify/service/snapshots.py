"""The ledger snapshots an 835 batch is merged into, kept as Parquet under
``<data_dir>/ledgers/<practice id>/<batch id>/``: written durably before the batch commits.

A snapshot is written to ``<batch id>.partial``, every file and folder fsynced, then renamed to
``<batch id>`` (and the parent folder fsynced) inside the ingest's transaction, which commits
only after that. So a committed batch always has a complete snapshot; a crash leaves at most a
``.partial`` folder or the snapshot of a batch that never committed, which ``recover`` removes
(under the practice's ingest lock) at start-up, and which the next ingest replaces anyway.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Collection
from pathlib import Path

from cbclassify.contract.ledger import Ledger
from cbclassify.ledger_io import read_ledger, write_ledger
from cbclassify.settings import Settings

log = logging.getLogger("cbclassify.service")
SCRATCH_SUFFIX = ".partial"
TRASH_SUFFIX = ".trash"


class MergeBaseMissing(RuntimeError):
    """The practice's latest ingest has no kept snapshot, so an 835 cannot be merged safely."""


def ledgers_root(settings: Settings) -> Path:
    """Where every practice's snapshots are kept."""
    return settings.data_dir / "ledgers"


def snapshot_dir(settings: Settings, practice_id: int, batch_id: int) -> Path:
    """Where a batch's ledger snapshot is kept."""
    return ledgers_root(settings) / str(practice_id) / str(batch_id)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_tree(root: Path) -> None:
    """Flush every file under ``root`` and every folder's entries to disk."""
    for folder, _dirs, files in os.walk(root):
        for name in files:
            with open(os.path.join(folder, name), "rb") as handle:
                os.fsync(handle.fileno())
        _fsync_dir(Path(folder))


def _discard(path: Path) -> None:
    """Remove a folder: renamed aside first, so a crash never leaves half of it in place."""
    trash = path.with_name(path.name + TRASH_SUFFIX)
    shutil.rmtree(trash, ignore_errors=True)
    os.replace(path, trash)
    shutil.rmtree(trash, ignore_errors=True)


def write_snapshot(settings: Settings, practice_id: int, batch_id: int, ledger: Ledger) -> Path:
    """Write, fsync and publish a batch's snapshot (call it before the batch commits)."""
    target = snapshot_dir(settings, practice_id, batch_id)
    scratch = target.with_name(target.name + SCRATCH_SUFFIX)
    shutil.rmtree(scratch, ignore_errors=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    write_ledger(ledger, scratch, fmt="parquet")
    _fsync_tree(scratch)
    if target.exists():  # left by a batch id that never committed (SQLite reuses ids)
        _discard(target)
    os.replace(scratch, target)
    _fsync_dir(target.parent)
    return target


def read_base(settings: Settings, practice_id: int, batch_id: int | None) -> Ledger | None:
    """The snapshot of the practice's latest batch ``batch_id`` (None: no ingest yet).

    MergeBaseMissing when that batch has no snapshot: an older one would silently drop the
    latest batch's postings, so nothing is merged.
    """
    if batch_id is None:
        return None
    path = snapshot_dir(settings, practice_id, batch_id)
    if not path.is_dir():
        raise MergeBaseMissing(
            f"the practice's latest ingest (batch {batch_id}) has no kept ledger snapshot to "
            "merge an 835 into; ingest the practice's complete ledger first"
        )
    return read_ledger(path)


def prune(settings: Settings, practice_id: int, keep: int) -> None:
    """Delete all but the newest ``keep`` snapshots of a practice."""
    folder = ledgers_root(settings) / str(practice_id)
    if not folder.is_dir():
        return
    kept = sorted((p for p in folder.iterdir() if p.name.isdigit()), key=lambda p: int(p.name))
    for path in kept[:-keep]:
        _discard(path)


def recover(settings: Settings, practice_id: int, committed: Collection[int]) -> list[str]:
    """Remove a practice's partial work: scratch and trash folders, and snapshots of batches
    that never committed. Call it holding the practice's ingest lock. Returns what went."""
    folder = ledgers_root(settings) / str(practice_id)
    if not folder.is_dir():
        return []
    removed = []
    for path in sorted(folder.iterdir()):
        orphan = path.name.isdigit() and int(path.name) not in committed
        if path.name.endswith((SCRATCH_SUFFIX, TRASH_SUFFIX)) or orphan:
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
            removed.append(path.name)
    if removed:
        _fsync_dir(folder)
    return removed
