"""Web fixtures: one seeded database per test session (a small synthetic practice scored by a
tiny real model), copied for every test; the app on it through TestClient, signed in by role."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from store.helpers import cheap_hasher
from web_helpers import (
    PASSWORD,
    SignIn,
    post_login,
    seed_database,
    tiny_champion,
    write_small_practice,
)

from api.app import create_app
from api.config import ServiceConfig
from cbclassify.service.champion import LoadedModel
from cbclassify.settings import Settings


@pytest.fixture(scope="session")
def champion() -> LoadedModel:
    """A real LightGBM model (random features), trained once."""
    return tiny_champion()


@pytest.fixture(scope="session")
def small_ledger(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small synthetic practice ledger folder, written once."""
    return write_small_practice(tmp_path_factory.mktemp("ledger") / "ledger")


@pytest.fixture(scope="session")
def seeded_db(
    tmp_path_factory: pytest.TempPathFactory, small_ledger: Path, champion: LoadedModel
) -> Path:
    """The seeded SQLite file (built once per session; tests use copies)."""
    from cbclassify.store import accounts

    root = tmp_path_factory.mktemp("seed")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(accounts, "_hasher", cheap_hasher)
        seed_database(root / "seed.db", root / "data", small_ledger, champion)
    return root / "seed.db"


@pytest.fixture
def web_settings(tmp_path: Path, seeded_db: Path) -> Settings:
    """Settings over a private copy of the seeded database."""
    target = tmp_path / "web.db"
    shutil.copyfile(seeded_db, target)
    # the seed's ledger snapshots (payer names, the merge base of 835 uploads)
    shutil.copytree(seeded_db.parent / "data", tmp_path / "data")
    return Settings(
        data_dir=tmp_path / "data", database_url=f"sqlite:///{target}", secret_key="web-test-secret"
    )


@pytest.fixture
def service_config() -> ServiceConfig:
    return ServiceConfig(load_model=True, refund_approval_threshold_cents=50_000)


@pytest.fixture
def client(
    web_settings: Settings, service_config: ServiceConfig, champion: LoadedModel
) -> Iterator[TestClient]:
    """The whole app (API and pages) on the private database."""
    app = create_app(web_settings, config=service_config, model_loader=lambda _: champion)
    with TestClient(app, raise_server_exceptions=False, follow_redirects=False) as test_client:
        yield test_client


@pytest.fixture
def sign_in(client: TestClient) -> SignIn:
    """Sign the client in as a user through the login form (cookie kept by the client)."""

    def _sign_in(username: str) -> TestClient:
        client.cookies.clear()
        answer = post_login(client, {"username": username, "password": PASSWORD, "next": "/"})
        assert answer.status_code == 303, answer.text
        return client

    return _sign_in
