"""Mutated 835s through the service (issue 14, failure 5): whatever the parser, the converter
and the merge into the practice's ledger make of a mutated file, the answer is a 201/200 or a
clear 4xx, never a 500 and never a traceback in the server log. The mutations are those of the
parser fuzz (tests/x12/mutations.py) of a built-in 835, the project's fixtures and, when
present, the shared samples. ``CBCLASSIFY_X12_API_FUZZ_EXAMPLES`` raises the count (default 12).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest
from api_helpers import World, ledger_zip
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ledger_factory import tiny_ledger
from x12.mutations import mutate
from x12.test_fuzz import BASES, _DrawChooser

EXAMPLES = int(os.environ.get("CBCLASSIFY_X12_API_FUZZ_EXAMPLES", "12"))


@st.composite
def mutated_upload(draw: st.DrawFn) -> tuple[str, bytes]:
    name, text = draw(st.sampled_from(BASES))
    return name, mutate(_DrawChooser(draw), text).encode()


def test_mutated_835s_are_never_a_server_error(
    client: TestClient, world: World, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    raw = TestClient(client.app, raise_server_exceptions=False)
    # The practice's complete ledger first: the merge base every 835 is merged into.
    ledger = {"file": ("ledger.zip", ledger_zip(tmp_path, tiny_ledger()), "application/zip")}
    seeded = raw.post("/api/v1/practices/a/ledgers", files=ledger, headers=world.headers["biller"])
    assert seeded.status_code == 201, seeded.text
    statuses: list[int] = []

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(mutated_upload())
    def upload(case: tuple[str, bytes]) -> None:
        name, data = case
        r = raw.post(
            "/api/v1/practices/a/remittances",
            files=[("files", (name, data, "application/octet-stream"))],
            headers=world.headers["biller"],
        )
        statuses.append(r.status_code)
        assert r.status_code in (200, 201, 413, 422), r.text

    with caplog.at_level(logging.ERROR, logger="cbclassify"):
        upload()
    assert len(statuses) == EXAMPLES and {201, 422} <= set(statuses)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
