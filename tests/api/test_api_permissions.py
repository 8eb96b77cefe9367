"""The permission matrix, exhaustively: every endpoint x every role, from one table (the
endpoints' own declared permissions and docs/permissions.md)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from api_helpers import ROLES, World, seed_world, tiny_champion
from fastapi.testclient import TestClient
from store.helpers import cheap_hasher

from api.app import create_app
from api.config import ServiceConfig
from api.endpoints import Endpoint, endpoints, endpoints_markdown
from cbclassify.settings import Settings
from cbclassify.store import accounts
from cbclassify.workflow import Permission, has_permission

ENDPOINTS = endpoints()
PROTECTED = [e for e in ENDPOINTS if e.permission is not None]
SIGNED_IN_ONLY = [e for e in ENDPOINTS if e.permission is None and e.authenticated]
PUBLIC = {
    ("GET", "/api/v1/health"),
    ("GET", "/api/v1/ready"),
    ("GET", "/api/v1/metrics"),
    ("POST", "/api/v1/auth/login"),
}
DOCS = Path(__file__).resolve().parents[2] / "docs" / "permissions.md"
MISSING = 999_999


@pytest.fixture(scope="module")
def matrix(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, World]]:
    """One app for the whole matrix; requests below never change what later ones see."""
    tmp = tmp_path_factory.mktemp("matrix")
    settings = Settings(
        data_dir=tmp / "data", database_url=f"sqlite:///{tmp / 'm.db'}", secret_key="matrix"
    )
    champion = tiny_champion()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(accounts, "_hasher", cheap_hasher)
        app = create_app(settings, config=ServiceConfig(), model_loader=lambda _: champion)
        with TestClient(app) as client:
            yield client, seed_world(client)


def _call(client: TestClient, world: World, endpoint: Endpoint, headers: dict[str, str]):
    """The endpoint with harmless arguments: unknown ids and empty bodies (a permitted call
    then fails validation or finds nothing; it never changes the shared state)."""
    path = (
        endpoint.path.replace("{code}", "a")
        .replace("{case_id}", str(world.case_a))
        .replace("{token_id}", str(MISSING))
        .replace("{user_id}", str(MISSING))
    )
    kwargs: dict[str, object] = {"headers": headers}
    if endpoint.method in ("POST", "PATCH", "PUT"):
        kwargs["json"] = {}
    return client.request(endpoint.method, path, **kwargs)  # type: ignore[arg-type]


def test_every_endpoint_is_classified() -> None:
    classified = {(e.method, e.path) for e in PROTECTED + SIGNED_IN_ONLY} | PUBLIC
    assert {(e.method, e.path) for e in ENDPOINTS} == classified
    assert {e.permission for e in PROTECTED} <= {p.value for p in Permission}


def test_docs_list_every_endpoint_with_its_permission() -> None:
    assert endpoints_markdown() in DOCS.read_text(encoding="utf-8")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", PROTECTED, ids=lambda e: f"{e.method} {e.path}")
def test_role_is_allowed_exactly_by_the_matrix(matrix, endpoint: Endpoint, role: str) -> None:
    client, world = matrix
    response = _call(client, world, endpoint, world.headers[role])
    allowed = has_permission([role], Permission(endpoint.permission))
    if allowed:
        assert response.status_code not in (401, 403), response.text
        assert response.status_code < 500, response.text
    else:
        assert response.status_code == 403, response.text
        assert response.json()["code"] == "forbidden"


@pytest.mark.parametrize(
    "endpoint", PROTECTED + SIGNED_IN_ONLY, ids=lambda e: f"{e.method} {e.path}"
)
def test_anonymous_and_bad_tokens_are_401(matrix, endpoint: Endpoint) -> None:
    client, world = matrix
    assert _call(client, world, endpoint, {}).status_code == 401
    bad = {"Authorization": "Bearer cbc_not-a-token"}
    response = _call(client, world, endpoint, bad)
    assert response.status_code == 401 and response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("endpoint", SIGNED_IN_ONLY, ids=lambda e: f"{e.method} {e.path}")
@pytest.mark.parametrize("role", ROLES)
def test_signed_in_endpoints_serve_every_role(matrix, endpoint: Endpoint, role: str) -> None:
    client, world = matrix
    response = _call(client, world, endpoint, world.headers[role])
    assert response.status_code not in (401, 403, 500), response.text
