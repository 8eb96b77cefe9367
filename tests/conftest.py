"""Shared pytest fixtures."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from store.helpers import cheap_hasher

from cbclassify.store.testing import postgres_schema_url

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DIR = REPO_ROOT.parent / "shared"
#: A PostgreSQL server for the database tests (each test gets its own schema); unset: SQLite only.
POSTGRES_URL = os.environ.get("CBCLASSIFY_TEST_POSTGRES_URL")


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every in-process password hash of a test uses ``store.helpers.cheap_hasher``."""
    from cbclassify.store import accounts

    monkeypatch.setattr(accounts, "_hasher", cheap_hasher)


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
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database, not migrated: a SQLite file always, and a private schema
    on the PostgreSQL server when CBCLASSIFY_TEST_POSTGRES_URL is set (dropped afterwards)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
    else:
        assert POSTGRES_URL
        with postgres_schema_url(POSTGRES_URL) as url:
            yield url


@pytest.fixture(scope="session")
def shared_x12_dir() -> Path:
    """The public X12 835 samples in ../shared/testdata/x12 (skip cleanly when absent)."""
    path = SHARED_DIR / "testdata" / "x12"
    if not path.is_dir():
        pytest.skip(f"shared X12 samples not found at {path}")
    return path


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own data directory, never the developer's .cbclassify/."""
    data_dir = tmp_path / "cbclassify-data"
    monkeypatch.setenv("CBCLASSIFY_DATA_DIR", str(data_dir))
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.delenv("CBCLASSIFY_DATABASE_URL", raising=False)
    # TestClient speaks plain HTTP to "testserver" (not loopback): with the default "auto" the
    # cookies would be Secure and never sent back. Tests of the Secure flag set it themselves.
    monkeypatch.setenv("CBCLASSIFY_COOKIE_SECURE", "false")
    return data_dir
