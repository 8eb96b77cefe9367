"""Refund paperwork pages: a payer's refund request letter (exact amounts, the payer's name,
the check/EFT traces, the practice's configured details), a batch per payer with a page break
between letters, the patient refund (check request) form; each generation audited."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from web_helpers import PRACTICE, SignIn, csrf_of, version_of

from cbclassify.settings import PracticeDetails
from cbclassify.store.models_audit import AuditEvent
from cbclassify.store.models_auth import Practice
from cbclassify.store.models_cases import CreditCase

pytestmark = pytest.mark.xdist_group("web")
#: A duplicate payment in the seeded synthetic practice: TRICARE East paid line 2 ($50.05)
#: twice, under traces 1000013 and 1000019 (the ledger's own facts).
DUPLICATE_CLAIM = "000000023"


def _case(client: TestClient, claim: str) -> CreditCase:
    db = client.app.state.service.db  # type: ignore[attr-defined]
    with db.read_session() as s:
        pid = s.scalar(select(Practice.id).where(Practice.code == PRACTICE))
        found = s.scalar(
            select(CreditCase).where(CreditCase.practice_id == pid, CreditCase.claim_id == claim)
        )
        assert found is not None
        return found


def _confirmed_patient_credit(client: TestClient) -> CreditCase:
    """A patient credit the ledger proves (the tiny random model predicted another source, so
    the seed stores it refuted): stored as confirmed with its refund recommended."""
    db = client.app.state.service.db  # type: ignore[attr-defined]
    with db.transaction() as s:
        cases = s.scalars(select(CreditCase).order_by(CreditCase.id))
        found = next(
            c
            for c in cases
            if (c.verification_detail or {}).get("ledger_source") == "patient_credit"
        )
        found.verification, found.verified_source = "confirmed", "patient_credit"
        found.recommended_action = "refund_patient"
        s.flush()
        s.expunge(found)
        return found


def _audit_rows(client: TestClient, action: str) -> list[AuditEvent]:
    db = client.app.state.service.db  # type: ignore[attr-defined]
    with db.read_session() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def _text(html: str) -> str:
    """The page's words without tags (whitespace collapsed)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_refund_letter_is_exact_names_payer_traces_and_is_audited(
    client: TestClient, sign_in: SignIn
) -> None:
    settings = client.app.state.service.settings  # type: ignore[attr-defined]
    settings.practice_details[PRACTICE] = PracticeDetails(
        address=["12 Main St", "Springfield, IL 62701"],
        npi="1234567893",
        tin="12-3456789",
        contact_name="Pat Biller",
        phone="555-0100",
    )
    case = _case(client, DUPLICATE_CLAIM)
    assert (case.verification, case.recommended_action) == ("confirmed", "refund_payer")
    page = sign_in("max").get(f"/cases/{case.id}/refund-letter")
    assert page.status_code == 200, page.text
    words = _text(page.text)
    assert "TRICARE East" in words and "Payer ID TRI-E" in words
    assert f"Claim number {DUPLICATE_CLAIM}" in words
    assert f"Patient account {case.patient_id}" in words
    assert "Refund amount $164.33" in words
    assert "Check / EFT trace 1000013, 1000019" in words
    assert "Dates of service Apr 29, 2025" in words
    assert "97530-GP, 97110-GP, 97140-GP, 97112-GP" in words
    assert "paid $50.05 for line 2 twice" in words  # the verifier's reason in words
    assert "Sunrise Therapy" in words and "NPI 1234567893 · TIN 12-3456789" in words
    assert "12 Main St" in words and "Pat Biller · 555-0100" in words
    assert "Not configured" not in words
    assert "@media print" not in page.text and 'href="/static/pages.css"' in page.text
    rows = _audit_rows(client, "document.refund_letter")
    assert [(r.actor, r.case_id) for r in rows] == [("max", case.id)]
    assert '"amount_cents":16433' in rows[0].details


def test_letter_says_what_is_not_configured(client: TestClient, sign_in: SignIn) -> None:
    case = _case(client, DUPLICATE_CLAIM)
    words = _text(sign_in("bill").get(f"/cases/{case.id}/refund-letter").text)
    assert "Address not configured" in words and "NPI not configured" in words
    assert "Not configured: address, NPI, TIN, contact" in words


def test_case_page_links_the_document_its_action_calls_for(
    client: TestClient, sign_in: SignIn
) -> None:
    payer = _case(client, DUPLICATE_CLAIM)
    page = sign_in("bill").get(f"/cases/{payer.id}")
    assert f'href="/cases/{payer.id}/refund-letter"' in page.text
    assert "patient-refund-form" not in page.text
    assert (
        f'href="/cases/{payer.id}/refund-letter"'
        not in sign_in("ada").get(f"/cases/{payer.id}").text
    )  # auditors read; they do not prepare paperwork


