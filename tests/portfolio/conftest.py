"""A small portfolio (three synthetic practices and an invalid one), a model trained on one of
them with the real CLI, and each valid practice scored alone by ``cbclassify score``: the
reference the portfolio's outputs must equal."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from unittest import mock

import pytest
from typer.testing import CliRunner

from cbclassify.cli.main import app

PRACTICES = {"ridge-pt": 31, "harbor-ot": 32, "mesa-aba": 33}
TRAIN_CONFIG = """
lightgbm: {num_boost_round: 40, early_stopping_rounds: 10}
search: {num_leaves: [15], learning_rate: [0.1], min_data_in_leaf: [10]}
"""


@dataclass(frozen=True)
class Portfolio:
    root: Path
    data_dir: Path  # the CBCLASSIFY_DATA_DIR holding the trained champion
    reference: dict[str, Path]  # practice -> predictions.csv written by `cbclassify score`
    invalid: str  # the practice whose ledger is broken


def _cli(data_dir: Path, *args: object) -> None:
    # A session fixture runs before the per-test isolation fixture: name the tracking store
    # explicitly (an earlier test in this process may have left MLFLOW_TRACKING_URI set).
    store = f"sqlite:///{(data_dir / 'mlflow.db').resolve()}"
    env = {"CBCLASSIFY_DATA_DIR": str(data_dir), "MLFLOW_TRACKING_URI": store}
    with mock.patch.dict("os.environ", env):
        result = CliRunner().invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="session")
def portfolio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portfolio]:
    from cbclassify.synth import SynthConfig, generate_practice, write_practice

    base = tmp_path_factory.mktemp("portfolio")
    root = base / "root"
    for name, seed in PRACTICES.items():
        config = SynthConfig(claims=700, seed=seed, end_date=date(2026, 6, 30))
        write_practice(generate_practice(config), root / name)
    invalid = "zeta-broken"
    shutil.copytree(root / "ridge-pt", root / invalid)
    lines_file = root / invalid / "claim_lines.csv"
    rows = lines_file.read_text(encoding="utf-8").splitlines()
    header = rows[0].split(",")
    cells = rows[3].split(",")
    cells[header.index("charge_amount")] = "ninety"
    rows[3] = ",".join(cells)
    lines_file.write_text("\n".join(rows) + "\n", encoding="utf-8")

    data_dir = base / "data"
    config = base / "train.yaml"
    config.write_text(TRAIN_CONFIG)
    _cli(data_dir, "train", root / "ridge-pt", "--config", config)
    reference = {}
    for name in PRACTICES:
        reference[name] = base / "reference" / name / "predictions.csv"
        _cli(data_dir, "score", root / name, "--out", reference[name])
    yield Portfolio(root, data_dir, reference, invalid)
