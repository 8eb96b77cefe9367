"""Service fixtures: a migrated database on SQLite always, on PostgreSQL when
CBCLASSIFY_TEST_POSTGRES_URL is set (a fresh schema per test), and settings over tmp_path."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from cbclassify.settings import Settings
from cbclassify.store.accounts import create_practice
from cbclassify.store.db import Database
from cbclassify.store.migrate import upgrade
from cbclassify.store.testing import postgres_schema_url, sqlite_database

POSTGRES_URL = os.environ.get("CBCLASSIFY_TEST_POSTGRES_URL")


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param(
            "postgresql",
            marks=[
                pytest.mark.postgres,
                pytest.mark.skipif(not POSTGRES_URL, reason="CBCLASSIFY_TEST_POSTGRES_URL unset"),
            ],
        ),
    ]
)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database migrated to head, with practice ``a``."""
    if request.param == "sqlite":
        path = tmp_path / "service.db"
        with sqlite_database(path) as db:
            _seed(db)
        yield f"sqlite:///{path}"
    else:
        assert POSTGRES_URL
        with postgres_schema_url(POSTGRES_URL) as url:
            db = Database.from_url(url)
            upgrade(db.engine)
            _seed(db)
            db.dispose()
            yield url


def _seed(db: Database) -> None:
    with db.transaction() as s:
        create_practice(s, "a", "Practice A")


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
