"""The users page for administrators: list, add (the password policy applies), roles and
practices, deactivate, reset a password, revoke sessions and tokens; audited, CSRF-protected,
and refused (403) to everyone else."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from web_helpers import PASSWORD, PRACTICE, SignIn, csrf_of, post_login, unlabelled_controls

from cbclassify.store.accounts import find_user, issue_token
from cbclassify.store.models_audit import AuditEvent

pytestmark = pytest.mark.xdist_group("web")
NEW_PASSWORD = "plum-harbor-lantern-42"


def _db(client: TestClient):
    return client.app.state.service.db  # type: ignore[attr-defined]


def _user_id(client: TestClient, name: str) -> int:
    with _db(client).read_session() as s:
        found = find_user(s, name)
        assert found is not None
        return found.id


def _actions(client: TestClient) -> list[str]:
    with _db(client).read_session() as s:
        return [
            a for a in s.scalars(select(AuditEvent.action).where(AuditEvent.action.like("user.%")))
        ]


def _can_sign_in(client: TestClient, name: str, password: str) -> bool:
    client.cookies.clear()
    answer = post_login(client, {"username": name, "password": password, "next": "/"})
    return answer.status_code == 303


def test_only_administrators_see_and_change_users(client: TestClient, sign_in: SignIn) -> None:
    page = sign_in("max").get("/users")
    assert page.status_code == 403 and "administrator" in page.text
    own = csrf_of(client.get(f"/practices/{PRACTICE}/worklist").text)
    blocked = client.post("/users", data={"csrf_token": own, "username": "eve", "roles": "admin"})
    assert blocked.status_code == 403 and _actions(client) == []
    listing = sign_in("root").get("/users")
    assert listing.status_code == 200
    assert unlabelled_controls(listing.text) == []
    for name in ("bill", "max", "ada", "hal", "root"):
        assert f">{name}<" in listing.text
    row = re.search(r'<tr id="user-\d+">\s*<th scope="row">root.*?</tr>', listing.text, re.DOTALL)
    assert row and "never" not in row.group(0) and " UTC" in row.group(0)  # last sign-in
    assert 'href="/users"' in listing.text  # in the menu
    no_csrf = client.post("/users", data={"username": "eve", "password": NEW_PASSWORD})
    assert no_csrf.status_code == 403 and "expired" in no_csrf.text


def test_add_user_with_the_password_rule_then_change_and_disable(
    client: TestClient, sign_in: SignIn
) -> None:
    token = csrf_of(sign_in("root").get("/users").text)
    weak = client.post(
        "/users",
        data={"csrf_token": token, "username": "nora", "password": "short", "roles": "biller"},
    )
    assert weak.status_code == 422 and "at least 12 characters" in weak.text
    assert 'value="nora"' in weak.text  # the form keeps what was typed
    made = client.post(
        "/users",
        data={
            "csrf_token": token,
            "username": "nora",
            "password": NEW_PASSWORD,
            "roles": ["biller"],
            "practices": [PRACTICE],
        },
    )
    assert made.status_code == 303 and made.headers["location"] == "/users?done=create&who=nora"
    assert "nora: The user was added." in client.get(made.headers["location"]).text
    again = client.post(
        "/users",
        data={"csrf_token": token, "username": "NORA", "password": NEW_PASSWORD, "roles": "biller"},
    )
    assert again.status_code == 422 and "exists already" in again.text
    nora = _user_id(client, "nora")
    changed = client.post(
        f"/users/{nora}/access",
        data={"csrf_token": token, "roles": ["biller", "manager"], "practices": [PRACTICE]},
    )
    assert changed.status_code == 303
    with _db(client).read_session() as s:
        found = find_user(s, "nora")
        assert found is not None and found.role_names == {"biller", "manager"}
    off = client.post(f"/users/{nora}/deactivate", data={"csrf_token": token})
    assert off.status_code == 303
    assert not _can_sign_in(client, "nora", NEW_PASSWORD)
    assert _actions(client) == ["user.create", "user.update", "user.deactivate"]


def test_reset_password_and_revoke_tokens(client: TestClient, sign_in: SignIn) -> None:
    with _db(client).transaction() as s:
        bill = find_user(s, "bill")
        assert bill is not None
        _, plaintext = issue_token(s, bill, "laptop")
        bill_id = bill.id
    bearer = {"Authorization": f"Bearer {plaintext}"}
    assert client.get("/api/v1/practices", headers=bearer).status_code == 200
    token = csrf_of(sign_in("root").get("/users").text)
    listing = client.get("/users").text
    row = re.search(rf'<tr id="user-{bill_id}">.*?</tr>', listing, re.DOTALL)
    assert row and '<td class="num">0 / 1</td>' in row.group(0)
    revoked = client.post(f"/users/{bill_id}/revoke", data={"csrf_token": token})
    assert revoked.status_code == 303
    assert client.get("/api/v1/practices", headers=bearer).status_code == 401
    reset = client.post(
        f"/users/{bill_id}/password", data={"csrf_token": token, "password": NEW_PASSWORD}
    )
    assert reset.status_code == 303
    assert _can_sign_in(client, "bill", NEW_PASSWORD)
    assert not _can_sign_in(client, "bill", PASSWORD)
    assert _actions(client) == ["user.revoke_credentials", "user.password_reset"]


def test_administrators_cannot_lock_themselves_out(client: TestClient, sign_in: SignIn) -> None:
    token = csrf_of(sign_in("root").get("/users").text)
    root = _user_id(client, "root")
    answer = client.post(f"/users/{root}/deactivate", data={"csrf_token": token})
    assert answer.status_code == 422 and "cannot deactivate your own account" in answer.text
    answer = client.post(f"/users/{root}/access", data={"csrf_token": token, "roles": "auditor"})
    assert answer.status_code == 422 and "cannot remove your own administrator role" in answer.text
    assert client.post("/users/99999/revoke", data={"csrf_token": token}).status_code == 404
    assert _actions(client) == []
