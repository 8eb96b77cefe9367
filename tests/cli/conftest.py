"""Fixtures for the command-line tests: the real ``cbclassify`` app, a small synthetic ledger,
an invalid copy of it, and logging put back as it was after each test (the app's callback
configures the process's logging, as it should in a real run)."""

from __future__ import annotations

import logging
import os
import shutil
import sys
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cbclassify.cli.logs import NOISY_LIBRARIES
from cbclassify.cli.main import app

#: The small practice's last day (its as-of date).
LEDGER_END = date(2026, 6, 30)


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    names = ["", *NOISY_LIBRARIES]
    saved = {n: (logging.getLogger(n).level, list(logging.getLogger(n).handlers)) for n in names}
    env = os.environ.get("MLFLOW_LOGGING_LEVEL")
    yield
    for name, (level, handlers) in saved.items():
        logger = logging.getLogger(name)
        logger.setLevel(level)
        logger.handlers = handlers
    if env is None:
        os.environ.pop("MLFLOW_LOGGING_LEVEL", None)
    else:
        os.environ["MLFLOW_LOGGING_LEVEL"] = env
    if "mlflow" in sys.modules:
        from mlflow.utils import logging_utils

        logging_utils.enable_logging()


@pytest.fixture
def run() -> Callable[..., object]:
    """``run("score", LEDGER, "--out", F)``: the real app through typer's CliRunner."""
    runner = CliRunner()

    def invoke(*args: object, stdin: str | None = None) -> object:
        return runner.invoke(app, [str(a) for a in args], input=stdin)

    return invoke


@pytest.fixture(scope="session")
def ledger_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small synthetic practice (2,000 claims, about 100 resolved credits) ending 2026-06-30."""
    from cbclassify.synth import SynthConfig, generate_practice, write_practice

    folder = tmp_path_factory.mktemp("cli") / "ledger"
    practice = generate_practice(SynthConfig(claims=2000, seed=11, end_date=LEDGER_END))
    write_practice(practice, folder)
    return folder


@pytest.fixture
def invalid_ledger(ledger_dir: Path, tmp_path: Path) -> Path:
    """A copy of ``ledger_dir`` whose second claim line has a charge of ``ninety``."""
    folder = tmp_path / "invalid"
    shutil.copytree(ledger_dir, folder)
    path = folder / "claim_lines.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = lines[2].split(",")
    cells[header.index("charge_amount")] = "ninety"
    lines[2] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder
