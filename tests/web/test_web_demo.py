"""The end of ``make demo``: the synthetic practice loaded, demo users with fresh passwords
that work (printed once), the report published, and the app served on loopback."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from web_helpers import post_login

from api.app import create_app
from api.config import ServiceConfig
from api.web import demo
from api.web.routes_manage import report_file
from cbclassify.service.champion import LoadedModel
from cbclassify.settings import Settings
from cbclassify.store.db import Database
from cbclassify.store.models_cases import CreditCase

pytestmark = pytest.mark.xdist_group("web")


def _count_cases(settings: Settings) -> tuple[int, int]:
    db = Database.from_url(settings.resolved_database_url)
    try:
        with db.read_session() as s:
            cases = s.scalar(select(func.count()).select_from(CreditCase)) or 0
            predicted = (
                s.scalar(
                    select(func.count())
                    .select_from(CreditCase)
                    .where(CreditCase.predicted_source.is_not(None))
                )
                or 0
            )
            return cases, predicted
    finally:
        db.dispose()


def _signs_in(settings: Settings, username: str, password: str) -> bool:
    app = create_app(settings, config=ServiceConfig(load_model=False))
    with TestClient(app, follow_redirects=False) as client:
        answer = post_login(client, {"username": username, "password": password})
        return answer.status_code == 303


def test_prepare_demo_loads_the_practice_and_users(
    tmp_path: Path, small_ledger: Path, champion: LoadedModel
) -> None:
    settings = Settings(data_dir=tmp_path / "demo-data")
    report = tmp_path / "report.html"
    report.write_text("<h1>report</h1>", encoding="utf-8")
    setup = demo.prepare_demo(
        settings, small_ledger, report_html=report, model_loader=lambda _: champion
    )
    assert setup.batch.n_credits > 0 and setup.model_version == "cbclassify-credit-source v1"
    assert set(setup.passwords) == set(demo.DEMO_USERS)
    assert len(set(setup.passwords.values())) == len(demo.DEMO_USERS)
    cases, predicted = _count_cases(settings)
    assert cases == setup.batch.n_credits and predicted == cases
    assert report_file(settings, demo.DEMO_PRACTICE_CODE).read_text() == "<h1>report</h1>"
    text = demo.credentials_text(setup, "http://127.0.0.1:8000/")
    for name, password in setup.passwords.items():
        assert name in text and password in text
    assert _signs_in(settings, "biller", setup.passwords["biller"])


def test_serve_demo_again_reuses_cases_and_issues_new_passwords(
    tmp_path: Path,
    small_ledger: Path,
    champion: LoadedModel,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    data_dir = tmp_path / "demo-data"
    first = demo.prepare_demo(
        Settings(data_dir=data_dir), small_ledger, model_loader=lambda _: champion
    )
    served: dict[str, Any] = {}

    def no_champion(_: Settings) -> LoadedModel:
        raise LookupError("no champion")

    monkeypatch.setattr(demo, "load_champion", no_champion)
    monkeypatch.setattr("uvicorn.run", lambda app, **kw: served.update(app=app, **kw))
    demo.serve_demo(data_dir, small_ledger, port=8765)
    assert served["host"] == "127.0.0.1" and served["port"] == 8765
    printed = capsys.readouterr().out
    assert "http://127.0.0.1:8765/" in printed and "no champion model" in printed
    settings = Settings(data_dir=data_dir)
    assert _count_cases(settings)[0] == first.batch.n_credits  # the same credits, same cases
    assert not _signs_in(settings, "manager", first.passwords["manager"])
    new_password = next(
        line.split()[1] for line in printed.splitlines() if line.strip().startswith("manager ")
    )
    assert _signs_in(settings, "manager", new_password)
