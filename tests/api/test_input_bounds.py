"""Every number and date is bounded at the edge (issue 14, failure 5): ids past int64, offsets,
amounts and ages of 23 digits, and dates at the calendar's ends are answered 422 naming the
field (they were 500s: OverflowError from the database driver or the calendar)."""

from __future__ import annotations

from typing import Any

import pytest
from api_helpers import World
from fastapi.testclient import TestClient
from test_api_model import BODY, LINES, PAYERS, TXNS

from api.bounds import MAX_AGE_DAYS, MAX_CENTS, MAX_ID, MAX_OFFSET

HUGE = "9" * 23  # 1e23: past int64 and past any date arithmetic
CASES = "/api/v1/practices/a/cases"

QUERIES = [
    (f"{CASES}?offset={HUGE}", "query.offset"),
    (f"{CASES}?offset={MAX_OFFSET + 1}", "query.offset"),
    (f"{CASES}?min_amount_cents={HUGE}", "query.min_amount_cents"),
    (f"{CASES}?max_amount_cents={MAX_CENTS + 1}", "query.max_amount_cents"),
    (f"{CASES}?min_age_days=99999999999", "query.min_age_days"),
    (f"{CASES}?max_age_days={MAX_AGE_DAYS + 1}", "query.max_age_days"),
    (f"{CASES}?due_before=9999-12-31", "query.due_before"),
    (f"{CASES}?due_after=0001-01-01", "query.due_after"),
    (f"/api/v1/cases/{HUGE}", "path.case_id"),
    (f"/api/v1/cases/{MAX_ID + 1}", "path.case_id"),
    ("/api/v1/audit/export.csv?from=0001-01-01&to=9999-12-31", "query.from"),
    ("/api/v1/audit/export.csv?to=9999-12-31", "query.to"),
    (f"/api/v1/audit/export.csv?case_id={HUGE}", "query.case_id"),
]


@pytest.mark.parametrize(("url", "field"), QUERIES)
def test_out_of_range_queries_are_422_naming_the_field(
    client: TestClient, world: World, url: str, field: str
) -> None:
    role = "auditor" if "/audit/" in url else "manager"
    r = client.get(url, headers=world.headers[role])
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "invalid_request" and r.json()["field"] == field


def test_the_largest_values_in_range_are_served(client: TestClient, world: World) -> None:
    limits = (
        f"offset={MAX_OFFSET}&min_amount_cents={MAX_CENTS}&max_age_days={MAX_AGE_DAYS}"
        "&min_age_days=0&due_before=2261-12-31&due_after=1678-01-01"
    )
    r = client.get(f"{CASES}?{limits}", headers=world.headers["manager"])
    assert r.status_code == 200 and r.json()["items"] == []
    r = client.get(f"/api/v1/cases/{MAX_ID}", headers=world.headers["manager"])
    assert r.status_code == 404
    r = client.get(
        "/api/v1/audit/export.csv?from=1678-01-01&to=2261-12-31", headers=world.headers["auditor"]
    )
    assert r.status_code == 200


BODIES: list[tuple[str, dict[str, Any], str]] = [
    (f"/api/v1/cases/{HUGE}/review", {"version": 1}, "path.case_id"),
    ("/api/v1/cases/1/review", {"version": int(HUGE)}, "body.version"),
    ("/api/v1/cases/1/complete", {"version": 1, "resolved_date": "9999-12-31"}, "body.resolved_date"),
    ("/api/v1/cases/1/complete", {"version": 1, "refund_date": "0001-01-01"}, "body.refund_date"),
    ("/api/v1/classify", {**BODY, "as_of": "9999-12-31"}, "body.as_of"),
    ("/api/v1/classify", {**BODY, "claim_lines": [{**LINES[0], "units": int(HUGE)}]}, "claim_lines[0].units"),
    ("/api/v1/classify", {**BODY, "claim_lines": [{**LINES[0], "line_no": int(HUGE)}]}, "claim_lines[0].line_no"),
    ("/api/v1/classify", {**BODY, "transactions": [{**TXNS[0], "line_no": int(HUGE)}]}, "transactions[0].line_no"),
    ("/api/v1/classify", {**BODY, "payers": [{**PAYERS[0], "refund_deadline_days": int(HUGE)}]}, "payers[0].refund_deadline_days"),
]  # fmt: skip


@pytest.mark.parametrize(("url", "body", "field"), BODIES)
def test_out_of_range_bodies_are_422_naming_the_field(
    client: TestClient, world: World, url: str, body: dict[str, Any], field: str
) -> None:
    r = client.post(url, json=body, headers=world.headers["biller"])
    assert r.status_code == 422, r.text
    assert r.json()["field"] == field


def test_ids_in_admin_and_token_paths_are_bounded(client: TestClient, world: World) -> None:
    admin = world.headers["admin"]
    for method, url, field in [
        ("patch", f"/api/v1/admin/users/{HUGE}", "path.user_id"),
        ("delete", f"/api/v1/admin/tokens/{HUGE}", "path.token_id"),
        ("delete", f"/api/v1/auth/tokens/{HUGE}", "path.token_id"),
    ]:
        r = client.request(method, url, headers=admin, json={})
        assert r.status_code == 422 and r.json()["field"] == field, (url, r.text)
    r = client.post(
        "/api/v1/admin/practices",
        json={"code": "big", "name": "Big", "refund_approval_threshold_cents": int(HUGE)},
        headers=admin,
    )
    assert r.status_code == 422 and r.json()["field"] == "body.refund_approval_threshold_cents"
