"""The append-only, hash-chained audit trail and its chain head."""

from __future__ import annotations

from sqlalchemy import BigInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from cbclassify.store.base import Base, BigId


class AuditEvent(Base):
    """One audit row: who, when, what, before, after; ``hash`` chains it to the previous row.

    Text columns hold canonical JSON so the hash can be recomputed byte for byte. Rows are
    never updated or deleted (ORM guard in ``store.audit`` and database triggers).
    """

    __tablename__ = "audit_events"

    seq: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=False)
    occurred_at: Mapped[str] = mapped_column(String(32), index=True)  # ISO 8601 UTC
    actor_id: Mapped[int | None] = mapped_column(BigInteger)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(64))
    practice_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    case_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    before: Mapped[str] = mapped_column(Text)
    after: Mapped[str] = mapped_column(Text)
    details: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditHead(Base):
    """The chain head (one row): last seq and hash. Serializes appends and reveals a cut tail."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))
