"""The worklist page: filters, sort and pagination agree with the database; badges; the empty
worklist message."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from web_helpers import PRACTICE, SignIn

from api.web.views import due_badge
from cbclassify.store.case_queries import OPEN_STATES
from cbclassify.store.models_auth import Practice
from cbclassify.store.models_cases import CreditCase

pytestmark = pytest.mark.xdist_group("web")
ROW = re.compile(r'<a href="/cases/(\d+)" class="claim-link">')
MONEY = re.compile(r'<td class="num money">\$([\d,]+\.\d\d)</td>')


def _cases(client: TestClient) -> list[CreditCase]:
    db = client.app.state.service.db  # type: ignore[attr-defined]
    with db.read_session() as s:
        pid = s.scalar(select(Practice.id).where(Practice.code == PRACTICE))
        return list(s.scalars(select(CreditCase).where(CreditCase.practice_id == pid)))


def _as_of(client: TestClient) -> date:
    """The practice's ledger as-of date (the date its pages count days to)."""
    from cbclassify.service.as_of import practice_as_of

    db = client.app.state.service.db  # type: ignore[attr-defined]
    with db.read_session() as s:
        pid = s.scalar(select(Practice.id).where(Practice.code == PRACTICE))
        return practice_as_of(s, pid)


def _ids(html: str) -> list[int]:
    return [int(i) for i in ROW.findall(html)]


def test_default_worklist_lists_open_credits_by_due_date(
    client: TestClient, sign_in: SignIn
) -> None:
    cases = [c for c in _cases(client) if c.state in OPEN_STATES and c.credit_present]
    assert len(cases) > 20, "the seeded practice should have a few dozen credits"
    page = sign_in("bill").get("/practices/sunrise/worklist?per_page=100")
    assert page.status_code == 200
    shown = _ids(page.text)
    assert sorted(shown) == sorted(c.id for c in cases)
    due = {c.id: c.due_date or date.max for c in cases}
    assert [due[i] for i in shown] == sorted(due[i] for i in shown)
    assert f"<strong>{len(cases)}</strong> cases" in page.text
    for text in ("Predicted source", "Confidence", "Verification", "Due", "badge-"):
        assert text in page.text


def test_filters_match_the_database(client: TestClient, sign_in: SignIn) -> None:
    cases = _cases(client)
    payer = max({c.payer_id for c in cases}, key=lambda p: sum(c.payer_id == p for c in cases))
    sign_in("bill")
    by_payer = _ids(client.get(f"/practices/sunrise/worklist?payer={payer}&per_page=100").text)
    assert sorted(by_payer) == sorted(c.id for c in cases if c.payer_id == payer)
    confirmed = _ids(
        client.get("/practices/sunrise/worklist?verification=confirmed&per_page=100").text
    )
    assert sorted(confirmed) == sorted(c.id for c in cases if c.verification == "confirmed")
    big = _ids(client.get("/practices/sunrise/worklist?min_amount=100.00&per_page=100").text)
    assert sorted(big) == sorted(c.id for c in cases if c.credit_amount_cents >= 10_000)
    source = next(c.predicted_source for c in cases if c.predicted_source)
    by_source = _ids(client.get(f"/practices/sunrise/worklist?source={source}&per_page=100").text)
    assert sorted(by_source) == sorted(c.id for c in cases if c.predicted_source == source)
    as_of = _as_of(client)
    assert as_of != date.today()  # the seeded ledger ends in the past: overdue counts to it
    overdue = _ids(client.get("/practices/sunrise/worklist?due=overdue&per_page=100").text)
    assert sorted(overdue) == sorted(c.id for c in cases if c.due_date and c.due_date < as_of)