def test_patient_refund_form_and_refusals(client: TestClient, sign_in: SignIn) -> None:
    patient = _confirmed_patient_credit(client)
    sign_in("bill")
    assert (
        f'href="/cases/{patient.id}/patient-refund-form"' in client.get(f"/cases/{patient.id}").text
    )
    page = client.get(f"/cases/{patient.id}/patient-refund-form")
    assert page.status_code == 200
    words = _text(page.text)
    dollars = f"${patient.credit_amount_cents // 100:,}.{patient.credit_amount_cents % 100:02d}"
    assert f"Refund amount {dollars}" in words
    assert f"Patient account {patient.patient_id}" in words
    assert f"Claim number {patient.claim_id}" in words
    assert "Approved by not yet approved" in words and "Approver signature" in words
    assert [r.case_id for r in _audit_rows(client, "document.patient_refund_form")] == [patient.id]
    # the wrong document for a case is refused, and nothing is audited for it
    wrong = client.get(f"/cases/{patient.id}/refund-letter")
    assert wrong.status_code == 409 and "refund patient" in wrong.text
    assert _audit_rows(client, "document.refund_letter") == []
    assert client.get("/cases/999999/refund-letter").status_code == 404
    assert sign_in("ada").get(f"/cases/{patient.id}/patient-refund-form").status_code == 403


def _payer_with_most_refunds(client: TestClient) -> tuple[str, list[CreditCase]]:
    """Every payer refund the ledger proves stored as confirmed (the tiny random model refuted
    some), and the payer with the most of them."""
    db = client.app.state.service.db  # type: ignore[attr-defined]
    by_payer: dict[str, list[CreditCase]] = {}
    with db.transaction() as s:
        pid = s.scalar(select(Practice.id).where(Practice.code == PRACTICE))
        for c in s.scalars(select(CreditCase).where(CreditCase.practice_id == pid)):
            proven = (c.verification_detail or {}).get("ledger_source")
            if c.verification != "confirmed" and proven in PAYER_SOURCES:
                c.verification, c.verified_source = "confirmed", proven
                c.recommended_action = "refund_payer"
            if c.verification == "confirmed" and c.recommended_action in PAYER_ACTIONS:
                by_payer.setdefault(c.payer_id or "", []).append(c)
        s.flush()
        for cases in by_payer.values():
            for c in cases:
                s.expunge(c)
    payer = max(by_payer, key=lambda p: len(by_payer[p]))
    return payer, by_payer[payer]


PAYER_SOURCES = ("payer_overpayment", "duplicate_payment")
PAYER_ACTIONS = ("refund_payer", "payer_offset")


def _usd(cents: int) -> str:
    return f"${cents // 100:,}.{cents % 100:02d}"


def test_batch_of_letters_per_payer(client: TestClient, sign_in: SignIn) -> None:
    payer, confirmed = _payer_with_most_refunds(client)
    assert len(confirmed) >= 2
    sign_in("bill")
    # nothing approved yet: the approved batch is empty, the open one holds every letter
    assert "No letters to send" in client.get(f"/practices/{PRACTICE}/refund-letters").text
    index = client.get(f"/practices/{PRACTICE}/refund-letters?scope=open")
    assert f"payer={payer}&amp;scope=open" in index.text
    batch = client.get(f"/practices/{PRACTICE}/refund-letters?payer={payer}&scope=open")
    assert batch.status_code == 200
    assert batch.text.count('<article class="letter"') == len(confirmed)
    total = sum(c.credit_amount_cents for c in confirmed)
    words = _text(batch.text)
    assert f"{len(confirmed)} letters, {_usd(total)} in all" in words
    for c in confirmed:
        assert f"Claim number {c.claim_id}" in words
        assert f"Refund amount {_usd(c.credit_amount_cents)}" in words
    audited = [r.case_id for r in _audit_rows(client, "document.refund_letter")]
    assert sorted(audited) == sorted(c.id for c in confirmed)
    assert sign_in("hal").get(f"/practices/{PRACTICE}/refund-letters").status_code == 404


def test_approved_batch_holds_the_approved_refunds_only(
    client: TestClient, sign_in: SignIn
) -> None:
    payer, confirmed = _payer_with_most_refunds(client)
    first = confirmed[0]
    page = sign_in("bill").get(f"/cases/{first.id}")
    proposed = client.post(
        f"/cases/{first.id}/propose",
        data={
            "csrf_token": csrf_of(page.text),
            "version": str(version_of(page.text)),
            "action": "refund_payer",
        },
    )
    assert proposed.status_code == 303
    queue = sign_in("max").get("/approvals")
    assert f'href="/cases/{first.id}/refund-letter"' in queue.text  # the letter from the queue
    review = client.get(f"/cases/{first.id}")  # the manager approves from the case page
    approved = client.post(
        f"/cases/{first.id}/approve",
        data={"csrf_token": csrf_of(review.text), "version": str(version_of(review.text))},
    )
    assert approved.status_code == 303
    batch = client.get(f"/practices/{PRACTICE}/refund-letters?payer={payer}")
    assert batch.text.count('<article class="letter"') == 1
    assert f"Claim number {first.claim_id}" in _text(batch.text)
