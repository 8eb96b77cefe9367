"""The uploads page: a ledger (zip or its table files) or 835 files through the API's upload
handling and the service's ingest; every problem listed by file, row and column (none cut off),
a missing merge base said plainly, and the page only for the roles that ingest."""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from remit_factory import credit_835
from web_helpers import EMPTY, OTHER, PRACTICE, SignIn, csrf_of

from cbclassify.ledger_io import validate_ledger_dir

pytestmark = pytest.mark.xdist_group("web")


def _broken_ledger(small_ledger: Path, tmp_path: Path, bad_amounts: int) -> Path:
    """The small ledger with ``bad_amounts`` transaction amounts that are not money and one
    unknown payer type (two files with problems)."""
    folder = tmp_path / "broken"
    shutil.copytree(small_ledger, folder)
    (folder / "synth_truth.csv").unlink()  # not a ledger table
    txns = pd.read_csv(folder / "transactions.csv", dtype=str, keep_default_na=False)
    txns.loc[: bad_amounts - 1, "amount"] = "twelve dollars"
    txns.to_csv(folder / "transactions.csv", index=False)
    payers = pd.read_csv(folder / "payers.csv", dtype=str, keep_default_na=False)
    payers.loc[2, "payer_type"] = "bartering"
    payers.to_csv(folder / "payers.csv", index=False)
    return folder


def _files(folder: Path) -> list[tuple[str, tuple[str, bytes, str]]]:
    return [("files", (p.name, p.read_bytes(), "text/csv")) for p in sorted(folder.glob("*.csv"))]


def _rows(html: str) -> list[tuple[str, str, str, str]]:
    """(file, row, column, problem) of every row of the problem tables."""
    body = "".join(re.findall(r'<table class="data problems">(.*?)</table>', html, re.DOTALL))
    cells = re.findall(
        r'<tr><td class="mono">(.*?)</td><td class="num">(.*?)</td><td class="mono">(.*?)</td>'
        r"<td>.*?</td><td>(.*?)</td></tr>",
        body,
        re.DOTALL,
    )
    return [tuple(c) for c in cells]


def test_ledger_files_with_problems_are_listed_every_one_by_file_row_and_column(
    client: TestClient, sign_in: SignIn, small_ledger: Path, tmp_path: Path
) -> None:
    folder = _broken_ledger(small_ledger, tmp_path, bad_amounts=600)
    expected = validate_ledger_dir(folder)
    assert len(expected) > 600  # more than the API's JSON shows (500)
    page = sign_in("bill").get(f"/practices/{PRACTICE}/uploads")
    (folder / "notes.txt").write_text("hello", encoding="utf-8")
    answer = client.post(
        f"/practices/{PRACTICE}/uploads/ledger",
        data={"csrf_token": csrf_of(page.text)},
        files=[*_files(folder), ("files", ("notes.txt", b"hello", "text/plain"))],
    )
    assert answer.status_code == 422
    shown = _rows(answer.text)
    assert len(shown) == len(expected)
    wanted = {(i.file, str(i.row), i.column or "—") for i in expected}
    assert {(f, r, c) for f, r, c, _ in shown} == wanted
    assert ("transactions.csv", "2", "amount") in {(f, r, c) for f, r, c, _ in shown}
    assert ("payers.csv", "4", "payer_type") in {(f, r, c) for f, r, c, _ in shown}
    assert f"{len(expected):,} problems in 2 files (all listed)" in answer.text
    assert "nothing was ingested" in answer.text
    assert "notes.txt: not read (not a ledger table file" in answer.text


def test_ledger_zip_is_ingested_and_summarised(
    client: TestClient, sign_in: SignIn, small_ledger: Path
) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for path in sorted(small_ledger.glob("*.csv")):
            zf.write(path, f"ledger/{path.name}")
    page = sign_in("bill").get(f"/practices/{EMPTY}/uploads")
    answer = client.post(
        f"/practices/{EMPTY}/uploads/ledger",
        data={"csrf_token": csrf_of(page.text)},
        files={"files": ("ledger.zip", buffer.getvalue(), "application/zip")},
    )
    assert answer.status_code == 200, answer.text
    assert "The ledger was ingested." in answer.text and "New cases" in answer.text
    assert "synth_truth.csv: not read" in answer.text
    assert 'class="data problems"' not in answer.text


def test_835_without_a_ledger_says_to_upload_the_ledger_first(
    client: TestClient, sign_in: SignIn
) -> None:
    # the second practice's cases were stored without a ledger snapshot: no merge base
    page = sign_in("hal").get(f"/practices/{OTHER}/uploads")
    answer = client.post(
        f"/practices/{OTHER}/uploads/remittances",
        data={"csrf_token": csrf_of(page.text)},
        files={"files": ("era.835", credit_835(1).encode(), "text/plain")},
    )
    assert answer.status_code == 422
    words = re.sub(r"\s+", " ", answer.text)
    assert "Harbor Speech has no complete ledger to merge 835 remittances into" in words
    assert "ledger first (above)" in words and "Nothing was ingested" in words


def test_835_upload_is_merged_and_bad_835_findings_are_listed(
    client: TestClient, sign_in: SignIn
) -> None:
    page = sign_in("bill").get(f"/practices/{PRACTICE}/uploads")
    token = csrf_of(page.text)
    good = client.post(
        f"/practices/{PRACTICE}/uploads/remittances",
        data={"csrf_token": token},
        files={"files": ("era.835", credit_835(1).encode(), "text/plain")},
    )
    assert good.status_code == 200, good.text
    assert "The 835 files were ingested." in good.text
    again = client.post(
        f"/practices/{PRACTICE}/uploads/remittances",
        data={"csrf_token": token},
        files={"files": ("era.835", credit_835(1).encode(), "text/plain")},
    )
    assert "were ingested before; nothing was posted again" in again.text
    bad = client.post(
        f"/practices/{PRACTICE}/uploads/remittances",
        data={"csrf_token": token},
        files={"files": ("junk.835", b"this is not X12", "text/plain")},
    )
    assert bad.status_code == 422
    assert "No 835 remittance could be converted" in bad.text
    assert _rows(bad.text) and all(f == "junk.835" for f, *_ in _rows(bad.text))


def test_uploads_need_the_ingest_role_and_a_granted_practice(
    client: TestClient, sign_in: SignIn
) -> None:
    assert sign_in("ada").get(f"/practices/{PRACTICE}/uploads").status_code == 403
    assert sign_in("bill").get(f"/practices/{OTHER}/uploads").status_code == 404
    page = client.get(f"/practices/{PRACTICE}/uploads")
    assert page.status_code == 200 and 'data-progress="ledger-progress"' in page.text
    missing = client.post(
        f"/practices/{PRACTICE}/uploads/ledger", data={"csrf_token": csrf_of(page.text)}
    )
    assert missing.status_code == 422 and "Choose the ledger" in missing.text
    no_csrf = client.post(
        f"/practices/{PRACTICE}/uploads/ledger",
        files={"files": ("payers.csv", b"payer_id\n", "text/csv")},
    )
    assert no_csrf.status_code == 403
