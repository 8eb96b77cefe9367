"""Store fixtures: a database migrated to head on each available backend (``database_url``:
SQLite always, PostgreSQL when CBCLASSIFY_TEST_POSTGRES_URL is set)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cbclassify.store.db import Database
from cbclassify.store.migrate import upgrade


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    """A database migrated to head, on each available backend."""
    database = Database.from_url(database_url)
    try:
        upgrade(database.engine)
        yield database
    finally:
        database.dispose()
