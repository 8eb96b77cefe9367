"""The demo's practice ends the day the demo runs; ``synth --end-date`` gives that practice,
the same files for the same seed and date; ``make demo PORT=...`` reaches the demo."""

from __future__ import annotations

import filecmp
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from cbclassify.cli import demo_cmds
from cli.textutil import plain

REPO = Path(__file__).resolve().parents[2]


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_synth_end_date_is_the_ledgers_as_of_and_deterministic(run, tmp_path: Path) -> None:
    from cbclassify.ledger_io import read_ledger

    args = ["synth", "--claims", "2000", "--seed", "4", "--end-date", "2026-11-30"]
    assert run(*args, "--out", tmp_path / "a").exit_code == 0
    assert run(*args, "--out", tmp_path / "b").exit_code == 0
    match, mismatch, errors = filecmp.cmpfiles(
        tmp_path / "a", tmp_path / "b", _files(tmp_path / "a"), shallow=False
    )
    assert not mismatch and not errors and len(match) == len(_files(tmp_path / "a"))
    ledger = read_ledger(tmp_path / "a")
    assert ledger.default_as_of() == pd.Timestamp("2026-11-30")
    assert ledger.claim_lines["service_date"].min() >= pd.Timestamp("2025-06-01")  # 18 months


def test_synth_takes_a_start_or_an_end_date_not_both(run, tmp_path: Path) -> None:
    both = run("synth", "--out", tmp_path, "--start-date", "2025-01-01", "--end-date", "2026-06-30")
    assert both.exit_code == 2 and "not both" in plain(both.output)


@pytest.fixture
def demo_without_model(monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo's steps up to the worklist (training, scoring and the report are tested
    elsewhere and take a minute)."""
    for step in ("_train", "_score", "_report"):
        monkeypatch.setattr(demo_cmds, step, lambda *args, **kwargs: None)


@pytest.mark.usefixtures("demo_without_model")
def test_the_demo_practice_ends_today(run) -> None:
    result = run("demo", "--no-serve", "--claims", "2000")
    assert result.exit_code == 0, result.output
    today = f"{date.today():%Y-%m-%d}"
    text = plain(result.output)
    assert f"its books run to {today}" in text
    assert f"balances are taken as of {today}" in text
    assert f"Credit balances as of {today}" in text


@pytest.mark.usefixtures("demo_without_model")
def test_the_demo_end_date_can_be_pinned(run) -> None:
    result = run("demo", "--no-serve", "--claims", "2000", "--end-date", "2026-06-30")
    assert result.exit_code == 0, result.output
    assert "balances are taken as of 2026-06-30" in plain(result.output)


def test_demo_port_is_checked(run) -> None:
    assert run("demo", "--port", "0").exit_code == 2
    assert run("demo", "--port", "70000").exit_code == 2


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_demo_passes_port() -> None:
    dry = subprocess.run(
        ["make", "-n", "demo", "PORT=8123"], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert "cbclassify demo --port 8123" in dry.stdout
    default = subprocess.run(
        ["make", "-n", "demo"], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert "cbclassify demo --port 8000" in default.stdout
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "make demo PORT=8001" in readme
