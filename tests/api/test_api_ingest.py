"""Uploads: a valid ledger becomes cases (idempotently); bad uploads get 4xx naming the file,
row and column, never a 500; 835 batches merge into the practice's ledger."""

from __future__ import annotations

import io
import logging
import zipfile
from pathlib import Path

import pytest
from api_helpers import World, ledger_zip
from fastapi.testclient import TestClient
from ledger_factory import tiny_ledger

URL = "/api/v1/practices/a/ledgers"


def _upload(client: TestClient, world: World, data: bytes, name: str = "ledger.zip"):
    return client.post(
        URL, files={"file": (name, data, "application/zip")}, headers=world.headers["biller"]
    )


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def test_ledger_upload_creates_cases_and_reupload_is_idempotent(
    client, world, tmp_path, caplog
) -> None:
    caplog.set_level(logging.DEBUG)
    data = ledger_zip(tmp_path, tiny_ledger())
    first = _upload(client, world, data)
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["credits"] == 1 and body["new_cases"] == 1 and body["as_of"] == "2024-03-01"
    assert body["cleared_cases"] == 2  # the seeded CLM-1 and CLM-2 are not in this ledger
    cases = client.get("/api/v1/practices/a/cases", headers=world.headers["biller"]).json()
    (case,) = cases["items"]
    assert (case["claim_id"], case["credit_amount"], case["payer_id"]) == ("CL2", "20.00", "C1")
    assert case["predicted_source"] is not None and case["confidence"] > 0
    again = _upload(client, world, data).json()
    assert again["new_cases"] == 0 and again["duplicate_of"] == body["batch_id"]
    detail = client.get(f"/api/v1/cases/{case['id']}", headers=world.headers["biller"]).json()
    assert len(detail["observations"]) == 2
    txns = detail["ledger_history"]["transactions"]
    assert sorted(t["txn_id"] for t in txns) == ["T08", "T09", "T10", "T11", "T12"]
    assert detail["ledger_history"]["claim_lines"][0]["charge_amount"] == "150.00"
    assert detail["model_version"] == "cbclassify-credit-source v3"
    batches = client.get("/api/v1/practices/a/batches", headers=world.headers["biller"]).json()
    assert [b["kind"] for b in batches][:2] == ["ledger", "ledger"]
    assert any("ingested" in r.getMessage() for r in caplog.records)
    for identifier in ("CL1", "CL2", "CL3", "PT1", "PT2"):  # no claim or patient ids in logs
        assert not any(identifier in r.getMessage() for r in caplog.records), identifier


def test_invalid_ledger_is_422_naming_file_row_and_column(client, world, tmp_path) -> None:
    ledger = tiny_ledger()
    txns = ledger.transactions.copy()
    txns["amount_cents"] = txns["amount_cents"].astype("Int64")
    text_dir = tmp_path / "ok"
    data = ledger_zip(text_dir, ledger)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    csv = members["ledger/transactions.csv"].decode().splitlines()
    fields = csv[2].split(",")
    fields[6] = "12.345"  # amount with three decimals on file line 3
    csv[2] = ",".join(fields)
    members["ledger/transactions.csv"] = "\n".join(csv).encode()
    r = _upload(client, world, _zip(members))
    assert r.status_code == 422
    issue = r.json()["issues"][0]
    assert (issue["file"], issue["row"], issue["column"]) == ("transactions.csv", 3, "amount")


@pytest.mark.parametrize(
    ("data", "status", "needle"),
    [
        (b"not a zip at all", 422, "not a zip"),
        (_zip({"../../etc/passwd.csv": b"x"}), 422, "unsafe path"),
        (_zip({"notes.txt": b"hello"}), 422, "required table"),
        (_zip({"a/payers.csv": b"x", "b/payers.csv": b"y"}), 422, "two files named"),
        (_zip({f"f{i}.csv": b"x" for i in range(25)}), 413, "more than 20 files"),
        (_zip({"payers.csv": b"0" * 6_000_000}), 413, "unzips to more than"),
        (b"PK" + b"\0" * 2_100_000, 413, "larger than"),
    ],
    ids=["not-zip", "zip-slip", "no-tables", "dup-names", "too-many", "zip-bomb", "too-big"],
)
def test_bad_uploads_are_4xx_with_a_message(client, world, data, status, needle) -> None:
    r = _upload(client, world, data)
    assert r.status_code == status, r.text
    text = r.json()["detail"] + " ".join(i["message"] for i in r.json().get("issues", []))
    assert needle in text


def test_missing_file_field_is_422(client: TestClient, world: World) -> None:
    r = client.post(URL, headers=world.headers["biller"])
    assert r.status_code == 422 and r.json()["field"] == "body.file"


def test_835_batch_merges_into_the_practice_ledger(
    client, world, tmp_path, shared_x12_dir: Path
) -> None:
    assert _upload(client, world, ledger_zip(tmp_path, tiny_ledger())).status_code == 201
    sample = (shared_x12_dir / "editools_835_reversals_dup_4010.x12").read_bytes()
    files = {"files": ("remit.x12", sample, "text/plain")}
    r = client.post("/api/v1/practices/a/remittances", files=files, headers=world.headers["biller"])
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["credits"] == 7 and body["new_cases"] == 6  # the tiny ledger's CL2 stays
    assert all({"file", "segment", "message"} <= set(f) for f in body["findings"])
    again = client.post(
        "/api/v1/practices/a/remittances", files=files, headers=world.headers["biller"]
    )
    assert again.status_code == 200 and again.json()["already_ingested"] is True
    page = client.get(
        "/api/v1/practices/a/cases", params={"limit": 100}, headers=world.headers["biller"]
    ).json()
    assert page["total"] == 7  # nothing posted twice


def test_non_835_upload_is_422_with_findings(client, world, shared_x12_dir: Path) -> None:
    data = (shared_x12_dir / "lfh_837p_demo.example1.837").read_bytes()
    r = client.post(
        "/api/v1/practices/a/remittances",
        files={"files": ("claim.837", data)},
        headers=world.headers["biller"],
    )
    assert r.status_code == 422 and r.json()["code"] == "invalid_835"
    assert r.json()["issues"][0]["file"] == "claim.837"


def test_streamed_body_over_the_limit_is_413(client: TestClient, world: World) -> None:
    """Without Content-Length (chunked), the limit is counted while the body streams in."""

    def chunks():
        yield (
            b'--XX\r\nContent-Disposition: form-data; name="file"; filename="l.zip"\r\n'
            b"Content-Type: application/zip\r\n\r\n"
        )
        for _ in range(25):
            yield b"0" * 100_000
        yield b"\r\n--XX--\r\n"

    headers = {**world.headers["biller"], "content-type": "multipart/form-data; boundary=XX"}
    r = client.post(URL, content=chunks(), headers=headers)
    assert r.status_code == 413 and r.json()["code"] == "too_large"
