"""Classify-on-demand, model info and reload, health, readiness, metrics, OpenAPI."""

from __future__ import annotations

from api_helpers import World
from fastapi.testclient import TestClient

PAYERS = [{"payer_id": "C1", "payer_name": "Acme", "payer_type": "commercial"}]
PATIENTS = [{"patient_id": "PT2", "state": "NJ"}]
LINES = [
    {
        "claim_id": "CL2",
        "line_no": 1,
        "patient_id": "PT2",
        "payer_id": "C1",
        "location_id": "LOC1",
        "provider_id": "PR2",
        "service_date": "2024-01-08",
        "cpt": "92507",
        "units": 1,
        "charge_amount": "150.00",
        "billed_date": "2024-01-09",
    }
]


def _txn(txn_id: str, kind: str, source: str, amount: str, **extra: object) -> dict[str, object]:
    row = {
        "txn_id": txn_id,
        "claim_id": "CL2",
        "kind": kind,
        "source": source,
        "amount": amount,
        "method": "check",
        "posted_date": "2024-01-30",
        "posted_by": "u1",
    }
    if source == "payer":
        row["payer_id"] = "C1"
    return {**row, **extra}


TXNS = [
    _txn("T08", "payment", "payer", "100.00", line_no=1, allowed_amount="120.00"),
    _txn("T09", "adjustment", "payer", "30.00", line_no=1, group_code="CO", reason_code="45"),
    _txn("T11", "payment", "patient", "20.00", method="cash", posted_date="2024-01-08"),
    _txn("T12", "payment", "patient", "20.00", method="card", posted_date="2024-02-02"),
]
BODY = {"claim_lines": LINES, "transactions": TXNS, "payers": PAYERS, "patients": PATIENTS}


def test_classify_one_claim(client: TestClient, world: World) -> None:
    r = client.post("/api/v1/classify", json=BODY, headers=world.headers["biller"])
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["balances"] == [{"claim_id": "CL2", "balance": "-20.00", "credit": True}]
    (credit,) = out["credits"]
    assert credit["credit_amount"] == "20.00"
    assert abs(sum(credit["probabilities"].values()) - 1) < 1e-9
    assert credit["confidence"] == credit["probabilities"][credit["predicted_source"]]
    assert out["model_version"] == "cbclassify-credit-source v3" and out["as_of"] == "2024-02-02"


def test_classify_without_credit_gives_balance_only(client: TestClient, world: World) -> None:
    body = {**BODY, "transactions": TXNS[:2]}
    out = client.post("/api/v1/classify", json=body, headers=world.headers["biller"]).json()
    assert out["balances"][0] == {"claim_id": "CL2", "balance": "20.00", "credit": False}
    assert out["credits"] == []


def test_classify_bad_rows_name_the_request_field(client: TestClient, world: World) -> None:
    bad_amount = {**BODY, "transactions": [*TXNS[:3], {**TXNS[3], "amount": "1.234"}]}
    r = client.post("/api/v1/classify", json=bad_amount, headers=world.headers["biller"])
    assert r.status_code == 422 and r.json()["field"] == "body.transactions.3.amount"
    unknown_payer = {**BODY, "transactions": [{**TXNS[0], "payer_id": "NOPE"}]}
    r = client.post("/api/v1/classify", json=unknown_payer, headers=world.headers["biller"])
    assert r.status_code == 422 and r.json()["code"] == "invalid_ledger"
    assert r.json()["field"] == "transactions[0].payer_id"
    r = client.post(
        "/api/v1/classify", json={**BODY, "claim_lines": []}, headers=world.headers["biller"]
    )
    assert r.status_code == 422 and r.json()["field"] == "body.claim_lines"
    r = client.post(
        "/api/v1/classify",
        content=b"{not json",
        headers={**world.headers["biller"], "content-type": "application/json"},
    )
    assert r.status_code == 422 and r.json()["field"] == "body"
    r = client.post("/api/v1/classify", headers=world.headers["biller"])  # no body at all
    assert r.status_code == 422 and r.json()["field"] == "body"
    r = client.post("/api/v1/classify", content=b"{not json")  # who asks comes first
    assert r.status_code == 401


def test_classify_request_body_is_documented(client: TestClient) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    body = spec["paths"]["/api/v1/classify"]["post"]["requestBody"]
    assert body["required"] and body["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ClassifyIn"
    }
    schemas = spec["components"]["schemas"]
    sent = schemas["ClassifyIn"]
    assert {"claim_lines", "transactions", "payers"} <= set(sent["properties"])
    assert set(sent["required"]) >= {"claim_lines", "patients"}
    items = sent["properties"]["transactions"]["items"]["$ref"].rsplit("/", 1)[-1]
    assert "amount" in schemas[items]["properties"]  # nested models are there too