def test_due_date_buckets(client: TestClient, sign_in: SignIn) -> None:
    ids = sorted(c.id for c in _cases(client))[:3]
    today = _as_of(client)
    db = client.app.state.service.db  # type: ignore[attr-defined]
    with db.transaction() as s:  # one case due in 3 days, one in 12, one in 25
        for case_id, days in zip(ids, (3, 12, 25), strict=True):
            s.execute(
                update(CreditCase)
                .where(CreditCase.id == case_id)
                .values(due_date=today + timedelta(days=days))
            )
    sign_in("bill")
    open_cases = [c for c in _cases(client) if c.state in OPEN_STATES and c.credit_present]
    for n in (7, 14, 30):
        shown = _ids(client.get(f"/practices/sunrise/worklist?due={n}&per_page=100").text)
        expected = [
            c.id
            for c in open_cases
            if c.due_date and today <= c.due_date <= today + timedelta(days=n)
        ]
        assert sorted(shown) == sorted(expected)
        assert set(ids[: {7: 1, 14: 2, 30: 3}[n]]) <= set(shown)
        assert not set(ids[{7: 1, 14: 2, 30: 3}[n] :]) & set(shown)
    overdue = _ids(client.get("/practices/sunrise/worklist?due=overdue&per_page=100").text)
    assert not set(ids) & set(overdue)
    page = client.get("/practices/sunrise/worklist?due=30&per_page=100")
    assert "Due in 3 d" in page.text and "Due in 12 d" in page.text and "Due in 25 d" in page.text


def test_bad_amount_is_reported_not_fatal(client: TestClient, sign_in: SignIn) -> None:
    page = sign_in("bill").get("/practices/sunrise/worklist?min_amount=lots")
    assert page.status_code == 200
    assert "Minimum amount: enter dollars and cents" in page.text
    assert len(_ids(page.text)) > 0


def test_sort_and_pagination(client: TestClient, sign_in: SignIn) -> None:
    cases = [c for c in _cases(client) if c.state in OPEN_STATES]
    sign_in("bill")
    first = client.get("/practices/sunrise/worklist?sort=amount&dir=desc&per_page=25")
    second = client.get("/practices/sunrise/worklist?sort=amount&dir=desc&per_page=25&page=2")
    ids = _ids(first.text) + _ids(second.text)
    assert len(_ids(first.text)) == 25 and len(ids) == len(cases) and len(set(ids)) == len(ids)
    amounts = [
        int(m.replace(",", "").replace(".", "")) for m in MONEY.findall(first.text + second.text)
    ]
    assert amounts == sorted((c.credit_amount_cents for c in cases), reverse=True)
    assert 'aria-sort="descending"' in first.text
    assert 'aria-current="page">2<' in second.text and "Showing 26–" in second.text
    past_end = client.get("/practices/sunrise/worklist?sort=amount&dir=desc&per_page=25&page=99")
    assert _ids(past_end.text) == _ids(second.text)


def test_empty_worklist_says_so(client: TestClient, sign_in: SignIn) -> None:
    empty = sign_in("bill").get("/practices/empty/worklist")
    assert empty.status_code == 200
    assert "The worklist is empty" in empty.text and "<table" not in empty.text
    nothing = client.get("/practices/sunrise/worklist?min_amount=999999")
    assert "No cases match these filters" in nothing.text and "Clear all filters" in nothing.text


def test_due_badges() -> None:
    today = date(2026, 3, 10)
    assert due_badge(date(2026, 3, 1), "open", today).text == "Overdue 9 d"
    assert due_badge(date(2026, 3, 10), "in_review", today).tone == "danger"
    assert due_badge(date(2026, 3, 15), "open", today).tone == "warning"
    assert due_badge(date(2026, 3, 22), "open", today).tone == "caution"
    assert due_badge(date(2026, 4, 5), "open", today).tone == "info"
    assert due_badge(date(2026, 6, 1), "open", today).text == "Due Jun 01"
    assert due_badge(date(2026, 3, 1), "done", today).text == "Closed"
    assert due_badge(None, "open", today).text == "No due date"
