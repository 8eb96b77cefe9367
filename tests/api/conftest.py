"""API fixtures: an app on a temporary SQLite file with a real (tiny) LightGBM champion,
users of every role on practice ``a``, a biller on practice ``b``, and seeded cases."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from api_helpers import World, seed_world, tiny_champion
from fastapi.testclient import TestClient

from api.app import create_app
from api.config import ServiceConfig
from cbclassify.service.champion import LoadedModel
from cbclassify.settings import Settings


@pytest.fixture(scope="session")
def champion() -> LoadedModel:
    """A real LightGBM credit-source model, trained once on random features."""
    return tiny_champion()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        database_url=f"sqlite:///{tmp_path / 'api.db'}",
        secret_key="test-secret",
    )


@pytest.fixture
def config() -> ServiceConfig:
    return ServiceConfig(
        max_upload_bytes=2_000_000,
        max_unzipped_bytes=5_000_000,
        max_zip_members=20,
        refund_approval_threshold_cents=50_000,
    )


@pytest.fixture
def client(
    settings: Settings, config: ServiceConfig, champion: LoadedModel
) -> Iterator[TestClient]:
    app = create_app(settings, config=config, model_loader=lambda _: champion)
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def world(client: TestClient) -> World:
    """Practices a and b, one user (with a token) per role on a, a biller on b, cases on both."""
    return seed_world(client)
