"""The workflow through the API on PostgreSQL (when CBCLASSIFY_TEST_POSTGRES_URL is set)."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest
from api_helpers import seed_world
from fastapi.testclient import TestClient

from api.app import create_app
from api.config import ServiceConfig
from cbclassify.settings import Settings
from cbclassify.store.audit import verify_chain
from cbclassify.store.testing import postgres_schema_url

URL = os.environ.get("CBCLASSIFY_TEST_POSTGRES_URL")
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not URL, reason="CBCLASSIFY_TEST_POSTGRES_URL unset"),
]


def test_workflow_and_audit_on_postgres(tmp_path: Path, champion) -> None:
    assert URL
    with postgres_schema_url(URL) as scoped:
        settings = Settings(data_dir=tmp_path / "data", database_url=scoped, secret_key="pg")
        app = create_app(settings, config=ServiceConfig(), model_loader=lambda _: champion)
        with TestClient(app) as client:
            world = seed_world(client)
            h = world.headers
            case = client.get(f"/api/v1/cases/{world.case_a}", headers=h["biller"]).json()
            v = case["version"]
            steps = [
                ("biller", "review", {}),
                ("biller", "propose", {"action": "refund_payer"}),
                ("manager", "approve", {}),
                ("biller", "complete", {"refund_date": str(date.today()), "check_number": "77"}),
            ]
            for role, step, body in steps:
                r = client.post(
                    f"/api/v1/cases/{world.case_a}/{step}",
                    json={"version": v, **body},
                    headers=h[role],
                )
                assert r.status_code == 200, r.text
                v = r.json()["version"]
            stale = client.post(
                f"/api/v1/cases/{world.case_a}/reopen",
                json={"version": 1, "reason": "x"},
                headers=h["manager"],
            )
            assert stale.status_code == 409
            assert (
                client.get(f"/api/v1/cases/{world.case_b}", headers=h["biller"]).status_code == 404
            )
            csv = client.get("/api/v1/practices/a/resolutions.csv", headers=h["manager"]).text
            assert "CLM-1,payer_overpayment,refund_payer,800.00" in csv
            with client.app.state.service.db.read_session() as s:  # type: ignore[attr-defined]
                assert verify_chain(s).ok
