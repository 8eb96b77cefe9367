"""Store fixtures: a migrated database on SQLite always, on PostgreSQL when
CBCLASSIFY_TEST_POSTGRES_URL is set (each test gets its own schema there)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from cbclassify.store.db import Database
from cbclassify.store.testing import postgres_database, sqlite_database

POSTGRES_URL = os.environ.get("CBCLASSIFY_TEST_POSTGRES_URL")


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2 with the cheapest parameters: tests check behaviour, not hashing cost."""
    from argon2 import PasswordHasher, profiles

    from cbclassify.store import accounts

    monkeypatch.setattr(
        accounts, "_hasher", lambda: PasswordHasher.from_parameters(profiles.CHEAPEST)
    )


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
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A database migrated to head, on each available backend."""
    if request.param == "sqlite":
        with sqlite_database(tmp_path / "store.db") as database:
            yield database
    else:
        assert POSTGRES_URL
        with postgres_database(POSTGRES_URL) as database:
            yield database
