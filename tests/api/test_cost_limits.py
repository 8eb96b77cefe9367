"""Cost limits (issue 14, failure 10): 835 text capped per upload (a 100 KB zip inflating to
20 MiB of 835 took 56 s and 677 MB), classify bodies capped in rows per table
(``max_classify_rows`` was declared but never read) and non-upload bodies capped in bytes."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from api_helpers import World, seed_practice_ledger, seed_world
from fastapi.testclient import TestClient
from test_api_model import BODY, TXNS

from api.app import create_app
from api.config import ServiceConfig
from cbclassify.service.champion import LoadedModel
from cbclassify.settings import Settings

THERAPY_835 = (Path(__file__).parents[1] / "x12" / "fixtures" / "therapy_5010.835").read_bytes()
MIB = 1024**2
Start = Callable[..., tuple[TestClient, World]]


def _big_835(size: int) -> bytes:
    """A valid 835 batch of about ``size`` bytes: the same interchange again and again."""
    return THERAPY_835 * (size // len(THERAPY_835) + 1)


def _zip(name: str, data: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(name, data)
    return buffer.getvalue()


@pytest.fixture
def limited(settings: Settings, champion: LoadedModel) -> Iterator[Start]:
    """A service with the default limits except those given."""
    with ExitStack() as stack:

        def start(**limits: int) -> tuple[TestClient, World]:
            app = create_app(
                settings, config=ServiceConfig(**limits), model_loader=lambda _: champion
            )
            client = stack.enter_context(TestClient(app))
            return client, seed_world(client)

        yield start


def _post_835(client: TestClient, world: World, *files: tuple[str, bytes]) -> dict:
    r = client.post(
        "/api/v1/practices/a/remittances",
        files=[("files", (name, data, "application/octet-stream")) for name, data in files],
        headers=world.headers["biller"],
    )
    return {"status": r.status_code, **r.json()}


def test_a_20_mib_835_zip_is_refused_with_the_default_limits(
    limited: Start,
) -> None:
    """Before: answered 201 after about a minute of converting (and 677 MB more memory)."""
    client, world = limited()
    default = ServiceConfig().max_x12_bytes
    assert default <= 8 * MIB < 20 * MIB
    data = _zip("big.835", _big_835(20 * MIB))
    assert len(data) < 1 * MIB  # a small upload
    out = _post_835(client, world, ("big.zip", data))
    assert (out["status"], out["code"], out["field"]) == (413, "too_large", "files")
    assert out["detail"] == f"big.zip: big.835 unzips to more than {default} bytes"


def test_plain_835_files_share_one_cap(limited: Start) -> None:
    client, world = limited(max_x12_bytes=100_000)
    out = _post_835(client, world, ("big.835", _big_835(150_000)))
    assert out["status"] == 413 and out["field"] == "files"
    assert out["detail"] == "big.835: 835 files of more than 100000 bytes in all"
    half = _big_835(60_000)
    out = _post_835(client, world, ("one.835", half), ("two.zip", _zip("two.835", half)))
    assert out["status"] == 413 and "two.835 unzips to more than" in out["detail"]
    seed_practice_ledger(client, world)
    assert _post_835(client, world, ("one.835", THERAPY_835))["status"] == 201


def test_classify_tables_over_max_classify_rows_are_413(limited: Start) -> None:
    client, world = limited(max_classify_rows=3)
    assert len(TXNS) == 4
    r = client.post("/api/v1/classify", json=BODY, headers=world.headers["biller"])
    assert r.status_code == 413, r.text
    assert r.json()["field"] == "body.transactions"
    assert r.json()["detail"] == "body.transactions: 4 rows, more than the limit of 3 per table"
    body = {**BODY, "transactions": TXNS[:3]}
    assert client.post("/api/v1/classify", json=body, headers=world.headers["biller"]).is_success


def test_bodies_other_than_uploads_have_their_own_byte_limit(limited: Start) -> None:
    client, world = limited(max_body_bytes=50_000, max_upload_bytes=2_000_000)
    body = {**BODY, "transactions": TXNS * 200}
    assert len(json.dumps(body)) > 50_000
    r = client.post("/api/v1/classify", json=body, headers=world.headers["biller"])
    assert r.status_code == 413 and r.json()["code"] == "too_large"
    assert "50000 bytes" in r.json()["detail"]
    upload = _big_835(100_000)  # uploads are allowed up to max_upload_bytes
    seed_practice_ledger(client, world)
    assert _post_835(client, world, ("big.835", upload))["status"] == 201
