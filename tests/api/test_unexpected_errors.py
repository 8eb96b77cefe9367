"""An unexpected error is answered 500 without internals and logged by type and route only
(issue 14, failure 5: tracebacks reached the server log, and an exception's message can hold a
claim or patient id). Before, Starlette's handler answered and then re-raised the exception to
the server, which logged the whole traceback (the test client re-raises it the same way)."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.config import ServiceConfig
from cbclassify.service.champion import LoadedModel
from cbclassify.settings import Settings


def test_an_unexpected_error_is_a_bare_500_and_one_log_line(
    settings: Settings,
    config: ServiceConfig,
    champion: LoadedModel,
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = create_app(settings, config=config, model_loader=lambda _: champion)

    @app.get("/api/v1/boom/{claim}")
    def boom(claim: str) -> None:
        raise RuntimeError(f"claim {claim} of patient PT-SECRET")

    with TestClient(app) as client, caplog.at_level(logging.DEBUG):
        r = client.get("/api/v1/boom/CLM-SECRET")  # raised here before (the server's view)
    assert r.status_code == 500
    assert r.json() == {
        "detail": "internal error; the request was not applied",
        "code": "internal_error",
    }
    server = [rec for rec in caplog.records if not rec.name.startswith("httpx")]  # the client's
    assert [rec.getMessage() for rec in server if rec.levelno >= logging.WARNING] == [
        "unhandled RuntimeError on GET /api/v1/boom/{claim}"
    ]
    assert not [rec for rec in server if rec.exc_info]  # no traceback anywhere
    assert not [rec for rec in server if "SECRET" in rec.getMessage()]
