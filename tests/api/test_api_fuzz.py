"""Property-based fuzz of the whole API (issue 14, failure 5): schemathesis generates requests
from the app's own OpenAPI document, valid ones (positive: within every declared bound) and
invalid ones (negative: wrong types, out of range, missing fields), for every operation, sent as
a user holding every role on practice ``a``. No answer may be a 5xx, on SQLite and on
PostgreSQL (when CBCLASSIFY_TEST_POSTGRES_URL is set).

The examples are bounded (``CBCLASSIFY_API_FUZZ_EXAMPLES`` per operation and mode, default 8)
and derandomized, so a run is repeatable and takes well under a minute per database."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import schemathesis
from api_helpers import ROLES, World, seed_world
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from store.helpers import PASSWORD

from api.app import create_app
from api.config import ServiceConfig
from cbclassify.service.champion import LoadedModel
from cbclassify.settings import Settings
from cbclassify.store.accounts import create_user, issue_token
from cbclassify.store.testing import postgres_schema_url

EXAMPLES = int(os.environ.get("CBCLASSIFY_API_FUZZ_EXAMPLES", "8"))
POSTGRES_URL = os.environ.get("CBCLASSIFY_TEST_POSTGRES_URL")
MODES = (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE)


@dataclass
class Fuzzed:
    """What a fuzz run sent and what came back."""

    requests: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    server_errors: dict[str, list[str]] = field(default_factory=dict)  # operation -> requests


def _all_roles_headers(client: TestClient) -> dict[str, str]:
    """A fresh token of a user with every role on practices a and b."""
    db = client.app.state.service.db  # type: ignore[attr-defined]
    with db.transaction() as s:
        name = f"fuzz{os.urandom(4).hex()}"
        user = create_user(s, name, PASSWORD, list(ROLES), ["a", "b"])
        _, plaintext = issue_token(s, user, "fuzz")
    return {"Authorization": f"Bearer {plaintext}"}


def fuzz_api(client: TestClient, world: World) -> Fuzzed:
    """Send ``EXAMPLES`` requests per operation and mode; count every status and every 5xx."""
    raw = TestClient(client.app, raise_server_exceptions=False)  # a 500 is an answer here
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", client.app)
    fuzzed = Fuzzed()
    for result in schema.get_all_operations():
        operation = result.ok()
        label = f"{operation.method.upper()} {operation.path}"
        known = {"code": "a", "case_id": world.case_a, "user_id": world.user_ids["biller"]}
        pinned = {k: v for k, v in known.items() if f"{{{k}}}" in operation.path}
        strategies = [operation.as_strategy(mode) for mode in MODES]
        if pinned:  # also reach the code behind the lookups: a real practice and case
            strategies.append(operation.as_strategy(MODES[0], path_parameters=pinned))
        headers = _all_roles_headers(client)  # fresh: an example may revoke or deactivate it
        _fuzz_operation(raw, label, st.one_of(strategies), len(strategies), headers, fuzzed)
    return fuzzed


def _fuzz_operation(
    raw: TestClient,
    label: str,
    cases: st.SearchStrategy[schemathesis.Case],
    strategies: int,
    headers: dict[str, str],
    fuzzed: Fuzzed,
) -> None:
    @settings(
        max_examples=EXAMPLES * strategies,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases)
    def send(case: schemathesis.Case) -> None:
        kwargs = case.as_transport_kwargs(headers=headers)
        kwargs.pop("cookies", None)
        response = raw.request(**kwargs)
        fuzzed.requests += 1
        fuzzed.statuses[response.status_code] += 1
        if response.status_code >= 500:
            fuzzed.server_errors.setdefault(label, []).append(case.as_curl_command())

    send()


def _assert_no_server_error(fuzzed: Fuzzed) -> None:
    print(f"{fuzzed.requests} requests, statuses {sorted(fuzzed.statuses.items())}")
    assert fuzzed.requests > 0 and fuzzed.statuses[422] > 0  # the bounds were exercised
    assert fuzzed.server_errors == {}, f"5xx on {sorted(fuzzed.server_errors)}"


def test_no_request_is_answered_5xx_on_sqlite(client: TestClient, world: World) -> None:
    _assert_no_server_error(fuzz_api(client, world))


@pytest.fixture
def postgres_client(tmp_path: Path, champion: LoadedModel) -> Iterator[TestClient]:
    if not POSTGRES_URL:
        pytest.skip("CBCLASSIFY_TEST_POSTGRES_URL unset")
    with postgres_schema_url(POSTGRES_URL) as scoped:
        settings_ = Settings(data_dir=tmp_path / "data", database_url=scoped, secret_key="pg")
        app = create_app(settings_, config=ServiceConfig(), model_loader=lambda _: champion)
        with TestClient(app) as client:
            yield client


@pytest.mark.postgres
def test_no_request_is_answered_5xx_on_postgres(postgres_client: TestClient) -> None:
    world = seed_world(postgres_client)
    _assert_no_server_error(fuzz_api(postgres_client, world))
