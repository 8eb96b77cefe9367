"""Shared pytest fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DIR = REPO_ROOT.parent / "shared"


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
