"""The audit chain head is guarded like the events: it only moves forward along the chain.

``audit_head`` may be inserted only while empty (the seed of 0002), never deleted (nor truncated
on PostgreSQL), and updated only to the next row of the chain: ``seq`` one more, ``hash`` that
row's hash, and that row linking to the old head. A cut-off tail can then no longer be hidden
by rewriting the head without first dropping the triggers (which ``audit verify --checkpoint``
catches against a head kept elsewhere).

Revision ID: 0003_ingest_audit_head
Revises: 0002
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0003_ingest_audit_head"
down_revision: str | None = "0003_auth"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MESSAGE = "audit_head only moves forward along the audit chain"
_NEXT_ROW = """EXISTS (SELECT 1 FROM audit_events e
                  WHERE e.seq = NEW.seq AND e.hash = NEW.hash AND e.prev_hash = OLD.hash)"""

SQLITE_UP = [
    f"""CREATE TRIGGER audit_head_forward_only BEFORE UPDATE ON audit_head
        WHEN NEW.id IS NOT OLD.id OR NEW.seq IS NOT OLD.seq + 1 OR NOT {_NEXT_ROW}
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    f"""CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    f"""CREATE TRIGGER audit_head_single_row BEFORE INSERT ON audit_head
        WHEN EXISTS (SELECT 1 FROM audit_head)
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS audit_head_forward_only",
    "DROP TRIGGER IF EXISTS audit_head_no_delete",
    "DROP TRIGGER IF EXISTS audit_head_single_row",
]
POSTGRES_UP = [
    f"""CREATE OR REPLACE FUNCTION cbclassify_audit_head_guard() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
          IF TG_OP = 'UPDATE' THEN
            IF NEW.id = OLD.id AND NEW.seq = OLD.seq + 1 AND {_NEXT_ROW} THEN
              RETURN NEW;
            END IF;
          ELSIF TG_OP = 'INSERT' THEN
            IF NOT EXISTS (SELECT 1 FROM audit_head) THEN
              RETURN NEW;
            END IF;
          END IF;
          RAISE EXCEPTION '{MESSAGE}';
        END $$""",
    """CREATE TRIGGER audit_head_guard
        BEFORE INSERT OR UPDATE OR DELETE ON audit_head
        FOR EACH ROW EXECUTE FUNCTION cbclassify_audit_head_guard()""",
    """CREATE TRIGGER audit_head_no_truncate
        BEFORE TRUNCATE ON audit_head
        FOR EACH STATEMENT EXECUTE FUNCTION cbclassify_audit_head_guard()""",
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS audit_head_no_truncate ON audit_head",
    "DROP TRIGGER IF EXISTS audit_head_guard ON audit_head",
    "DROP FUNCTION IF EXISTS cbclassify_audit_head_guard()",
]


def _statements(up: bool) -> list[str]:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        return SQLITE_UP if up else SQLITE_DOWN
    if dialect == "postgresql":
        return POSTGRES_UP if up else POSTGRES_DOWN
    raise NotImplementedError(f"no audit_head guard for {dialect}")


def upgrade() -> None:
    for statement in _statements(up=True):
        op.execute(statement)


def downgrade() -> None:
    for statement in _statements(up=False):
        op.execute(statement)
