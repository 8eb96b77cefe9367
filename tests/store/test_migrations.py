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


def test_case_assignment_revision_goes_down_and_up_with_cases_stored(db: Database) -> None:
    """0005 (assignment, payer names) undone and redone on a database holding cases that other
    tables refer to: nothing is lost but the assignments, and the schema matches the models."""
    from datetime import date

    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import func, select

    from cbclassify.store.accounts import create_practice, create_user
    from cbclassify.store.audit import SYSTEM
    from cbclassify.store.ingest import ingest_cases
    from cbclassify.store.models_cases import CaseObservation, CreditCase

    from .helpers import analysed

    with db.transaction() as s:
        practice = create_practice(s, "m", "Migrating")
        user = create_user(s, "mig", "correct horse battery", ["biller"], ["m"])
        ingest_cases(s, practice, analysed(date(2025, 1, 31), {"C1": 100, "C2": 200}),
                     kind="ledger", content_sha256="m", actor=SYSTEM)  # fmt: skip
        s.execute(CreditCase.__table__.update().values(assigned_to_id=user.id))
    downgrade(db.engine, "0003_ingest_audit_head")
    upgrade(db.engine)
    with db.read_session() as s:
        assert s.scalar(select(func.count()).select_from(CreditCase)) == 2
        assert s.scalar(select(func.count()).select_from(CaseObservation)) == 2
        assert s.scalar(select(func.count(CreditCase.assigned_to_id))) == 0
    with db.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
