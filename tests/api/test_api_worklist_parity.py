"""Issue 16's worklist features through the JSON API: search, assignment filter, aging buckets
and totals, assigning a case, and the audit export by claim number (SQLite, and PostgreSQL
when CBCLASSIFY_TEST_POSTGRES_URL is set)."""

from __future__ import annotations

import csv
import io
import json
import os
from datetime import timedelta
from pathlib import Path

import pytest
from api_helpers import World, seed_world
from fastapi.testclient import TestClient
from sqlalchemy import update

from api.app import create_app
from api.config import ServiceConfig
from cbclassify.settings import Settings
from cbclassify.store.audit import verify_chain
from cbclassify.store.models_audit import AuditEvent
from cbclassify.store.models_cases import CreditCase
from cbclassify.store.testing import postgres_schema_url

URL = os.environ.get("CBCLASSIFY_TEST_POSTGRES_URL")
CASES = "/api/v1/practices/a/cases"


def _ids(client: TestClient, world: World, role: str = "biller", **params: object) -> set[int]:
    r = client.get(CASES, params=params, headers=world.headers[role])
    assert r.status_code == 200, r.text
    return {c["id"] for c in r.json()["items"]}


def _age(client: TestClient, case_id: int, days: int) -> None:
    """Move a case's credit-since date ``days`` before its practice's as-of date."""
    db = client.app.state.service.db  # type: ignore[attr-defined]
    with db.transaction() as s:
        case = s.get(CreditCase, case_id)
        assert case is not None and case.credit_since is not None
        since = case.identified_date - timedelta(days=days)
        s.execute(update(CreditCase).where(CreditCase.id == case_id).values(credit_since=since))


def _assign(client: TestClient, world: World, case_id: int, user_id: object, role: str = "biller"):
    return client.post(
        f"/api/v1/cases/{case_id}/assign", json={"user_id": user_id}, headers=world.headers[role]
    )


def _scenario(client: TestClient, world: World) -> None:
    """Search, assign, filter by assignee and bucket, totals: the same on both databases."""
    both = {world.case_a, world.case_a_small}
    # search: claim number or patient id prefix, case-insensitive, wildcards literal
    assert _ids(client, world, q="clm-1") == {world.case_a}
    assert _ids(client, world, q="CLM-") == both
    assert _ids(client, world, q="pat-1") == {world.case_a}
    assert _ids(client, world, q="CLM%") == set() and _ids(client, world, q="_LM-1") == set()
    assert _ids(client, world, q="CLM-9") == set()  # practice b's claim

    # assign: version unchanged, audited, visible in the worklist
    before = client.get(f"/api/v1/cases/{world.case_a}", headers=world.headers["biller"]).json()
    r = _assign(client, world, world.case_a, world.user_ids["biller"])
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["assigned_to_id"] == world.user_ids["biller"]
    assert out["version"] == before["version"]
    assert _ids(client, world, assigned_to="me") == {world.case_a}
    assert _ids(client, world, role="manager", assigned_to="me") == set()
    assert _ids(client, world, assigned_to=str(world.user_ids["biller"])) == {world.case_a}
    assert _ids(client, world, assigned_to="none") == {world.case_a_small}
    again = _assign(client, world, world.case_a, world.user_ids["biller"])  # already: no row
    assert again.status_code == 200
    db = client.app.state.service.db  # type: ignore[attr-defined]
    with db.read_session() as s:
        rows = s.query(AuditEvent).filter(AuditEvent.action == "case.assign").all()
        assert [(r.case_id, json.loads(r.after)) for r in rows] == [
            (world.case_a, {"assigned_to_id": world.user_ids["biller"]})
        ]
        assert verify_chain(s).ok
    r = _assign(client, world, world.case_a, None, role="manager")
    assert r.status_code == 200 and r.json()["assigned_to_id"] is None
    assert _ids(client, world, assigned_to="none") == both

    # aging buckets and totals (the small credit 45 days old: 31-60)
    _age(client, world.case_a_small, 45)
    assert _ids(client, world, age="31-60") == {world.case_a_small}
    assert _ids(client, world, age="0-30") == {world.case_a}
    assert _ids(client, world, age="31-60", max_age_days=40) == set()  # both bounds hold
    r = client.get(f"{CASES}/totals", headers=world.headers["biller"])
    assert r.status_code == 200, r.text
    totals = r.json()
    assert totals["cases"] == 2 and totals["credit_amount_cents"] == 92_000
    buckets = {b["key"]: (b["cases"], b["credit_amount_cents"]) for b in totals["buckets"]}
    assert list(buckets) == ["0-30", "31-60", "61-90", "91-120", "120+"]
    assert buckets["0-30"] == (1, 80_000) and buckets["31-60"] == (1, 12_000)
    assert buckets["120+"] == (0, 0) and totals["undated"] == 0
    only = client.get(
        f"{CASES}/totals", params={"q": "CLM-2", "age": "31-60"}, headers=world.headers["biller"]
    ).json()
    assert only["cases"] == 1 and only["credit_amount_cents"] == 12_000
    page = client.get(CASES, params={"age": "31-60"}, headers=world.headers["biller"]).json()
    assert page["total"] == 1  # the page's total and the totals agree on one filter


