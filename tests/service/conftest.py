"""Service fixtures: a database migrated to head with practice ``a`` on each available backend
(``database_url``: SQLite always, PostgreSQL when CBCLASSIFY_TEST_POSTGRES_URL is set), and
settings over tmp_path."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cbclassify.settings import Settings
from cbclassify.store.accounts import create_practice
from cbclassify.store.db import Database
from cbclassify.store.migrate import upgrade


@pytest.fixture
def db_url(database_url: str) -> str:
    """The URL of a database migrated to head, with practice ``a``."""
    db = Database.from_url(database_url)
    try:
        upgrade(db.engine)
        with db.transaction() as s:
            create_practice(s, "a", "Practice A")
    finally:
        db.dispose()
    return database_url


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = Database.from_url(db_url)
    try:
        yield database
    finally:
        database.dispose()


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=db_url, secret_key="test")
