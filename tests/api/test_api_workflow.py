"""The whole case workflow through the API: worklist, detail (audited), propose, approve by
another manager, complete, export; conflicts and bad steps answered clearly."""

from __future__ import annotations

from datetime import date

from api_helpers import World
from fastapi.testclient import TestClient

from cbclassify.store.audit import verify_chain
from cbclassify.store.audit_queries import audit_events


def _post(client: TestClient, world: World, role: str, case_id: int, step: str, **body: object):
    return client.post(f"/api/v1/cases/{case_id}/{step}", json=body, headers=world.headers[role])


def _version(client: TestClient, world: World, case_id: int) -> int:
    return client.get(f"/api/v1/cases/{case_id}", headers=world.headers["biller"]).json()["version"]


def test_payer_refund_from_worklist_to_resolution_export(client: TestClient, world: World) -> None:
    page = client.get(
        "/api/v1/practices/a/cases",
        params={"sort": "amount", "descending": True},
        headers=world.headers["biller"],
    ).json()
    assert page["total"] == 2 and page["items"][0]["id"] == world.case_a
    case = page["items"][0]
    assert case["recommended_action"] == "refund_payer" and case["credit_amount"] == "800.00"

    v = case["version"]
    r = _post(client, world, "biller", world.case_a, "review", version=v)
    assert r.status_code == 200 and r.json()["state"] == "in_review"
    r = _post(
        client, world, "biller", world.case_a, "propose", version=v + 1, action="refund_payer"
    )
    assert r.json()["proposal"]["approval_required"] is True
    r = _post(
        client,
        world,
        "biller",
        world.case_a,
        "complete",
        version=v + 2,
        refund_date=str(date.today()),
        check_number="5521",
    )
    assert r.status_code == 409 and r.json()["code"] == "invalid_transition"
    r = _post(client, world, "manager", world.case_a, "approve", version=v + 2)
    assert r.status_code == 200 and r.json()["proposal"]["approved_by"] == "manager"
    r = _post(
        client,
        world,
        "biller",
        world.case_a,
        "complete",
        version=v + 3,
        refund_date=str(date.today()),
        check_number="5521",
    )
    assert r.status_code == 200
    done = r.json()
    assert done["state"] == "done" and done["resolution"]["kind"] == "refunded"
    assert done["resolution"]["details"]["check_number"] == "5521"

    detail = client.get(f"/api/v1/cases/{world.case_a}", headers=world.headers["manager"]).json()
    assert [e["command"] for e in detail["events"]] == [
        "start_review",
        "propose",
        "approve",
        "complete",
    ]
    assert detail["approvals"][0]["approver"] == "manager"
    assert detail["probabilities"]["patient_credit"] == 0.9
    assert detail["allowed_commands"] == ["reopen"]

    csv = client.get("/api/v1/practices/a/resolutions.csv", headers=world.headers["manager"])
    lines = csv.text.strip().splitlines()
    assert lines[0] == "claim_id,source,action,amount,resolved_date,resolved_by,identified_date"
    assert lines[1] == (
        f"CLM-1,payer_overpayment,refund_payer,800.00,{date.today()},biller,{date.today()}"
    )


def test_self_approval_is_refused(client: TestClient, world: World) -> None:
    v = _version(client, world, world.case_a)
    _post(client, world, "manager", world.case_a, "review", version=v)
    _post(client, world, "manager", world.case_a, "propose", version=v + 1, action="refund_payer")
    r = _post(client, world, "manager", world.case_a, "approve", version=v + 2)
    assert r.status_code == 403 and r.json()["code"] == "self_approval"
    assert (
        _post(client, world, "manager2", world.case_a, "approve", version=v + 2).status_code == 200
    )


def test_stale_version_is_a_conflict(client: TestClient, world: World) -> None:
    v = _version(client, world, world.case_a_small)
    assert (
        _post(client, world, "biller", world.case_a_small, "review", version=v).status_code == 200
    )
    r = _post(
        client,
        world,
        "manager",
        world.case_a_small,
        "hold",
        version=v,
        kind="payer_decision",
        reason="waiting",
    )
    assert r.status_code == 409 and r.json()["code"] == "stale_version"
    assert _version(client, world, world.case_a_small) == v + 1


def test_override_needs_reason_and_small_refund_needs_no_approval(client, world) -> None:
    v = _version(client, world, world.case_a_small)
    _post(client, world, "biller", world.case_a_small, "review", version=v)
    r = _post(
        client,
        world,
        "biller",
        world.case_a_small,
        "propose",
        version=v + 1,
        action="apply_to_balance",
    )
    assert r.status_code == 422 and r.json()["field"] == "reason"
    r = _post(
        client,
        world,
        "biller",
        world.case_a_small,
        "propose",
        version=v + 1,
        action="apply_to_balance",
        reason="patient has an open visit",
    )
    assert r.status_code == 200 and r.json()["proposal"]["approval_required"] is False
    r = _post(client, world, "biller", world.case_a_small, "complete", version=v + 2)
    assert r.status_code == 200 and r.json()["resolution"]["kind"] == "applied"
    db = client.app.state.service.db  # type: ignore[attr-defined]
    with db.read_session() as s:
        actions = [e.action for e in audit_events(s, None, case_id=world.case_a_small)]
        assert verify_chain(s).ok
    assert "case.override" in actions and actions.count("case.read") >= 1


def test_bad_step_bodies_are_422_naming_the_field(client: TestClient, world: World) -> None:
    r = _post(client, world, "biller", world.case_a, "propose", version=1, action="teleport")
    assert r.status_code == 422 and r.json()["field"] == "body.action"
    r = _post(client, world, "biller", world.case_a, "review")
    assert r.status_code == 422 and r.json()["field"] == "body.version"
    r = _post(
        client,
        world,
        "biller",
        world.case_a,
        "propose",
        version=1,
        action="refund_payer",
        amount="12.345",
    )
    assert r.status_code == 422 and r.json()["field"] == "body.amount"


def test_worklist_filters(client: TestClient, world: World) -> None:
    def ids(**params: object) -> set[int]:
        r = client.get("/api/v1/practices/a/cases", params=params, headers=world.headers["biller"])
        assert r.status_code == 200, r.text
        return {c["id"] for c in r.json()["items"]}

    both = {world.case_a, world.case_a_small}
    assert ids() == both
    assert ids(source="payer_overpayment") == {world.case_a}
    assert ids(min_amount_cents=50_000) == {world.case_a}
    assert ids(max_amount_cents=50_000) == {world.case_a_small}
    assert ids(status=["open"]) == both and ids(status=["done"]) == set()
    assert ids(verification="confirmed") == both and ids(verification="refuted") == set()
    assert ids(payer_id="AETNA", location_id="L1") == both and ids(payer_id="X") == set()
    assert ids(due_before="2025-06-01") == both and ids(due_after="2025-06-02") == set()
    assert ids(min_age_days=1) == set() and ids(max_age_days=0) == both
    assert ids(overdue=True) == both  # due 2025-06-01, still open
    page = client.get(
        "/api/v1/practices/a/cases",
        params={"limit": 1, "offset": 1, "sort": "amount"},
        headers=world.headers["biller"],
    ).json()
    assert page["total"] == 2 and [c["id"] for c in page["items"]] == [world.case_a]
    r = client.get(
        "/api/v1/practices/a/cases", params={"sort": "bogus"}, headers=world.headers["biller"]
    )
    assert r.status_code == 422 and r.json()["field"] == "query.sort"
