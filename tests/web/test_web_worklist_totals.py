"""The worklist's figures: total credit and aging buckets of the filter, search by claim number
or patient id, payer names beside codes, the verified-source column, and the one as-of date
(the practice's latest ledger) that days in credit and "overdue" count to."""

from __future__ import annotations

import re
from datetime import date, timedelta
from urllib.parse import quote_plus

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from web_helpers import PRACTICE, SignIn

from api.web.formatting import usd
from cbclassify.service.as_of import practice_as_of
from cbclassify.store.case_queries import AGE_BUCKETS, OPEN_STATES
from cbclassify.store.models_auth import Practice
from cbclassify.store.models_cases import CreditCase

pytestmark = pytest.mark.xdist_group("web")
ROW = re.compile(r'<a href="/cases/(\d+)" class="claim-link">')
BASE = "/practices/sunrise/worklist"


def _db(client: TestClient):
    return client.app.state.service.db  # type: ignore[attr-defined]


def _open_cases(client: TestClient) -> list[CreditCase]:
    with _db(client).read_session() as s:
        pid = s.scalar(select(Practice.id).where(Practice.code == PRACTICE))
        found = s.scalars(select(CreditCase).where(CreditCase.practice_id == pid))
        return [c for c in found if c.state in OPEN_STATES and c.credit_present]


def _as_of(client: TestClient) -> date:
    with _db(client).read_session() as s:
        pid = s.scalar(select(Practice.id).where(Practice.code == PRACTICE))
        return practice_as_of(s, pid)


def _ids(html: str) -> list[int]:
    return [int(i) for i in ROW.findall(html)]


def _bucket_of(case: CreditCase, as_of: date) -> str | None:
    if case.credit_since is None:
        return None
    days = (as_of - case.credit_since).days
    for key, (low, high) in AGE_BUCKETS.items():
        if (low is None or days >= low) and (high is None or days <= high):
            return key
    return None


def test_total_credit_and_aging_buckets_match_the_database(
    client: TestClient, sign_in: SignIn
) -> None:
    cases, as_of = _open_cases(client), _as_of(client)
    page = sign_in("bill").get(f"{BASE}?per_page=25")
    assert page.status_code == 200
    total = sum(c.credit_amount_cents for c in cases)
    assert f'<strong class="total-credit">{usd(total)}</strong> total credit' in page.text
    buckets = {key: [c for c in cases if _bucket_of(c, as_of) == key] for key in AGE_BUCKETS}
    assert sum(len(b) for b in buckets.values()) == len(cases)
    assert len([k for k, b in buckets.items() if b]) >= 2, "the seed should spread over ages"
    for key, members in buckets.items():
        cents = sum(c.credit_amount_cents for c in members)
        assert f'aria-label="{key} days: {len(members)} cases, {usd(cents)}"' in page.text


def test_an_aging_bucket_is_a_filter_with_its_own_total(
    client: TestClient, sign_in: SignIn
) -> None:
    cases, as_of = _open_cases(client), _as_of(client)
    key = max(AGE_BUCKETS, key=lambda k: sum(_bucket_of(c, as_of) == k for c in cases))
    members = [c for c in cases if _bucket_of(c, as_of) == key]
    page = sign_in("bill").get(f"{BASE}?age={quote_plus(key)}&per_page=100")
    assert sorted(_ids(page.text)) == sorted(c.id for c in members)
    assert f"<strong>{len(members)}</strong> case" in page.text
    cents = sum(c.credit_amount_cents for c in members)
    assert f'<strong class="total-credit">{usd(cents)}</strong>' in page.text
    link = re.escape(f'href="?age={quote_plus(key)}&')
    assert re.search(link + r'[^"]*" aria-current="true"', page.text)
    # the other buckets keep their figures while one is chosen
    other = next(k for k in AGE_BUCKETS if k != key)
    n_other = sum(_bucket_of(c, as_of) == other for c in cases)
    assert f'aria-label="{other} days: {n_other} cases,' in page.text


def test_search_by_claim_number_or_patient_id(client: TestClient, sign_in: SignIn) -> None:
    cases = _open_cases(client)
    target = cases[len(cases) // 2]
    sign_in("bill")
    by_claim = _ids(client.get(f"{BASE}?q={target.claim_id}&per_page=100").text)
    assert by_claim == [
        c.id for c in cases if c.claim_id.lower().startswith(target.claim_id.lower())
    ]
    assert target.id in by_claim
    patient = target.patient_id or ""
    by_patient = _ids(client.get(f"{BASE}?q={patient.lower()}&per_page=100").text)
    expected = [
        c.id
        for c in cases
        if (c.patient_id or "").lower().startswith(patient.lower())
        or c.claim_id.lower().startswith(patient.lower())
    ]
    assert sorted(by_patient) == sorted(expected) and target.id in by_patient
    nothing = client.get(f"{BASE}?q=no-such-claim%25")
    assert "No cases match these filters" in nothing.text


def test_payer_names_are_shown_beside_their_codes(client: TestClient, sign_in: SignIn) -> None:
    cases = _open_cases(client)
    named = [c for c in cases if c.payer_name and c.payer_id]
    assert named, "ingest stores the payer's name from the ledger's payers table"
    case = named[0]
    page = sign_in("bill").get(f"{BASE}?q={case.claim_id}")
    assert f'{case.payer_name} <span class="code">{case.payer_id}</span>' in page.text
    assert f'<option value="{case.payer_id}" >{case.payer_name} ({case.payer_id})</option>' in (
        page.text
    )
    assert case.payer_name in client.get(f"/cases/{case.id}").text


def test_verified_source_column_shows_confirmed_refuted_and_inconclusive(
    client: TestClient, sign_in: SignIn
) -> None:
    cases = _open_cases(client)
    confirmed = next(c for c in cases if c.verification == "confirmed" and c.verified_source)
    others = [c for c in cases if c.id != confirmed.id][:2]
    with _db(client).transaction() as s:
        s.execute(
            update(CreditCase)
            .where(CreditCase.id == others[0].id)
            .values(
                verification="refuted",
                predicted_source="payer_overpayment",
                verified_source=None,
                verification_detail={
                    "ledger_source": "duplicate_payment",
                    "ledger_amount": "12.50",
                },
            )
        )
        s.execute(
            update(CreditCase)
            .where(CreditCase.id == others[1].id)
            .values(
                verification="inconclusive",
                verified_source=None,
                verification_detail={"candidates": "allowance_error|patient_credit"},
            )
        )
    sign_in("bill")
    assert "Verification · verified source" in client.get(BASE).text

    def row(case: CreditCase) -> str:
        html = client.get(f"{BASE}?q={case.claim_id}").text
        return html[html.index(f'href="/cases/{case.id}"') :]

    from api.web.formatting import label

    assert f'<span class="vsrc">{label(confirmed.verified_source)}' in row(confirmed)
    refuted = row(others[0])
    assert "✕ Refuted" in refuted and "ledger: Duplicate payment $12.50" in refuted
    inconclusive = row(others[1])
    assert "? Inconclusive" in inconclusive and "Allowance error or Patient credit" in inconclusive


def test_as_of_date_governs_ages_and_overdue_on_every_view(
    client: TestClient, sign_in: SignIn
) -> None:
    as_of, cases = _as_of(client), _open_cases(client)
    assert as_of < date.today(), "the seeded ledger ends in the past"
    late, soon = cases[0], cases[1]
    with _db(client).transaction() as s:
        s.execute(
            update(CreditCase)
            .where(CreditCase.id == late.id)
            .values(due_date=as_of - timedelta(days=1), credit_since=as_of - timedelta(days=45))
        )
        s.execute(
            update(CreditCase)
            .where(CreditCase.id == soon.id)
            .values(due_date=as_of + timedelta(days=5))
        )
    sign_in("max")
    shown = as_of.strftime("%b %d, %Y")
    page = client.get(f"{BASE}?q={late.claim_id}")
    assert f"ledger as of {shown}" in page.text and "Overdue 1 d" in page.text
    assert '<td class="num">45 d</td>' in page.text
    assert "Due in 5 d" in client.get(f"{BASE}?q={soon.claim_id}").text
    case_page = client.get(f"/cases/{late.id}").text
    assert f"ledger as of {shown}" in case_page and "Overdue 1 d" in case_page
    assert "(45 days)" in case_page
    report = client.get("/practices/sunrise/report").text
    assert f"ledger as of {shown}" in report
    # the JSON API counts the same way
    cases_after = _open_cases(client)
    overdue = client.get("/api/v1/practices/sunrise/cases?overdue=true&limit=500").json()
    expected = {c.id for c in cases_after if c.due_date and c.due_date < as_of}
    assert {item["id"] for item in overdue["items"]} == expected
    one = client.get(f"/api/v1/cases/{late.id}").json()
    assert one["age_days"] == 45 and one["days_to_due"] == -1 and one["overdue"] is True
    summary = client.get("/api/v1/practices/sunrise/reports/summary").json()
    assert summary["as_of"] == as_of.isoformat()
    assert summary["overdue"]["cases"] == len(expected)
    web_overdue = _ids(client.get(f"{BASE}?due=overdue&per_page=100").text)
    assert set(web_overdue) == expected
