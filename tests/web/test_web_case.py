"""The case page and its workflow forms: history, evidence and recommendation shown; every step
goes through the store's workflow (audited, versioned, approval rules) and problems are shown on
the page with nothing changed."""

from __future__ import annotations

import re
from datetime import date

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from web_helpers import PRACTICE, SignIn, csrf_of, version_of

from cbclassify.store.models_audit import AuditEvent
from cbclassify.store.models_auth import Practice
from cbclassify.store.models_cases import CreditCase

pytestmark = pytest.mark.xdist_group("web")
NEEDS_APPROVAL = ("refund_payer", "payer_offset")
NO_APPROVAL = ("correct_adjustment", "reverse_posting", "apply_to_balance")


def _case(client: TestClient, actions: tuple[str, ...]) -> CreditCase:
    db = client.app.state.service.db
    with db.read_session() as s:
        pid = s.scalar(select(Practice.id).where(Practice.code == PRACTICE))
        found = s.scalar(
            select(CreditCase)
            .where(CreditCase.practice_id == pid, CreditCase.recommended_action.in_(actions))
            .order_by(CreditCase.id)
        )
    assert found is not None, f"the seeded practice has no case recommending {actions}"
    return found


def _reload(client: TestClient, case_id: int) -> CreditCase:
    db = client.app.state.service.db
    with db.read_session() as s:
        return s.get_one(CreditCase, case_id)


def _audit(client: TestClient, case_id: int) -> list[str]:
    db = client.app.state.service.db
    with db.read_session() as s:
        return list(
            s.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.case_id == case_id)
                .order_by(AuditEvent.seq)
            )
        )


def _post(client: TestClient, case_id: int, command: str, **fields: str) -> httpx.Response:
    page = client.get(f"/cases/{case_id}")
    data = {"csrf_token": csrf_of(page.text), "version": str(version_of(page.text)), **fields}
    return client.post(f"/cases/{case_id}/{command}", data=data)


def test_case_page_shows_history_evidence_and_recommendation(
    client: TestClient, sign_in: SignIn
) -> None:
    case = _case(client, NEEDS_APPROVAL + NO_APPROVAL)
    page = sign_in("bill").get(f"/cases/{case.id}")
    assert page.status_code == 200
    html = page.text
    assert f"Claim {case.claim_id}" in html
    txns = case.ledger_history["transactions"]  # type: ignore[index]
    assert txns and case.evidence
    for txn in txns:
        assert f'id="txn-{txn["txn_id"]}"' in html
        assert txn["posted_by"] in html
    evidence_rows = re.findall(r'<tr id="txn-([^"]+)" class="kind-\w+ evidence">', html)
    assert sorted(evidence_rows) == sorted(case.evidence)
    assert re.search(r"\$\d[\d,]*\.\d\d", html)  # amounts as $1,234.56
    carcs = {f"{t['group_code']}-{t['reason_code']}" for t in txns if t["reason_code"]}
    assert all(f">{c}</abbr>" in html for c in carcs)
    assert "Verification against the ledger" in html and "Recommendation" in html
    assert case.due_date is not None and case.due_date.strftime("%b %d, %Y") in html
    assert "(recommended)" in html and "selected>" in html
    assert _audit(client, case.id) == ["case.read"]  # every showing is an audited read


def test_propose_the_recommended_action_from_an_open_case(
    client: TestClient, sign_in: SignIn
) -> None:
    case = _case(client, NEEDS_APPROVAL)
    sign_in("bill")
    answer = _post(client, case.id, "propose", action=case.recommended_action or "")
    assert answer.status_code == 303
    after = _reload(client, case.id)
    assert after.state == "action_proposed" and after.approval_required
    assert after.proposed_action == case.recommended_action
    assert after.proposed_amount_cents == case.credit_amount_cents
    steps = [a for a in _audit(client, case.id) if a != "case.read"]
    assert steps == ["case.start_review", "case.propose"]
    page = client.get(answer.headers["location"])
    assert "Your proposal is recorded. It now waits for a manager" in page.text


