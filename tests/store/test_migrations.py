"""Migrations run up from empty (and back down) on every available backend."""

from __future__ import annotations

from sqlalchemy import inspect

from cbclassify.store.db import Database
from cbclassify.store.migrate import current_revision, downgrade, head_revision, is_at_head, upgrade
from cbclassify.store.models import Base

EXPECTED_TABLES = set(Base.metadata.tables) | {"alembic_version"}


def test_upgrade_from_empty_reaches_head_with_every_table(db: Database) -> None:
    assert is_at_head(db.engine)
    assert current_revision(db.engine) == head_revision()
    assert set(inspect(db.engine).get_table_names()) == EXPECTED_TABLES


def test_schema_matches_the_models(db: Database) -> None:
    """Autogenerate finds nothing to change: migrations and models agree."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_downgrade_to_base_and_up_again(db: Database) -> None:
    downgrade(db.engine, "base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    assert current_revision(db.engine) is None
    upgrade(db.engine)
    assert is_at_head(db.engine)