def test_search_assign_buckets_and_totals(client: TestClient, world: World) -> None:
    _scenario(client, world)


@pytest.mark.postgres
@pytest.mark.skipif(not URL, reason="CBCLASSIFY_TEST_POSTGRES_URL unset")
def test_search_assign_buckets_and_totals_on_postgres(tmp_path: Path, champion) -> None:
    assert URL
    with postgres_schema_url(URL) as scoped:
        settings = Settings(data_dir=tmp_path / "data", database_url=scoped, secret_key="pg")
        app = create_app(settings, config=ServiceConfig(), model_loader=lambda _: champion)
        with TestClient(app) as client:
            _scenario(client, seed_world(client))


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"age": "7-14"}, "query.age"),
        ({"assigned_to": "someone"}, "query.assigned_to"),
        ({"assigned_to": "0"}, "query.assigned_to"),
        ({"assigned_to": str(2**63)}, "query.assigned_to"),
        ({"assigned_to": "1" * 20}, "query.assigned_to"),
        ({"q": ""}, "query.q"),
        ({"q": "x" * 101}, "query.q"),
    ],
)
def test_bad_filters_are_422_naming_the_field(
    client: TestClient, world: World, params: dict[str, str], field: str
) -> None:
    for path in (CASES, f"{CASES}/totals"):
        r = client.get(path, params=params, headers=world.headers["biller"])
        assert r.status_code == 422, (path, r.text)
        assert r.json()["field"] == field


def test_filters_are_in_the_openapi_schema_with_bounds(client: TestClient) -> None:
    spec = client.get("/api/v1/openapi.json")
    if spec.status_code == 404:
        spec = client.get("/openapi.json")
    paths = spec.json()["paths"]
    for path in ("/api/v1/practices/{code}/cases", "/api/v1/practices/{code}/cases/totals"):
        params = {p["name"]: p for p in paths[path]["get"]["parameters"]}
        q = params["q"]["schema"]["anyOf"][0]
        assert (q["minLength"], q["maxLength"]) == (1, 100)
        assert "pattern" in params["assigned_to"]["schema"]["anyOf"][0]
        assert params["age"]["schema"]["anyOf"][0]["enum"] == [
            "0-30",
            "31-60",
            "61-90",
            "91-120",
            "120+",
        ]
    assert "/api/v1/cases/{case_id}/assign" in paths


def test_totals_and_filters_are_scoped(client: TestClient, world: World) -> None:
    h = world.headers
    assert client.get("/api/v1/practices/b/cases/totals", headers=h["biller"]).status_code == 404
    assert client.get(f"{CASES}/totals", headers=h["admin"]).status_code == 403
    assert client.get(f"{CASES}/totals").status_code == 401
    auditor = client.get(f"{CASES}/totals", headers=h["auditor"])
    assert auditor.status_code == 200 and auditor.json()["cases"] == 2


