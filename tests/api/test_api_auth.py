"""Sign-in with session cookie and CSRF, API tokens (hashed, revocable), login auditing."""

from __future__ import annotations

from api_helpers import World
from fastapi.testclient import TestClient
from store.helpers import PASSWORD

from cbclassify.store.audit_queries import audit_events


def _login(client: TestClient, username: str, password: str = PASSWORD):
    return client.post("/api/v1/auth/login", data={"username": username, "password": password})


def _audit_actions(client: TestClient) -> list[str]:
    db = client.app.state.service.db  # type: ignore[attr-defined]
    with db.read_session() as s:
        return [e.action for e in audit_events(s, None)]


def test_session_cookie_needs_csrf_on_unsafe_requests(client: TestClient, world: World) -> None:
    r = _login(client, "biller")
    assert r.status_code == 200
    csrf = r.json()["csrf_token"]
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert client.get("/api/v1/auth/me").json()["username"] == "biller"
    v = client.get(f"/api/v1/cases/{world.case_a}").json()["version"]
    url = f"/api/v1/cases/{world.case_a}/review"
    r = client.post(url, json={"version": v})
    assert r.status_code == 403 and r.json()["code"] == "csrf_failed"
    r = client.post(url, json={"version": v}, headers={"X-CSRF-Token": "0" * 64})
    assert r.status_code == 403
    r = client.post(url, json={"version": v}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 200 and r.json()["state"] == "in_review"
    assert client.get("/api/v1/auth/csrf").json()["csrf_token"] == csrf


def test_csrf_token_in_a_form_field(client: TestClient, world: World) -> None:
    csrf = _login(client, "biller").json()["csrf_token"]
    r = client.post("/api/v1/auth/tokens", json={"name": "x"})
    assert r.status_code == 403
    r = client.post("/api/v1/auth/logout", data={"csrf_token": csrf})
    assert r.status_code == 204
    assert client.get("/api/v1/auth/me").status_code == 401


def test_login_failures_are_audited_and_lock_out(client: TestClient, world: World, config) -> None:
    for _ in range(config.max_failed_logins):
        assert _login(client, "biller", "wrong password!!").status_code == 401
    r = _login(client, "biller")
    assert r.status_code == 429 and r.json()["code"] == "locked"
    assert _login(client, "manager").status_code == 200
    actions = _audit_actions(client)
    assert actions.count("auth.login_failed") == config.max_failed_logins
    assert actions.count("auth.login") == 1


def test_tokens_are_shown_once_and_revocable(client: TestClient, world: World) -> None:
    headers = world.headers["biller"]
    r = client.post(
        "/api/v1/auth/tokens", json={"name": "script", "expires_in_days": 30}, headers=headers
    )
    assert r.status_code == 201
    new = r.json()
    assert new["token"].startswith("cbc_") and new["prefix"] == new["token"][:10]
    listed = client.get("/api/v1/auth/tokens", headers=headers).json()
    assert all("token" not in t for t in listed) and {t["name"] for t in listed} == {
        "tests",
        "script",
    }
    mine = {"Authorization": f"Bearer {new['token']}"}
    assert client.get("/api/v1/auth/me", headers=mine).status_code == 200
    # someone else's token cannot be revoked by id
    other = world.token_ids["manager"]
    assert client.delete(f"/api/v1/auth/tokens/{other}", headers=headers).status_code == 404
    assert client.delete(f"/api/v1/auth/tokens/{new['id']}", headers=headers).status_code == 200
    assert client.get("/api/v1/auth/me", headers=mine).status_code == 401
    assert {"token.create", "token.revoke"} <= set(_audit_actions(client))


def test_admin_revokes_any_token_and_deactivates_users(client: TestClient, world: World) -> None:
    admin = world.headers["admin"]
    tid = world.token_ids["biller"]
    assert client.delete(f"/api/v1/admin/tokens/{tid}", headers=admin).status_code == 200
    assert client.get("/api/v1/auth/me", headers=world.headers["biller"]).status_code == 401
    uid = world.user_ids["manager"]
    r = client.patch(f"/api/v1/admin/users/{uid}", json={"is_active": False}, headers=admin)
    assert r.status_code == 200 and r.json()["is_active"] is False
    assert client.get("/api/v1/auth/me", headers=world.headers["manager"]).status_code == 401


def test_admin_creates_users_and_practices(client: TestClient, world: World) -> None:
    admin = world.headers["admin"]
    r = client.post("/api/v1/admin/practices", json={"code": "c", "name": "C"}, headers=admin)
    assert r.status_code == 201
    assert (
        client.post(
            "/api/v1/admin/practices", json={"code": "c", "name": "C"}, headers=admin
        ).status_code
        == 409
    )
    body = {"username": "newbie", "password": PASSWORD, "roles": ["biller"], "practices": ["c"]}
    r = client.post("/api/v1/admin/users", json=body, headers=admin)
    assert r.status_code == 201 and r.json()["practices"] == ["c"]
    bad = {**body, "username": "x", "roles": ["wizard"]}
    r = client.post("/api/v1/admin/users", json=bad, headers=admin)
    assert r.status_code == 422 and "wizard" in r.json()["detail"]
    assert _login(client, "newbie").json()["user"]["practices"] == ["c"]
