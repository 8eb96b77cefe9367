"""A user of practice A can never read or change anything of practice B, whatever id they send."""

from __future__ import annotations

import pytest
from api_helpers import World
from fastapi.testclient import TestClient

STEPS = ["review", "propose", "withdraw", "hold", "release", "complete"]


def test_b_case_is_not_found_for_a_users(client: TestClient, world: World) -> None:
    for role in ("biller", "manager", "auditor"):
        r = client.get(f"/api/v1/cases/{world.case_b}", headers=world.headers[role])
        assert r.status_code == 404 and r.json()["code"] == "not_found"
    # the same answer as an id that does not exist: no existence leak
    assert (
        client.get("/api/v1/cases/424242", headers=world.headers["biller"]).json()["detail"]
        == "no case 424242"
    )


@pytest.mark.parametrize("step", STEPS)
def test_b_case_cannot_be_changed_by_a_users(client: TestClient, world: World, step: str) -> None:
    body = {"version": 1, "action": "refund_patient", "kind": "other", "reason": "x"}
    r = client.post(
        f"/api/v1/cases/{world.case_b}/{step}", json=body, headers=world.headers["manager"]
    )
    assert r.status_code in (404, 422)  # 422 only where the body does not fit the step
    db = client.app.state.service.db  # type: ignore[attr-defined]
    from cbclassify.store.models_cases import CaseEvent, CreditCase

    with db.read_session() as s:
        case = s.get_one(CreditCase, world.case_b)
        assert (case.state, case.version) == ("open", 1)
        assert s.query(CaseEvent).filter_by(case_id=world.case_b).count() == 0


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/practices/b/cases"),
        ("GET", "/api/v1/practices/b/batches"),
        ("GET", "/api/v1/practices/b/reports/summary"),
        ("GET", "/api/v1/practices/b/resolutions.csv"),
        ("POST", "/api/v1/practices/b/ledgers"),
        ("POST", "/api/v1/practices/b/remittances"),
    ],
)
def test_b_practice_endpoints_are_not_found(client, world, method: str, path: str) -> None:
    files = {"file": ("l.zip", b"PK"), "files": ("x.835", b"ISA")} if method == "POST" else None
    r = client.request(method, path, headers=world.headers["manager"], files=files)
    assert r.status_code == 404, r.text


def test_b_users_see_only_b(client: TestClient, world: World) -> None:
    r = client.get("/api/v1/practices", headers=world.headers["biller_b"])
    assert [p["code"] for p in r.json()] == ["b"]
    assert (
        client.get(f"/api/v1/cases/{world.case_a}", headers=world.headers["biller_b"]).status_code
        == 404
    )
    r = client.get("/api/v1/practices/b/cases", headers=world.headers["biller_b"])
    assert [c["id"] for c in r.json()["items"]] == [world.case_b]


def test_auditor_export_is_scoped(client: TestClient, world: World) -> None:
    client.get(f"/api/v1/cases/{world.case_b}", headers=world.headers["biller_b"])  # audited on b
    client.get(f"/api/v1/cases/{world.case_a}", headers=world.headers["biller"])  # audited on a
    r = client.get("/api/v1/audit/export.csv", headers=world.headers["auditor"])
    assert r.status_code == 200
    body = r.text
    assert f",{world.case_a}," in body and f",{world.case_b}," not in body
    r = client.get(
        "/api/v1/audit/export.csv",
        params={"case_id": world.case_b},
        headers=world.headers["auditor"],
    )
    assert r.status_code == 404
    r = client.get(
        "/api/v1/audit/export.csv", params={"practice": "b"}, headers=world.headers["auditor"]
    )
    assert r.status_code == 404
