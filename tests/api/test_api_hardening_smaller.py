"""Issue 14, failure 12: the password policy (NIST SP 800-63B), Secure cookies off loopback,
login CSRF on the web sign-in form, API docs without a CDN, ``Cache-Control: no-store`` on API
answers, and the SQLite database file created 0600."""

from __future__ import annotations

import re
import stat
from pathlib import Path

import pytest
from api_helpers import World
from fastapi.testclient import TestClient
from store.helpers import PASSWORD

from api.app import create_app
from api.config import ServiceConfig
from cbclassify.service.champion import LoadedModel
from cbclassify.settings import Settings
from cbclassify.store.db import Database
from cbclassify.store.migrate import upgrade


@pytest.mark.parametrize(
    ("password", "why"),
    [
        (" " * 12, "too easy to guess"),
        ("aaaaaaaaaaaa", "too easy to guess"),
        ("password1234", "commonly used"),
        ("abcdefghijklmnop", "too easy to guess"),
        ("newbie-password-1", "username"),
        ("short", "at least 12"),
    ],
)
def test_weak_passwords_are_refused_with_the_reason(
    client: TestClient, world: World, password: str, why: str
) -> None:
    body = {"username": "newbie", "password": password, "roles": ["biller"], "practices": ["a"]}
    r = client.post("/api/v1/admin/users", json=body, headers=world.headers["admin"])
    assert r.status_code == 422 and why in r.text, r.text
    patch = client.patch(
        f"/api/v1/admin/users/{world.user_ids['biller']}",
        json={"password": password.replace("newbie", "biller")},
        headers=world.headers["admin"],
    )
    assert patch.status_code == 422 and why in patch.text, patch.text


def test_a_good_pass_phrase_is_accepted(client: TestClient, world: World) -> None:
    body = {"username": " NewBie ", "password": "purple tractor evening", "roles": ["biller"]}
    r = client.post("/api/v1/admin/users", json=body, headers=world.headers["admin"])
    assert r.status_code == 201 and r.json()["username"] == "newbie"
    again = {**body, "username": "newbie"}
    assert (
        client.post("/api/v1/admin/users", json=again, headers=world.headers["admin"]).status_code
        == 409
    )


def _app(
    tmp_path: Path, champion: LoadedModel, base_url: str = "http://testserver", **config: object
) -> TestClient:
    settings = Settings(
        data_dir=tmp_path / "data", database_url=f"sqlite:///{tmp_path / 'x.db'}", secret_key="k"
    )
    app = create_app(settings, config=ServiceConfig(**config), model_loader=lambda _: champion)
    return TestClient(app, base_url=base_url, follow_redirects=False)


@pytest.mark.parametrize(
    ("base_url", "setting", "secure"),
    [
        ("http://billing.example.com", "auto", True),
        ("https://billing.example.com", "auto", True),
        ("http://127.0.0.1:8000", "auto", False),
        ("http://localhost:8000", "auto", False),
        ("http://billing.example.com", False, False),
        ("http://127.0.0.1:8000", True, True),
    ],
)
def test_session_cookie_is_secure_unless_on_loopback(
    tmp_path: Path, champion: LoadedModel, base_url: str, setting: object, secure: bool
) -> None:
    from api_helpers import seed_world

    with _app(tmp_path, champion, base_url, cookie_secure=setting) as client:
        seed_world(client)
        r = client.post("/api/v1/auth/login", data={"username": "biller", "password": PASSWORD})
        assert r.status_code == 200
        assert ("; secure" in r.headers["set-cookie"].lower()) is secure


def test_web_sign_in_needs_the_forms_login_csrf_token(
    tmp_path: Path, champion: LoadedModel
) -> None:
    from api_helpers import seed_world

    with _app(tmp_path, champion) as client:
        seed_world(client)
        forged = client.post("/login", data={"username": "biller", "password": PASSWORD})
        assert forged.status_code == 403 and "cbc_session" not in client.cookies
        form = client.get("/login")
        token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', form.text)
        assert token and "cbc_login" in client.cookies
        wrong = client.post(
            "/login", data={"username": "biller", "password": PASSWORD, "csrf_token": "0" * 64}
        )
        assert wrong.status_code == 403 and "cbc_session" not in client.cookies
        good = client.post(
            "/login",
            data={"username": "biller", "password": PASSWORD, "csrf_token": token.group(1)},
        )
        assert good.status_code == 303 and "cbc_session" in client.cookies


def test_api_docs_load_no_script_from_elsewhere(client: TestClient) -> None:
    for page in ("/api/v1/docs", "/api/v1/redoc"):
        html = client.get(page)
        assert html.status_code == 200
        sources = re.findall(r'(?:src|href)="([^"]+)"', html.text)
        assert sources and all(s.startswith("/api/v1/") for s in sources), sources
        for source in sources:
            asset = client.get(source)
            assert asset.status_code == 200 and len(asset.content) > 1000, source
        assert "http://" not in html.text and "https://" not in html.text


def test_api_answers_are_not_stored_by_caches(client: TestClient, world: World) -> None:
    for path in ("/api/v1/health", "/api/v1/auth/me", "/api/v1/practices/a/resolutions.csv"):
        r = client.get(path, headers=world.headers["manager"])
        assert r.status_code == 200 and r.headers["cache-control"] == "no-store", path
    missing = client.get("/api/v1/cases/999", headers=world.headers["manager"])
    assert missing.status_code == 404 and missing.headers["cache-control"] == "no-store"


def test_the_sqlite_database_file_is_created_private(tmp_path: Path) -> None:
    path = tmp_path / "fresh" / "service.db"
    db = Database.from_url(f"sqlite:///{path}")
    try:
        upgrade(db.engine)
        with db.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
            for file in (path, path.with_name("service.db-wal")):
                assert stat.S_IMODE(file.stat().st_mode) == 0o600, file
    finally:
        db.dispose()
