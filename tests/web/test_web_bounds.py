"""The web pages bound their numbers and dates too (issue 14, failure 5): a case id past int64,
a page number of 23 digits and audit dates at the calendar's ends are a 4xx or a message on the
page, never a 500."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from web_helpers import PRACTICE, SignIn

from api.bounds import MAX_ID

HUGE = "9" * 23


@pytest.mark.parametrize(
    ("user", "url"),
    [
        ("bill", f"/cases/{HUGE}"),
        ("bill", f"/cases/{MAX_ID + 1}"),
        ("ada", f"/audit?case_id={HUGE}"),
        ("ada", f"/audit?page={HUGE}"),
        ("max", f"/approvals?page={HUGE}"),
    ],
)
def test_huge_ids_and_pages_are_not_a_server_error(
    client: TestClient, sign_in: SignIn, user: str, url: str
) -> None:
    page = TestClient(client.app, raise_server_exceptions=False, cookies=sign_in(user).cookies)
    assert page.get(url).status_code in (200, 404, 422)


def test_huge_worklist_page_is_served(client: TestClient, sign_in: SignIn) -> None:
    page = sign_in("bill").get(f"/practices/{PRACTICE}/worklist?page={HUGE}")
    assert page.status_code == 200


def test_audit_dates_at_the_calendars_ends_are_reported_on_the_page(
    client: TestClient, sign_in: SignIn
) -> None:
    page = sign_in("ada").get("/audit?from=0001-01-01&to=9999-12-31")
    assert page.status_code == 200
    assert "Dates: from 1678-01-01 to 2261-12-31." in page.text
