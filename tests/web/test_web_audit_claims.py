"""The audit page by claim number (not only the internal case number) and with local time
beside UTC (CBCLASSIFY_TIMEZONE, else the practice's configured zone, else UTC)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from web_helpers import OTHER, PRACTICE, SignIn, csrf_of, version_of

from cbclassify.settings import PracticeDetails
from cbclassify.store.models_audit import AuditEvent
from cbclassify.store.models_auth import Practice
from cbclassify.store.models_cases import CreditCase

pytestmark = pytest.mark.xdist_group("web")


def _case(client: TestClient, practice: str) -> CreditCase:
    db = client.app.state.service.db  # type: ignore[attr-defined]
    with db.read_session() as s:
        pid = s.scalar(select(Practice.id).where(Practice.code == practice))
        found = s.scalars(
            select(CreditCase).where(CreditCase.practice_id == pid).order_by(CreditCase.id)
        ).first()
        assert found is not None
        return found


def _cases(client: TestClient, practice: str) -> list[CreditCase]:
    db = client.app.state.service.db  # type: ignore[attr-defined]
    with db.read_session() as s:
        pid = s.scalar(select(Practice.id).where(Practice.code == practice))
        return list(s.scalars(select(CreditCase).where(CreditCase.practice_id == pid)))


def _hold(client: TestClient, case: CreditCase) -> None:
    page = client.get(f"/cases/{case.id}")
    answer = client.post(
        f"/cases/{case.id}/hold",
        data={
            "csrf_token": csrf_of(page.text),
            "version": str(version_of(page.text)),
            "kind": "other",
            "reason": "waiting for the EOB",
        },
    )
    assert answer.status_code == 303


def test_audit_filters_by_claim_number(client: TestClient, sign_in: SignIn) -> None:
    case, other = _case(client, PRACTICE), _case(client, "harbor")
    sign_in("bill")
    _hold(client, case)
    second = next(c for c in _cases(client, PRACTICE) if c.id != case.id)
    assert client.get(f"/cases/{second.id}").status_code == 200
    page = sign_in("ada").get("/audit", params={"claim": case.claim_id})
    assert page.status_code == 200
    assert "Put on hold" in page.text and "waiting for the EOB" in page.text
    assert f'href="/cases/{case.id}"' in page.text
    assert f"/api/v1/audit/export.csv?case_id={case.id}" in page.text  # one case: its export
    assert f'href="/cases/{second.id}"' not in page.text  # another case's read is not shown
    assert "Signed in" not in page.text
    # a claim of a practice the auditor is not granted is no case of theirs
    elsewhere = client.get("/audit", params={"claim": other.claim_id})
    assert f"No case of your practices has claim number {other.claim_id}" in elsewhere.text
    assert "No audit rows match" in elsewhere.text
    assert OTHER not in elsewhere.text.split("<main")[1].split("</form>")[1]


def test_local_time_beside_utc(client: TestClient, sign_in: SignIn) -> None:
    settings = client.app.state.service.settings  # type: ignore[attr-defined]
    case = _case(client, PRACTICE)
    sign_in("bill")
    _hold(client, case)
    db = client.app.state.service.db  # type: ignore[attr-defined]
    with db.read_session() as s:
        when = s.scalar(select(AuditEvent.occurred_at).where(AuditEvent.action == "case.hold"))
    assert when is not None
    utc = datetime.fromisoformat(when)

    def local(zone: str) -> str:
        return utc.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M:%S %Z")

    page = sign_in("ada").get(f"/audit?case_id={case.id}&kind=workflow")
    assert "local-time" not in page.text and utc.strftime("%Y-%m-%d %H:%M:%S UTC") in page.text
    settings.practice_details[PRACTICE] = PracticeDetails(timezone="America/Chicago")
    page = client.get(f"/audit?case_id={case.id}&kind=workflow")
    assert "local America/Chicago" in page.text
    assert f'<span class="local-time">{local("America/Chicago")}</span>' in page.text
    settings.timezone = "Asia/Tokyo"  # CBCLASSIFY_TIMEZONE wins over the practice's
    page = client.get(f"/audit?case_id={case.id}&kind=workflow")
    assert f'<span class="local-time">{local("Asia/Tokyo")}</span>' in page.text
    assert local("Asia/Tokyo").endswith("JST")


def test_documents_kind_of_the_audit_page(client: TestClient, sign_in: SignIn) -> None:
    db = client.app.state.service.db  # type: ignore[attr-defined]
    with db.read_session() as s:
        case = s.scalars(
            select(CreditCase)
            .join(Practice, Practice.id == CreditCase.practice_id)
            .where(
                Practice.code == PRACTICE,
                CreditCase.verification == "confirmed",
                CreditCase.recommended_action == "refund_payer",
            )
            .order_by(CreditCase.id)
        ).first()
    assert case is not None
    assert sign_in("bill").get(f"/cases/{case.id}/refund-letter").status_code == 200
    page = sign_in("ada").get("/audit?kind=documents")
    assert "Prepared a refund letter" in page.text and "bill" in page.text
    assert "Viewed case details" not in page.text