def test_model_info_and_reload(client: TestClient, world: World, champion) -> None:
    info = client.get("/api/v1/model", headers=world.headers["auditor"]).json()
    assert info["loaded"] and info["version"] == "3" and info["alias"] == "champion"
    state = client.app.state.service  # type: ignore[attr-defined]
    newer = type(champion)(
        champion.predictor,
        type(champion.ref)("cbclassify-credit-source", "4"),
        "models:/cbclassify-credit-source/4",
        champion.loaded_at,
    )
    state.models._loader = lambda _: newer
    r = client.post("/api/v1/model/reload", headers=world.headers["data_scientist"])
    assert r.status_code == 200 and r.json()["version"] == "4"

    def broken(_: object) -> object:
        raise LookupError("registry down")

    state.models._loader = broken
    r = client.post("/api/v1/model/reload", headers=world.headers["admin"]).json()
    assert r["version"] == "4" and "registry down" in r["error"]  # the old model keeps serving


def test_without_a_champion_classify_is_503_but_work_goes_on(settings, config) -> None:
    from api.app import create_app

    def missing(_: object) -> object:
        raise LookupError("no champion")

    with TestClient(create_app(settings, config=config, model_loader=missing)) as client:
        from api_helpers import seed_world

        world = seed_world(client)
        r = client.post("/api/v1/classify", json=BODY, headers=world.headers["biller"])
        assert r.status_code == 503 and r.json()["code"] == "model_unavailable"
        assert client.get("/api/v1/ready").json()["checks"]["model"] == "none"
        assert (
            client.get("/api/v1/practices/a/cases", headers=world.headers["biller"]).status_code
            == 200
        )


def test_health_ready_metrics_openapi(client: TestClient, world: World) -> None:
    assert client.get("/api/v1/health").json() == {"status": "ok"}
    ready = client.get("/api/v1/ready")
    assert ready.status_code == 200 and ready.json()["checks"] == {
        "database": "ok",
        "schema": "ok",
        "model": "loaded",
    }
    client.get("/api/v1/practices/a/cases", headers=world.headers["biller"])
    client.get("/login")
    text = client.get("/api/v1/metrics").text
    assert (
        'cbclassify_http_requests_total{method="GET",route="/api/v1/practices/{code}/cases"' in text
    )
    assert 'cbclassify_http_requests_total{method="GET",route="/login",status="200"}' in text
    assert 'route="/api/v1/login"' not in text  # web pages keep their own path
    assert "cbclassify_model_loaded 1.0" in text
    spec = client.get("/api/v1/openapi.json").json()
    op = spec["paths"]["/api/v1/cases/{case_id}/approve"]["post"]
    assert op["x-permission"] == "case.approve"
    assert "/api/v1/classify" in spec["paths"]


def test_unknown_route_and_method_are_json_4xx(client: TestClient) -> None:
    r = client.get("/api/v1/nothing-here")
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    r = client.put("/api/v1/health")
    assert r.status_code == 405


def test_no_claim_or_patient_ids_in_logs(client: TestClient, world: World, caplog) -> None:
    import logging

    caplog.set_level(logging.DEBUG)
    client.post("/api/v1/classify", json=BODY, headers=world.headers["biller"])
    client.post("/api/v1/classify", json={**BODY, "patients": []}, headers=world.headers["biller"])
    client.get(f"/api/v1/cases/{world.case_a}", headers=world.headers["biller"])
    v = client.get(f"/api/v1/cases/{world.case_a}", headers=world.headers["biller"]).json()[
        "version"
    ]
    client.post(
        f"/api/v1/cases/{world.case_a}/review", json={"version": v}, headers=world.headers["biller"]
    )
    messages = [r.getMessage() for r in caplog.records]
    for identifier in ("CL2", "PT2", "CLM-1", "PAT-1"):
        assert not any(identifier in m for m in messages), identifier


def test_classify_requests_of_one_worker_run_one_at_a_time(
    client: TestClient, world: World, monkeypatch
) -> None:
    """Concurrent classify calls queue (CPU-bound work under the GIL) instead of interleaving,
    and every one is answered."""
    import threading
    import time
    from concurrent.futures import ThreadPoolExecutor

    import api.routes.model as route

    running, most = [0], [0]
    guard = threading.Lock()
    real = route.classify

    def observed(body, model):
        with guard:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.05)
        with guard:
            running[0] -= 1
        return real(body, model)

    monkeypatch.setattr(route, "classify", observed)
    headers = world.headers["biller"]
    with ThreadPoolExecutor(4) as pool:
        codes = list(
            pool.map(
                lambda _: client.post("/api/v1/classify", json=BODY, headers=headers).status_code,
                range(4),
            )
        )
    assert codes == [200] * 4
    assert most[0] == 1
