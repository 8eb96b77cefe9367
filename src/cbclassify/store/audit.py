"""The tamper-evident audit trail: append-only rows, each hashed with its predecessor's hash.

``hash = sha256(canonical JSON of the row's fields + prev_hash)``. The application can only
append (``install_audit_guard`` refuses ORM updates and deletes; migration 0002 adds database
triggers, 0003 lets the head move only forward along the chain); ``verify_chain`` recomputes
every hash and finds edited, deleted or cut-off rows, and, given a ``Checkpoint`` (a head kept
outside the database), any truncation or rewrite up to it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker

from cbclassify.store.models_audit import AuditEvent, AuditHead

GENESIS_HASH = "0" * 64
HASHED_FIELDS: tuple[str, ...] = (
    "seq",
    "occurred_at",
    "actor_id",
    "actor",
    "action",
    "practice_id",
    "case_id",
    "before",
    "after",
    "details",
    "prev_hash",
)


class AuditTamperError(RuntimeError):
    """The application tried to change or remove an audit row."""


def _json_default(value: object) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"not JSON serializable: {type(value).__name__}")


def canonical_json(value: object) -> str:
    """Deterministic JSON: sorted keys, no whitespace, dates as ISO strings."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_json_default
    )


def row_hash(values: dict[str, Any]) -> str:
    """The SHA-256 (hex) of a row's hashed fields, prev_hash included."""
    payload = canonical_json({name: values[name] for name in HASHED_FIELDS})
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class AuditActor:
    """Who acted: a user (id and username) or the system (id None)."""

    user_id: int | None
    name: str


SYSTEM = AuditActor(None, "system")


def append_audit(
    session: Session,
    actor: AuditActor,
    action: str,
    *,
    practice_id: int | None = None,
    case_id: int | None = None,
    before: object = None,
    after: object = None,
    details: object = None,
) -> AuditEvent:
    """Append one audit row in the session's transaction (it commits or rolls back with it).

    The chain head row is locked (``FOR UPDATE``; SQLite write sessions hold the write lock
    already), so concurrent appends are serialized and the chain never forks.
    """
    head = session.execute(
        select(AuditHead).where(AuditHead.id == 1).with_for_update()
    ).scalar_one()
    values: dict[str, Any] = {
        "seq": head.seq + 1,
        "occurred_at": datetime.now(UTC).isoformat(timespec="microseconds"),
        "actor_id": actor.user_id,
        "actor": actor.name,
        "action": action,
        "practice_id": practice_id,
        "case_id": case_id,
        "before": canonical_json(before),
        "after": canonical_json(after),
        "details": canonical_json(details),
        "prev_hash": head.hash,
    }
    row = AuditEvent(**values, hash=row_hash(values))
    session.add(row)
    session.flush()  # the row first: the audit_head trigger accepts only a head on a stored row
    head.seq, head.hash = row.seq, row.hash
    session.flush()
    return row


def _refuse_changes(session: Session, _ctx: object, _instances: object) -> None:
    for obj in session.deleted:
        if isinstance(obj, AuditEvent):
            raise AuditTamperError("audit rows cannot be deleted")
    for obj in session.dirty:
        if isinstance(obj, AuditEvent) and session.is_modified(obj):
            raise AuditTamperError("audit rows cannot be changed")


def _refuse_bulk(state: ORMExecuteState) -> None:
    if (state.is_update or state.is_delete) and any(
        m.class_ is AuditEvent for m in state.all_mappers
    ):
        raise AuditTamperError("audit rows cannot be changed or deleted")


def install_audit_guard(factory: sessionmaker[Session]) -> None:
    """Make sessions from ``factory`` refuse to update or delete audit rows."""
    event.listen(factory, "before_flush", _refuse_changes)
    event.listen(factory, "do_orm_execute", _refuse_bulk)


@dataclass(frozen=True)
class Checkpoint:
    """A chain head (seq and hash) kept outside the database, e.g. in a ticket."""

    seq: int
    hash: str

    def to_json(self) -> str:
        """The checkpoint as one line of JSON (what ``audit checkpoint`` writes)."""
        return canonical_json({"seq": self.seq, "hash": self.hash})


