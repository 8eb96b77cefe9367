"""Managers' and auditors' pages: the approval queue, the practice report and the audit trail
with its CSV export, each scoped to the user's practices."""

from __future__ import annotations

import csv
import io
import re

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from web_helpers import OTHER, PRACTICE, SignIn, csrf_of, version_of

from api.web.routes_manage import report_file
from cbclassify.store.models_auth import Practice
from cbclassify.store.models_cases import CreditCase

pytestmark = pytest.mark.xdist_group("web")


def _payer_refund_case(client: TestClient, practice: str = PRACTICE) -> CreditCase:
    db = client.app.state.service.db  # type: ignore[attr-defined]
    with db.read_session() as s:
        pid = s.scalar(select(Practice.id).where(Practice.code == practice))
        return s.scalars(
            select(CreditCase)
            .where(
                CreditCase.practice_id == pid,
                CreditCase.recommended_action.in_(("refund_payer", "payer_offset")),
            )
            .order_by(CreditCase.id)
        ).first()  # type: ignore[return-value]


def _propose(client: TestClient, case: CreditCase) -> None:
    page = client.get(f"/cases/{case.id}")
    answer = client.post(
        f"/cases/{case.id}/propose",
        data={
            "csrf_token": csrf_of(page.text),
            "version": str(version_of(page.text)),
            "action": case.recommended_action or "",
        },
    )
    assert answer.status_code == 303


def test_approval_queue_lists_proposals_and_approves_after_one_confirmation(
    client: TestClient, sign_in: SignIn
) -> None:
    empty = sign_in("max").get("/approvals")
    assert empty.status_code == 200 and "Nothing waits for approval" in empty.text
    case = _payer_refund_case(client)
    sign_in("bill")
    _propose(client, case)
    assert client.get("/approvals").status_code == 403  # billers do not approve
    queue = sign_in("max").get("/approvals")
    assert f'href="/cases/{case.id}"' in queue.text and "bill" in queue.text
    form = {
        "csrf_token": csrf_of(queue.text),
        "bulk_action": "approve",
        "scope": "selected",
        "case_id": str(case.id),
        "filter": "status=proposed",
    }
    confirm = client.post("/practices/sunrise/worklist/bulk", data=form)
    assert confirm.status_code == 200 and "Approve 1 proposal?" in confirm.text
    amount = re.search(r'class="confirm-total">([^<]+)<', confirm.text)
    assert amount is not None and amount.group(1) != "$0.00"
    assert client.get("/approvals").text.count(f'href="/cases/{case.id}"') == 1  # nothing yet
    pinned = re.search(r'name="case" value="(\d+:\d+)"', confirm.text)
    assert pinned is not None and pinned.group(1).startswith(f"{case.id}:")
    done = client.post(
        "/practices/sunrise/worklist/bulk/confirm",
        data={
            "csrf_token": csrf_of(confirm.text),
            "bulk_action": "approve",
            "filter": "status=proposed",
            "case": pinned.group(1),
        },
    )
    assert done.status_code == 200 and f"claim {case.claim_id}" in done.text
    assert f'href="/cases/{case.id}"' not in client.get("/approvals").text


def test_queue_marks_the_managers_own_proposals(client: TestClient, sign_in: SignIn) -> None:
    case = _payer_refund_case(client)
    sign_in("max")
    _propose(client, case)
    queue = client.get("/approvals")
    assert "Your proposal: another manager decides" in queue.text
    assert f'name="case_id" value="{case.id}"' not in queue.text
    assert f'name="case_id" value="{case.id}"' in sign_in("mia").get("/approvals").text


def test_report_page_with_and_without_a_published_report(
    client: TestClient, sign_in: SignIn
) -> None:
    page = sign_in("max").get("/practices/sunrise/report")
    assert page.status_code == 200
    assert "No manager's report has been published" in page.text
    assert "Cases by status" in page.text and "Overdue and still open" in page.text
    assert client.get("/practices/sunrise/report.html").status_code == 404
    settings = client.app.state.service.settings  # type: ignore[attr-defined]
    path = report_file(settings, PRACTICE)
    path.parent.mkdir(parents=True)
    path.write_text("<html><body><h1>Manager report</h1></body></html>", encoding="utf-8")
    published = client.get("/practices/sunrise/report")
    assert 'href="/practices/sunrise/report.html"' in published.text
    document = client.get("/practices/sunrise/report.html")
    assert document.status_code == 200 and "Manager report" in document.text
    assert document.headers["content-security-policy"].startswith("sandbox")
    assert sign_in("bill").get("/practices/sunrise/report").status_code == 403
    assert sign_in("ada").get(f"/practices/{OTHER}/report").status_code == 404


def test_audit_trail_page_and_csv_export(client: TestClient, sign_in: SignIn) -> None:
    case = _payer_refund_case(client)
    sign_in("bill")
    _propose(client, case)
    page = sign_in("ada").get(f"/audit?case_id={case.id}")
    assert page.status_code == 200
    for words in ("Proposed an action", "Started review", "Viewed case details"):
        assert words in page.text
    workflow_only = client.get(f"/audit?case_id={case.id}&kind=workflow")
    assert (
        "Viewed case details" not in workflow_only.text
        and "Proposed an action" in workflow_only.text
    )
    export = client.get(f"/api/v1/audit/export.csv?case_id={case.id}")
    assert export.status_code == 200
    rows = list(csv.DictReader(io.StringIO(export.text)))
    assert {"case.start_review", "case.propose"} <= {r["action"] for r in rows}
    assert f'href="/api/v1/audit/export.csv?case_id={case.id}"' in page.text
    bad = client.get("/audit?from=2026-05-01&to=2026-01-01")
    assert "The From date is after the To date." in bad.text
    assert sign_in("bill").get("/audit").status_code == 403


def test_audit_page_is_scoped_to_the_auditors_practices(
    client: TestClient, sign_in: SignIn
) -> None:
    other = _payer_refund_case(client, OTHER)
    sign_in("hal")
    _propose(client, other)
    page: httpx.Response = sign_in("ada").get("/audit?kind=workflow")
    assert "hal" not in page.text
    assert "No audit rows match" in client.get(f"/audit?case_id={other.id}").text