def test_another_action_needs_a_reason(client: TestClient, sign_in: SignIn) -> None:
    case = _case(client, NEEDS_APPROVAL)
    other = next(a for a in NEEDS_APPROVAL if a != case.recommended_action)
    sign_in("bill")
    refused = _post(client, case.id, "propose", action=other, source=case.verified_source or "")
    assert refused.status_code == 422
    assert "Nothing was changed." in refused.text and "needs a reason" in refused.text
    assert _reload(client, case.id).state == "open"  # the review step was rolled back too
    accepted = _post(
        client,
        case.id,
        "propose",
        action=other,
        reason="payer asked for a check",
        source=case.verified_source or "",
    )
    assert accepted.status_code == 303
    assert "case.override" in _audit(client, case.id)


def test_bad_amount_is_shown_on_the_form(client: TestClient, sign_in: SignIn) -> None:
    case = _case(client, NO_APPROVAL)
    sign_in("bill")
    answer = _post(client, case.id, "propose", action=case.recommended_action or "", amount="-5")
    assert answer.status_code == 422 and "Amount:" in answer.text
    too_much = _post(
        client,
        case.id,
        "propose",
        action=case.recommended_action or "",
        amount=f"{case.credit_amount_cents / 100 + 1:.2f}",
    )
    assert too_much.status_code == 422 and "at most the credit amount" in too_much.text
    assert _reload(client, case.id).version == case.version


def test_managers_never_approve_their_own_proposal(client: TestClient, sign_in: SignIn) -> None:
    case = _case(client, NEEDS_APPROVAL)
    sign_in("max")
    assert (
        _post(client, case.id, "propose", action=case.recommended_action or "").status_code == 303
    )
    page = client.get(f"/cases/{case.id}")
    assert "You proposed this action: another manager has to approve it." in page.text
    assert f'action="/cases/{case.id}/approve"' not in page.text
    own = _post(client, case.id, "approve")
    assert own.status_code == 403 and "cannot decide on your own proposal" in own.text
    assert _reload(client, case.id).state == "action_proposed"
    sign_in("mia")
    assert _post(client, case.id, "approve", reason="checked the ERA").status_code == 303
    assert _reload(client, case.id).state == "approved"


def test_a_stale_form_changes_nothing(client: TestClient, sign_in: SignIn) -> None:
    case = _case(client, NO_APPROVAL)
    page = sign_in("bill").get(f"/cases/{case.id}")
    data = {"csrf_token": csrf_of(page.text), "version": str(version_of(page.text))}
    assert client.post(f"/cases/{case.id}/start_review", data=data).status_code == 303
    stale = client.post(f"/cases/{case.id}/hold", data={**data, "kind": "other", "reason": "x"})
    assert stale.status_code == 409 and "Someone changed this case" in stale.text
    assert _reload(client, case.id).state == "in_review"


def test_hold_release_and_complete_with_how(client: TestClient, sign_in: SignIn) -> None:
    case = _case(client, NEEDS_APPROVAL)
    sign_in("bill")
    assert (
        _post(client, case.id, "hold", kind="payer_decision", reason="awaiting payer").status_code
        == 303
    )
    assert "awaiting payer" in client.get(f"/cases/{case.id}").text
    assert _post(client, case.id, "release").status_code == 303
    assert (
        _post(client, case.id, "propose", action=case.recommended_action or "").status_code == 303
    )
    sign_in("max")
    assert _post(client, case.id, "approve").status_code == 303
    sign_in("bill")
    fields = {"offset_reference": "ERA-77"}
    if case.recommended_action == "refund_payer":
        fields = {"refund_date": str(date.today()), "check_number": "4411"}
    missing = _post(client, case.id, "complete")
    assert missing.status_code == 422 and "Nothing was changed." in missing.text
    assert _post(client, case.id, "complete", **fields).status_code == 303
    done = _reload(client, case.id)
    assert done.state == "done" and done.resolution_details
    assert set(fields.values()) <= set(map(str, done.resolution_details.values()))
    assert "The case is done" in client.get(f"/cases/{case.id}?done=complete").text


def test_auditor_reads_but_cannot_work(client: TestClient, sign_in: SignIn) -> None:
    case = _case(client, NO_APPROVAL)
    page = sign_in("ada").get(f"/cases/{case.id}")
    assert (
        page.status_code == 200 and "Your role can read this case but not change it." in page.text
    )
    assert '<form method="post" action="/cases/' not in page.text
    answer = client.post(
        f"/cases/{case.id}/start_review", data={"csrf_token": csrf_of(page.text), "version": "1"}
    )
    assert answer.status_code == 403 and "biller or manager role" in answer.text
