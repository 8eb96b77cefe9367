"""Sign-in hardening: usernames stored normalized (stripped, case-folded) and the per-username
lock-out counter table ``sign_in_throttles`` (keyed hashes only).

Existing usernames are rewritten in their normalized form. Two accounts whose names differ only
by case or surrounding spaces cannot both keep their names: the upgrade then stops, changing
nothing, and names them (rename one of each pair, then upgrade again).

Revision ID: 0003_auth
Revises: 0002
Create Date: 2026-12-06
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_auth"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _normalized(username: str) -> str:
    # The rule of cbclassify.password_policy.normalize_username, frozen as of this revision.
    return unicodedata.normalize("NFKC", username).strip().casefold()


def _normalize_usernames() -> None:
    users = sa.table("users", sa.column("id", sa.Integer), sa.column("username", sa.String))
    connection = op.get_bind()
    rows = connection.execute(sa.select(users.c.id, users.c.username)).all()
    groups: dict[str, list[str]] = defaultdict(list)
    for _id, name in rows:
        groups[_normalized(name)].append(name)
    clashes = [sorted(names) for names in groups.values() if len(names) > 1]
    if clashes:
        listed = "; ".join(" / ".join(repr(n) for n in names) for names in clashes)
        raise RuntimeError(
            "usernames that differ only by case or surrounding spaces must be renamed before "
            f"this upgrade (sign-in treats them as one): {listed}"
        )
    for user_id, name in rows:
        if _normalized(name) != name:
            connection.execute(
                users.update().where(users.c.id == user_id).values(username=_normalized(name))
            )


def upgrade() -> None:
    _normalize_usernames()
    op.create_table(
        "sign_in_throttles",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_sign_in_throttles")),
    )


def downgrade() -> None:
    op.drop_table("sign_in_throttles")
