"""One name per column: the credit and the explained amount carry ``_amount_cents`` like every
other money column in cents (issue 15).

``credit_cases.credit_cents`` -> ``credit_amount_cents``, ``credit_cases.explained_cents`` ->
``explained_amount_cents`` and ``case_observations.credit_cents`` -> ``credit_amount_cents``.
``ALTER TABLE ... RENAME COLUMN`` (PostgreSQL; SQLite 3.25 and later) renames in place: no
table copy, indexes and foreign keys follow the column, and the audit triggers (on other tables)
are untouched.

Revision ID: 0006_column_name
Revises: 0005_case_assign
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0006_column_name"
down_revision: str | None = "0005_case_assign"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: (table, old name, new name)
RENAMES: tuple[tuple[str, str, str], ...] = (
    ("credit_cases", "credit_cents", "credit_amount_cents"),
    ("credit_cases", "explained_cents", "explained_amount_cents"),
    ("case_observations", "credit_cents", "credit_amount_cents"),
)


def _rename(table: str, old: str, new: str) -> None:
    op.execute(f'ALTER TABLE {table} RENAME COLUMN "{old}" TO "{new}"')


def upgrade() -> None:
    for table, old, new in RENAMES:
        _rename(table, old, new)


def downgrade() -> None:
    for table, old, new in reversed(RENAMES):
        _rename(table, new, old)
