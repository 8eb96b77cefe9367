"""``cbclassify portfolio train``: one model across practices with lightgbm.dask on a local
cluster of 2 workers, evaluated on whole held-out practices, registered as the model type that
``cbclassify score`` serves; an invalid practice is reported and left out."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from cbclassify.cli.main import app
from cbclassify.portfolio.train import held_out_practices, split_validation
from portfolio.conftest import PRACTICES, TRAIN_CONFIG, Portfolio


def test_held_out_practices_are_whole_practices_chosen_by_a_stable_hash() -> None:
    names = [f"practice-{i:02d}" for i in range(10)]
    held = held_out_practices(names, 0.2)
    assert len(held) == 2
    assert held == held_out_practices(list(reversed(names)), 0.2)  # order-free
    assert held != names[:2] and held != names[-2:]  # not the alphabetical ends
    assert held_out_practices(["a", "b"], 0.9) in (["a"], ["b"])  # one always trains
    with pytest.raises(ValueError, match="at least two valid practices"):
        held_out_practices(["only"], 0.2)


def test_validation_is_the_newest_share_of_each_practice() -> None:
    frame = pd.DataFrame({"as_of_date": pd.to_datetime(["2026-03-01", "2026-01-01",
                                                         "2026-05-01", "2026-02-01",
                                                         "2026-04-01"]), "n": range(5)})  # fmt: skip
    train, validation = split_validation(frame, 0.4)
    assert validation["n"].tolist() == [2, 4]  # May and April
    assert train["n"].tolist() == [0, 1, 3]


@pytest.mark.slow
@pytest.mark.xdist_group("dask")
def test_portfolio_train_registers_a_model_that_score_serves(
    portfolio: Portfolio, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CBCLASSIFY_DATA_DIR", str(tmp_path / "data"))
    config = tmp_path / "train.yaml"
    config.write_text(TRAIN_CONFIG)
    runner = CliRunner()
    trained = runner.invoke(
        app,
        ["portfolio", "train", str(portfolio.root), "--workers", "2", "--config", str(config),
         "--holdout-share", "0.34"],
    )  # fmt: skip
    assert trained.exit_code == 1, trained.output  # the invalid practice is reported ...
    assert f"Practice {portfolio.invalid} invalid, left out: " in trained.output
    assert "Trained on 2 practice(s)" in trained.output  # ... and the 3 valid ones are used
    assert "registered cbclassify-credit-source version 1." in trained.output
    held = [name for name in PRACTICES if f"  {name}: " in trained.output]
    assert len(held) == 1

    from cbclassify.model.registry import load_pyfunc

    loaded = load_pyfunc("models:/cbclassify-credit-source/1")
    model = loaded.unwrap_python_model().model
    assert model.metadata["trainer"] == "lightgbm.dask"
    assert model.metadata["held_out_practices"] == held

    out = tmp_path / "p.csv"
    scored = runner.invoke(app, ["score", str(portfolio.root / held[0]), "--out", str(out)])
    assert scored.exit_code == 0, scored.output
    predictions = pd.read_csv(out)
    assert len(predictions) > 0
    probabilities = predictions[[c for c in predictions if c.startswith("p_")]].sum(axis=1)
    assert ((probabilities - 1).abs() < 1e-5).all()
