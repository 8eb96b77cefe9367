"""Issue 14, failure 2 on the web pages: approving a proposal above the case's current credit
is answered 409 with the reason on the case page, and nothing changes."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from web_helpers import PRACTICE, SignIn, csrf_of, version_of

from cbclassify.store.models_auth import Practice
from cbclassify.store.models_cases import CreditCase

pytestmark = pytest.mark.xdist_group("web")


def _refund_payer_case(client: TestClient) -> CreditCase:
    db = client.app.state.service.db
    with db.read_session() as s:
        pid = s.scalar(select(Practice.id).where(Practice.code == PRACTICE))
        found = s.scalar(
            select(CreditCase)
            .where(CreditCase.practice_id == pid, CreditCase.recommended_action == "refund_payer")
            .order_by(CreditCase.id)
        )
    assert found is not None
    return found


def _post(client: TestClient, case_id: int, command: str, **fields: str):
    page = client.get(f"/cases/{case_id}")
    data = {"csrf_token": csrf_of(page.text), "version": str(version_of(page.text)), **fields}
    return client.post(f"/cases/{case_id}/{command}", data=data)


def test_approving_above_the_current_credit_is_409_on_the_page(
    client: TestClient, sign_in: SignIn
) -> None:
    case = _refund_payer_case(client)
    sign_in("bill")
    assert _post(client, case.id, "propose", action="refund_payer").status_code == 303
    db = client.app.state.service.db
    with db.engine.begin() as conn:  # the credit moved without a re-review
        conn.execute(
            update(CreditCase)
            .where(CreditCase.id == case.id)
            .values(credit_amount_cents=1, version=CreditCase.version + 1)
        )
    sign_in("max")
    answer = _post(client, case.id, "approve")
    assert answer.status_code == 409
    assert "is above the current credit of $0.01" in answer.text
    with db.read_session() as s:
        assert s.get_one(CreditCase, case.id).state == "action_proposed"
