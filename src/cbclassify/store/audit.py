"""The tamper-evident audit trail: append-only rows, each hashed with its predecessor's hash.

``hash = sha256(canonical JSON of the row's fields + prev_hash)``. The application can only
append (``install_audit_guard`` refuses ORM updates and deletes; migration 0002 adds database
triggers); ``verify_chain`` recomputes every hash and finds edited, deleted or cut-off rows.
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


def verify_chain(session: Session) -> ChainReport:
    """Recompute the chain: report edited rows, missing (deleted) rows and a cut-off tail."""
    report = ChainReport()
    expected_seq, prev = 1, GENESIS_HASH
    for row in _rows(session):
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
    return report
