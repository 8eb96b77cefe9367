"""Signing in and out, and the error pages: sign-in redirect, 404 (missing and other practice's
case), 403 (with the role needed), 500 (no internals), CSRF refusal, and labelled controls."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from web_helpers import (
    OTHER,
    PASSWORD,
    PRACTICE,
    SignIn,
    csrf_of,
    post_login,
    unlabelled_controls,
    version_of,
)

from cbclassify.store.models_audit import AuditEvent
from cbclassify.store.models_auth import Practice
from cbclassify.store.models_cases import CreditCase

pytestmark = pytest.mark.xdist_group("web")


def _case_id(client: TestClient, practice: str = PRACTICE) -> int:
    db = client.app.state.service.db  # type: ignore[attr-defined]
    with db.read_session() as s:
        pid = s.scalar(select(Practice.id).where(Practice.code == practice))
        return int(
            s.scalar(
                select(CreditCase.id)
                .where(CreditCase.practice_id == pid)
                .order_by(CreditCase.id)
                .limit(1)
            )
        )


def test_pages_need_a_signed_in_user(client: TestClient) -> None:
    answer = client.get("/practices/sunrise/worklist?due=overdue")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=/practices/sunrise/worklist%3Fdue%3Doverdue"
    login = client.get(answer.headers["location"])
    assert (
        login.status_code == 200
        and 'name="next" value="/practices/sunrise/worklist?due=overdue"' in login.text
    )
    assert unlabelled_controls(login.text) == []


def test_login_goes_on_to_next_and_refuses_a_bad_password(client: TestClient) -> None:
    bad = post_login(client, {"username": "bill", "password": "nope", "next": "/"})
    assert bad.status_code == 401 and "Wrong username or password." in bad.text
    assert "cbc_session" not in client.cookies
    good = post_login(
        client, {"username": "bill", "password": PASSWORD, "next": "/practices/sunrise/worklist"}
    )
    assert good.status_code == 303 and good.headers["location"] == "/practices/sunrise/worklist"
    assert client.get("/practices/sunrise/worklist").status_code == 200
    offsite = post_login(
        client, {"username": "bill", "password": PASSWORD, "next": "//evil.example/x"}
    )
    assert offsite.headers["location"] == "/"


def test_sign_out_ends_the_session_and_is_audited(client: TestClient, sign_in: SignIn) -> None:
    page = sign_in("bill").get("/practices/sunrise/worklist")
    out = client.post("/logout", data={"csrf_token": csrf_of(page.text)})
    assert out.status_code == 303 and out.headers["location"] == "/login?signed_out=1"
    assert client.get("/practices/sunrise/worklist").status_code == 303  # back to sign-in
    db = client.app.state.service.db  # type: ignore[attr-defined]
    with db.read_session() as s:
        actions = s.scalars(select(AuditEvent.action).where(AuditEvent.actor == "bill")).all()
    assert "auth.login" in actions and "auth.logout" in actions


def test_missing_case_and_another_practices_case_look_the_same(
    client: TestClient, sign_in: SignIn
) -> None:
    sign_in("bill")
    missing = client.get("/cases/999999")
    foreign = client.get(f"/cases/{_case_id(client, OTHER)}")
    for answer in (missing, foreign):
        assert answer.status_code == 404
        assert answer.headers["content-type"].startswith("text/html")
        assert "Not found" in answer.text and "practice you are not granted" in answer.text
    assert client.get(f"/practices/{OTHER}/worklist").status_code == 404
    assert (
        client.get(f"/practices/{OTHER}/worklist").headers["content-type"].startswith("text/html")
    )
    assert client.get("/no/such/page").status_code == 404
    assert client.get("/api/v1/cases/999999").headers["content-type"].startswith("application/json")


def test_cross_practice_changes_are_refused(client: TestClient, sign_in: SignIn) -> None:
    """A biller of Harbor posting to a Sunrise case changes nothing and learns nothing."""
    case_id = _case_id(client)
    page = sign_in("hal").get("/practices/harbor/worklist")
    answer = client.post(
        f"/cases/{case_id}/start_review", data={"csrf_token": csrf_of(page.text), "version": "1"}
    )
    assert answer.status_code == 404
    db = client.app.state.service.db  # type: ignore[attr-defined]
    with db.read_session() as s:
        assert s.get(CreditCase, case_id).state == "open"  # type: ignore[union-attr]
    assert f"/cases/{case_id}" not in client.get("/practices/harbor/worklist").text


def test_forbidden_action_explains_the_role_needed(client: TestClient, sign_in: SignIn) -> None:
    case_id = _case_id(client)
    page = sign_in("bill").get(f"/cases/{case_id}")
    answer = client.post(
        f"/cases/{case_id}/approve", data={"csrf_token": csrf_of(page.text), "version": "1"}
    )
    assert answer.status_code == 403
    assert "Approving a proposal needs the manager role" in answer.text
    assert "signed in as bill (biller)" in answer.text
    sign_in("dan")
    worklist = client.get("/practices/sunrise/worklist")
    assert worklist.status_code == 403
    assert "needs the biller or manager or auditor role" in worklist.text
    home = client.get("/")  # roles without pages here are told where their work is
    assert home.status_code == 200 and "cbclassify</code> command line" in home.text
    admin_home = sign_in("root").get("/")
    assert admin_home.status_code == 200 and "Administrators see no case data" in admin_home.text


def test_server_error_page_shows_no_internals(
    client: TestClient, sign_in: SignIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    from api.web import routes_worklist

    def broken(*_: object) -> None:
        raise RuntimeError("secret internals claim 000000123")

    monkeypatch.setattr(routes_worklist, "filter_choices", broken)
    answer = sign_in("bill").get("/practices/sunrise/worklist")
    assert answer.status_code == 500 and answer.headers["content-type"].startswith("text/html")
    assert "Something went wrong on our side" in answer.text
    assert "Nothing was changed" in answer.text
    for leak in ("Traceback", "RuntimeError", "secret internals", "000000123"):
        assert leak not in answer.text


def test_form_post_without_csrf_token_is_refused(client: TestClient, sign_in: SignIn) -> None:
    case_id = _case_id(client)
    page = sign_in("bill").get(f"/cases/{case_id}")
    version = version_of(page.text)
    for data in ({"version": str(version)}, {"version": str(version), "csrf_token": "0" * 64}):
        answer = client.post(f"/cases/{case_id}/start_review", data=data)
        assert answer.status_code == 403 and "This form has expired" in answer.text
    db = client.app.state.service.db  # type: ignore[attr-defined]
    with db.read_session() as s:
        assert s.get(CreditCase, case_id).version == version  # type: ignore[union-attr]
    ok = client.post(
        f"/cases/{case_id}/start_review",
        data={"version": str(version), "csrf_token": csrf_of(page.text)},
    )
    assert ok.status_code == 303


@pytest.mark.parametrize("username", ["bill", "max", "ada"])
def test_every_form_control_is_labelled(client: TestClient, sign_in: SignIn, username: str) -> None:
    sign_in(username)
    case_id = _case_id(client)
    pages = [
        "/practices/sunrise/worklist",
        "/practices/sunrise/worklist?verification=confirmed",
        f"/cases/{case_id}",
        "/practices/empty/worklist",
        "/audit",
        "/approvals",
        "/practices/sunrise/report",
        "/practices/sunrise/uploads",
        "/practices/sunrise/refund-letters?scope=open",
    ]
    checked = 0
    for url in pages:
        answer = client.get(url)
        if answer.status_code in (403, 404):
            continue
        assert answer.status_code == 200, url
        assert unlabelled_controls(answer.text) == [], url
        assert '<main id="main"' in answer.text and "<h1" in answer.text
        checked += 1
    assert checked >= 3
