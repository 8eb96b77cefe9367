"""Case assignment and payer names: ``credit_cases.assigned_to_id`` (who works the case, a user
of the practice; audited as ``case.assign``) with its index per practice, and
``credit_cases.payer_name`` (the payer's name from the ledger's payers table, filled by the
next ingest).

SQLite adds the columns in place (``ALTER TABLE ... ADD COLUMN ... REFERENCES``) instead of
recreating the table: other tables refer to ``credit_cases`` and foreign keys are enforced, so
the table cannot be dropped and recreated while it has rows. For the same reason a downgrade on
SQLite cannot drop ``assigned_to_id`` (a column with a foreign key): it empties the column and
leaves it (code before this revision never reads it), and an upgrade reuses it.

Revision ID: 0005_case_assign
Revises: 0003_ingest_audit_head
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_case_assign"
down_revision: str | None = "0003_ingest_audit_head"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_FK = "fk_credit_cases_assigned_to_id_users"
_INDEX = "ix_credit_cases_practice_assigned"


def _has_assignment_column() -> bool:
    columns = sa.inspect(op.get_bind()).get_columns("credit_cases")
    return any(c["name"] == "assigned_to_id" for c in columns)


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        if _has_assignment_column():  # left by a downgrade (see the module)
            op.execute("UPDATE credit_cases SET assigned_to_id = NULL")
        else:
            op.execute(
                f"ALTER TABLE credit_cases ADD COLUMN assigned_to_id INTEGER "
                f"CONSTRAINT {_FK} REFERENCES users (id)"
            )
    else:
        op.add_column("credit_cases", sa.Column("assigned_to_id", sa.BigInteger(), nullable=True))
        op.create_foreign_key(_FK, "credit_cases", "users", ["assigned_to_id"], ["id"])
    op.add_column("credit_cases", sa.Column("payer_name", sa.String(length=200), nullable=True))
    op.create_index(_INDEX, "credit_cases", ["practice_id", "assigned_to_id"], unique=False)


def downgrade() -> None:
    op.drop_index(_INDEX, table_name="credit_cases")
    if op.get_bind().dialect.name == "sqlite":  # SQLite 3.35+ drops plain columns in place
        op.execute("ALTER TABLE credit_cases DROP COLUMN payer_name")
        op.execute("UPDATE credit_cases SET assigned_to_id = NULL")  # kept: see the module
    else:
        op.drop_constraint(_FK, "credit_cases", type_="foreignkey")
        op.drop_column("credit_cases", "payer_name")
        op.drop_column("credit_cases", "assigned_to_id")
