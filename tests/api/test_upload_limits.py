"""Zip limits (issue 14, failure 10): members inflate under a running byte cap, per member and in
total, and a zip whose members declare more than the cap is refused (413) before anything is
written to temp. Small zips of zeros stand in for bombs: a few KB inflating past a small cap."""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

import pytest
from api_helpers import World
from fastapi.testclient import TestClient

from api.config import ServiceConfig
from api.errors import ApiError
from api.uploads import CHUNK, extract_zip

CAP = 100_000  # the configured cap in these tests


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def _extract(tmp_path: Path, data: bytes, **limits: int) -> tuple[Path, ApiError | None]:
    archive, out = tmp_path / "upload.zip", tmp_path / "out"
    archive.write_bytes(data)
    out.mkdir()
    try:
        extract_zip(archive, out, upload="upload.zip", max_members=20, **limits)
    except ApiError as err:
        return out, err
    return out, None


def _written(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.iterdir())


def test_a_bomb_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    cap = 3 * CHUNK  # above one read chunk: before, 3 MiB were inflated to temp first
    data = _zip({"payers.csv": b"0" * (10 * cap)})
    assert len(data) < 100_000  # 30 MiB of zeros in a few dozen KB
    out, err = _extract(tmp_path, data, max_total=cap)
    assert err is not None and (err.status, err.code) == (413, "too_large")
    assert _written(out) == 0 and list(out.iterdir()) == []  # not one byte inflated to temp
    assert f"payers.csv unzips to more than {cap} bytes" in err.detail


def test_members_adding_up_past_the_total_are_refused_before_writing(tmp_path: Path) -> None:
    data = _zip({"payers.csv": b"0" * (CAP // 2 + 1), "patients.csv": b"1" * (CAP // 2 + 1)})
    out, err = _extract(tmp_path, data, max_total=CAP)
    assert err is not None and err.status == 413 and "all files" in err.detail
    assert list(out.iterdir()) == []


def test_each_member_has_its_own_cap(tmp_path: Path) -> None:
    data = _zip({"payers.csv": b"0" * 1000, "claim_lines.csv": b"0" * (CAP + 1)})
    out, err = _extract(tmp_path, data, max_total=10 * CAP, max_member=CAP)
    assert err is not None and err.status == 413 and "claim_lines.csv" in err.detail
    assert list(out.iterdir()) == []
    fine = tmp_path / "fine"
    fine.mkdir()
    out, err = _extract(fine, _zip({"payers.csv": b"0" * CAP}), max_total=CAP, max_member=CAP)
    assert err is None and _written(out) == CAP  # exactly at the caps is allowed


def test_a_header_that_understates_the_size_never_inflates_past_it(tmp_path: Path) -> None:
    """A member declaring 100 bytes that inflates to 3 MB: reading stops at 100, CRC fails."""
    data = bytearray(_zip({"payers.csv": b"0" * (30 * CAP)}))
    struct.pack_into("<I", data, data.find(b"PK\x03\x04") + 22, 100)  # local header size
    struct.pack_into("<I", data, data.find(b"PK\x01\x02") + 24, 100)  # central directory size
    out, err = _extract(tmp_path, bytes(data), max_total=CAP)
    assert err is not None and (err.status, err.code) == (422, "bad_zip")
    assert list(out.iterdir()) == []  # the partial member is removed


def test_default_caps_are_well_under_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CBCLASSIFY_MAX_UNZIPPED_BYTES", raising=False)
    assert ServiceConfig().max_unzipped_bytes == 200 * 1024**2  # was 2 GiB
    monkeypatch.setenv("CBCLASSIFY_MAX_UNZIPPED_BYTES", str(CAP))
    assert ServiceConfig().max_unzipped_bytes == CAP


@pytest.fixture
def config() -> ServiceConfig:
    """The service with a small configured cap (overrides tests/api/conftest.py's)."""
    return ServiceConfig(max_upload_bytes=2_000_000, max_unzipped_bytes=CAP, max_zip_members=20)


@pytest.mark.parametrize(
    ("url", "field", "name"),
    [
        ("/api/v1/practices/a/ledgers", "file", "payers.csv"),
        ("/api/v1/practices/a/remittances", "files", "remit.835"),
    ],
)
def test_the_service_answers_413_naming_the_file(
    client: TestClient, world: World, url: str, field: str, name: str
) -> None:
    data = _zip({name: b"~" * (30 * CAP)})
    r = client.post(
        url, files={field: ("upload.zip", data, "application/zip")}, headers=world.headers["biller"]
    )
    assert r.status_code == 413, r.text
    body = r.json()
    assert body["code"] == "too_large"
    assert f"upload.zip: {name} unzips to more than {CAP} bytes" in body["detail"]


def test_an_encrypted_member_is_422_not_a_crash(tmp_path: Path) -> None:
    """zipfile raises RuntimeError (a 500) for an encrypted member without a password."""
    data = bytearray(_zip({"payers.csv": b"payer_id\n"}))
    struct.pack_into("<H", data, data.find(b"PK\x03\x04") + 6, 0x1)  # flag: encrypted
    struct.pack_into("<H", data, data.find(b"PK\x01\x02") + 8, 0x1)
    out, err = _extract(tmp_path, bytes(data), max_total=CAP)
    assert err is not None and (err.status, err.code) == (422, "bad_zip")
    assert "encrypted" in err.detail and list(out.iterdir()) == []