def test_assign_rules(client: TestClient, world: World) -> None:
    ids = world.user_ids
    # only an active biller or manager of the case's practice
    for who in ("auditor", "data_scientist", "admin", "biller_b"):
        r = _assign(client, world, world.case_a, ids[who])
        assert r.status_code == 422 and r.json()["field"] == "body.user_id", who
    assert _assign(client, world, world.case_a, 2**62).status_code == 422
    # permission as the web: case work
    assert _assign(client, world, world.case_a, ids["biller"], role="auditor").status_code == 403
    # another practice's case: not found, not forbidden
    assert _assign(client, world, world.case_b, ids["biller"]).status_code == 404
    assert _assign(client, world, 2**62, ids["biller"]).status_code == 404
    # body bounds: the field named
    for body in ({"user_id": 0}, {"user_id": 2**63}, {"user_id": "x"}, {}):
        r = client.post(
            f"/api/v1/cases/{world.case_a}/assign", json=body, headers=world.headers["biller"]
        )
        assert r.status_code == 422, body
        assert r.json()["field"].startswith("body"), body
    r = _assign(client, world, world.case_a, ids["manager2"])
    assert r.status_code == 200 and r.json()["assigned_to_id"] == ids["manager2"]


def _audit_rows(client: TestClient, world: World, role: str = "auditor", **params: object):
    r = client.get("/api/v1/audit/export.csv", params=params, headers=world.headers[role])
    assert r.status_code == 200, r.text
    return list(csv.DictReader(io.StringIO(r.text)))


def test_audit_export_by_claim_number(client: TestClient, world: World) -> None:
    assert _assign(client, world, world.case_a, world.user_ids["biller"]).status_code == 200
    assert _assign(client, world, world.case_a_small, world.user_ids["biller"]).status_code == 200
    rows = _audit_rows(client, world, claim_id="CLM-1")
    assert rows and {r["case_id"] for r in rows} == {str(world.case_a)}
    assert any(r["action"] == "case.assign" for r in rows)
    assert _audit_rows(client, world, claim_id="NOPE") == []
    # another practice's claim: nothing, even though the claim exists there
    assert _audit_rows(client, world, claim_id="CLM-9") == []
    # the claim and a case of another claim: nothing
    assert _audit_rows(client, world, claim_id="CLM-1", case_id=world.case_a_small) == []
    for params, field in (({"claim_id": ""}, "query.claim_id"), ({"claim_id": "x" * 101}, None)):
        r = client.get("/api/v1/audit/export.csv", params=params, headers=world.headers["auditor"])
        assert r.status_code == 422 and r.json()["field"] == (field or "query.claim_id")
    assert (
        client.get(
            "/api/v1/audit/export.csv",
            params={"claim_id": "CLM-1"},
            headers=world.headers["biller"],
        ).status_code
        == 403
    )


def _audit_page(client: TestClient, world: World, role: str = "auditor", **params: object):
    r = client.get("/api/v1/audit", params=params, headers=world.headers[role])
    assert r.status_code == 200, r.text
    return r.json()


def test_audit_list_by_claim_number_kind_and_case(client: TestClient, world: World) -> None:
    assert _assign(client, world, world.case_a, world.user_ids["biller"]).status_code == 200
    assert _assign(client, world, world.case_a_small, world.user_ids["biller"]).status_code == 200
    page = _audit_page(client, world, claim_id="CLM-1", kind="workflow")
    assert page["total"] == 1 and len(page["items"]) == 1
    row = page["items"][0]
    assert (row["action"], row["case_id"], row["practice"]) == ("case.assign", world.case_a, "a")
    assert row["after"] == {"assigned_to_id": world.user_ids["biller"]}
    everything = _audit_page(client, world, kind="workflow")
    assert everything["total"] == 2
    assert [r["case_id"] for r in everything["items"]] == [world.case_a_small, world.case_a]
    assert _audit_page(client, world, claim_id="CLM-9")["total"] == 0  # practice b's claim
    assert _audit_page(client, world, claim_id="CLM-1", case_id=world.case_a_small)["total"] == 0
    one = _audit_page(client, world, kind="workflow", limit=1, offset=1)
    assert [r["case_id"] for r in one["items"]] == [world.case_a] and one["total"] == 2
    h = world.headers
    assert client.get("/api/v1/audit", headers=h["biller"]).status_code == 403
    r = client.get("/api/v1/audit", params={"case_id": world.case_b}, headers=h["auditor"])
    assert r.status_code == 404
    for params, field in (
        ({"kind": "bogus"}, "query.kind"),
        ({"claim_id": ""}, "query.claim_id"),
        ({"limit": 501}, "query.limit"),
        ({"from": "2026-02-02", "to": "2026-02-01"}, "from"),
    ):
        r = client.get("/api/v1/audit", params=params, headers=h["auditor"])
        assert r.status_code == 422 and r.json()["field"] == field, params