class CheckpointError(ValueError):
    """A checkpoint text that is not ``{"seq": N, "hash": "<64 hex>"}``."""


def parse_checkpoint(text: str, source: str) -> Checkpoint:
    """Read a checkpoint written by ``Checkpoint.to_json`` (CheckpointError naming ``source``)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise CheckpointError(f"{source}: not JSON ({err.msg})") from err
    seq = data.get("seq") if isinstance(data, dict) else None
    digest = data.get("hash") if isinstance(data, dict) else None
    if type(seq) is not int or seq < 0:
        raise CheckpointError(f"{source}: field seq must be a whole number >= 0")
    if not isinstance(digest, str) or len(digest) != 64 or set(digest) - set("0123456789abcdef"):
        raise CheckpointError(f"{source}: field hash must be 64 lower-case hex digits")
    return Checkpoint(seq, digest)


def current_head(session: Session) -> Checkpoint:
    """The chain head as stored now."""
    head = session.get_one(AuditHead, 1)
    return Checkpoint(head.seq, head.hash)


@dataclass
class ChainReport:
    """The result of ``verify_chain``."""

    rows_checked: int = 0
    problems: list[str] = field(default_factory=list)
    head_seq: int = 0
    head_hash: str = GENESIS_HASH

    @property
    def ok(self) -> bool:
        """True when no problem was found."""
        return not self.problems


def _rows(session: Session) -> Iterator[AuditEvent]:
    stmt = select(AuditEvent).order_by(AuditEvent.seq).execution_options(yield_per=1000)
    yield from session.scalars(stmt)


def _check_against(
    report: ChainReport, checkpoint: Checkpoint, seen: str | None, last_seq: int
) -> None:
    """Compare the trail with a head kept elsewhere: the row it names must still be there,
    unchanged (its hash covers every row before it)."""
    if checkpoint.seq == 0:
        if checkpoint.hash != GENESIS_HASH:
            report.problems.append("checkpoint at row 0 must hold the genesis hash")
        return
    if seen is None:
        report.problems.append(
            f"checkpoint row {checkpoint.seq} is gone: the trail ends at row {last_seq} "
            "(rows cut off before the checkpoint)"
        )
    elif seen != checkpoint.hash:
        report.problems.append(
            f"row {checkpoint.seq} differs from the checkpoint (the trail up to it was rewritten)"
        )


def verify_chain(session: Session, checkpoint: Checkpoint | None = None) -> ChainReport:
    """Recompute the chain: report edited rows, missing (deleted) rows and a cut-off tail; with
    a ``checkpoint``, also any truncation or rewrite of the trail up to that head."""
    report = ChainReport()
    expected_seq, prev = 1, GENESIS_HASH
    at_checkpoint: str | None = None
    for row in _rows(session):
        if checkpoint is not None and row.seq == checkpoint.seq:
            at_checkpoint = row.hash
        values = {name: getattr(row, name) for name in HASHED_FIELDS}
        if row.seq != expected_seq:
            report.problems.append(f"rows {expected_seq}..{row.seq - 1} are missing (deleted)")
        elif row.prev_hash != prev:
            report.problems.append(f"row {row.seq}: previous-hash link broken")
        if row_hash(values) != row.hash:
            report.problems.append(f"row {row.seq}: content does not match its hash (edited)")
        report.rows_checked += 1
        expected_seq, prev = row.seq + 1, row.hash
    head = session.get(AuditHead, 1)
    if head is not None:
        report.head_seq, report.head_hash = head.seq, head.hash
        if head.seq != expected_seq - 1 or head.hash != prev:
            report.problems.append(
                f"chain head says row {head.seq} is last but the trail ends at row "
                f"{expected_seq - 1} (rows deleted from the end, or head edited)"
            )
    if checkpoint is not None:
        _check_against(report, checkpoint, at_checkpoint, expected_seq - 1)
    return report
