"""Issue 14 through the API: N simultaneous 835 uploads of one practice all reach its ledger
(failure 1), a re-ingest sends a proposal made for the old credit back to review, and approve
or complete above the current credit is answered 409 ``amount_above_credit`` (failure 2)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import httpx
from api_helpers import World
from fastapi.testclient import TestClient
from remit_factory import CREDIT_CENTS, credit_835, credit_claim
from sqlalchemy import update
from store.helpers import PASSWORD, analysed

from cbclassify.store.accounts import create_practice, create_user, issue_token, practice_by_code
from cbclassify.store.audit import SYSTEM
from cbclassify.store.ingest import ingest_cases
from cbclassify.store.models_cases import CreditCase

N = 10


def _biller_of_new_practice(client: TestClient) -> dict[str, str]:
    """Practice ``c`` with no ingest yet, and a biller's bearer header on it."""
    db = client.app.state.service.db  # type: ignore[attr-defined]
    with db.transaction() as s:
        create_practice(s, "c", "Practice C")
        user = create_user(s, "carl", PASSWORD, ["biller"], ["c"])
        _, token = issue_token(s, user, "tests")
    return {"Authorization": f"Bearer {token}"}


def test_parallel_835_uploads_all_reach_the_ledger(client: TestClient) -> None:
    headers = _biller_of_new_practice(client)
    barrier = threading.Barrier(N)

    def upload(i: int) -> httpx.Response:
        files = {"files": (f"remit{i}.835", credit_835(i).encode(), "text/plain")}
        barrier.wait()
        return client.post("/api/v1/practices/c/remittances", files=files, headers=headers)

    with ThreadPoolExecutor(N) as pool:
        answers = list(pool.map(upload, range(N)))
    assert [r.status_code for r in answers] == [201] * N, [r.text for r in answers]
    page = client.get("/api/v1/practices/c/cases", params={"limit": 100}, headers=headers).json()
    found = {c["claim_id"]: c["credit_cents"] for c in page["items"]}
    expected = {credit_claim(i): CREDIT_CENTS for i in range(N)}
    assert found == expected, f"{N} parallel uploads: found {len(found)}/{N} remittances"
    batches = client.get("/api/v1/practices/c/batches", headers=headers).json()
    assert len(batches) == N


def _step(client: TestClient, world: World, role: str, step: str, **body: object) -> httpx.Response:
    version = client.get(f"/api/v1/cases/{world.case_a}", headers=world.headers[role]).json()[
        "version"
    ]
    return client.post(
        f"/api/v1/cases/{world.case_a}/{step}",
        json={"version": version, **body},
        headers=world.headers[role],
    )


def _propose_refund(client: TestClient, world: World) -> None:
    assert _step(client, world, "biller", "review").status_code == 200
    r = _step(client, world, "biller", "propose", action="refund_payer")
    assert r.status_code == 200 and r.json()["proposal"]["amount_cents"] == 80_000, r.text


def test_reingest_lowering_the_credit_sends_the_proposal_back_to_review(
    client: TestClient, world: World
) -> None:
    _propose_refund(client, world)
    db = client.app.state.service.db  # type: ignore[attr-defined]
    with db.transaction() as s:  # the next ledger: a refund row lowered the credit
        lowered = analysed(
            date.today(),
            {"CLM-1": 6_000, "CLM-2": 12_000},
            predicted_source="payer_overpayment",
            verified_source="payer_overpayment",
            recommended_action="refund_payer",
        )
        ingest_cases(
            s, practice_by_code(s, "a"), lowered, kind="ledger", content_sha256="y", actor=SYSTEM
        )
    case = client.get(f"/api/v1/cases/{world.case_a}", headers=world.headers["manager"]).json()
    assert case["state"] == "in_review" and case["proposal"] is None
    r = _step(client, world, "manager", "approve")  # with the new version
    assert r.status_code == 409 and r.json()["code"] == "invalid_transition", r.text


def test_approve_and_complete_above_the_current_credit_are_409(
    client: TestClient, world: World
) -> None:
    _propose_refund(client, world)
    db = client.app.state.service.db  # type: ignore[attr-defined]

    def set_credit(cents: int) -> None:  # a row whose credit moved without a re-review
        with db.engine.begin() as conn:
            conn.execute(
                update(CreditCase)
                .where(CreditCase.id == world.case_a)
                .values(credit_amount_cents=cents, version=CreditCase.version + 1)
            )

    set_credit(6_000)
    r = _step(client, world, "manager", "approve")
    assert r.status_code == 409 and r.json()["code"] == "amount_above_credit", r.text
    assert "$800.00 is above the current credit of $60.00" in r.json()["detail"]
    set_credit(80_000)
    assert _step(client, world, "manager", "approve").status_code == 200
    set_credit(6_000)
    done = {"refund_date": str(date.today()), "check_number": "77"}
    r = _step(client, world, "biller", "complete", **done)
    assert r.status_code == 409 and r.json()["code"] == "amount_above_credit", r.text
    case = client.get(f"/api/v1/cases/{world.case_a}", headers=world.headers["biller"]).json()
    assert case["state"] == "approved"
