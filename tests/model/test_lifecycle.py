"""The whole life cycle through the CLI on the embedded MLflow default: train, register,
score, retrain on the union of old and new labels, promote (or refuse to)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from cbclassify.balances import credit_balances
from cbclassify.cli import model_cmds
from cbclassify.contract.schema import SCORE_COLUMNS
from cbclassify.ledger_io import write_ledger
from cbclassify.scoring import WRITTEN_DETAIL_COLUMNS
from cbclassify.synth import SynthConfig, generate_practice

pytestmark = pytest.mark.slow

CONFIG = """
lightgbm: {num_boost_round: 120, early_stopping_rounds: 15}
search: {num_leaves: [15], learning_rate: [0.1], min_data_in_leaf: [10, 20]}
"""


@pytest.fixture(scope="session")
def world(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("lifecycle")
    paths = {"data": root / "data", "config": root / "train.yaml"}
    paths["config"].write_text(CONFIG)
    for name, cfg in {
        "old": SynthConfig(claims=3500, seed=21),
        "new": SynthConfig(
            claims=3500,
            seed=22,
            payer_mix="commercial_heavy",
            start_date=pd.Timestamp("2026-07-01").date(),
        ),
        "noisy": SynthConfig(claims=2000, seed=23, label_noise=0.9),
    }.items():
        write_ledger(generate_practice(cfg).ledger, root / name)
        paths[name] = root / name
    return paths


@pytest.fixture
def cli(world, monkeypatch):
    monkeypatch.setenv("CBCLASSIFY_DATA_DIR", str(world["data"]))
    app = typer.Typer()
    model_cmds.register(app)
    runner = CliRunner()

    def run(*args: str) -> object:
        return runner.invoke(app, [str(a) for a in args])

    return run


def test_train_score_retrain_and_promote(cli, world, tmp_path):
    """The life cycle in order, on one registry (one test: xdist may split a module's tests)."""
    from cbclassify.ledger_io import read_ledger
    from cbclassify.model import tracking
    from cbclassify.model.config import load_training_config
    from cbclassify.model.registry import alias_uri, load_pyfunc, version_by_alias
    from cbclassify.model.train import train_models
    from cbclassify.model.workflow import load_labelled
    from cbclassify.scoring import score_ledger
    from cbclassify.settings import Settings

    # 1. The first model becomes challenger and champion; the comparison shows both baselines.
    result = cli("train", world["old"], "--config", world["config"])
    assert result.exit_code == 0, result.output
    assert "challenger and champion (first model)" in result.output
    assert "rules" in result.output and "logistic" in result.output

    # 2. Scoring writes one contract row per credit balance.
    out = tmp_path / "predictions.csv"
    scored = cli("score", world["old"], "--out", out)
    assert scored.exit_code == 0, scored.output
    frame = pd.read_csv(out, dtype={"claim_id": str, "patient_id": str, "payer_id": str})
    assert (
        tuple(frame.columns) == SCORE_COLUMNS + WRITTEN_DETAIL_COLUMNS
    )  # contract columns, then the verifier's words
    ledger = read_ledger(world["old"])
    credits = credit_balances(ledger)
    assert sorted(frame["claim_id"]) == sorted(credits["claim_id"])
    amounts = dict(zip(credits["claim_id"], credits["credit_amount_cents"]))
    assert all(
        round(a * 100) == amounts[c] for c, a in zip(frame["claim_id"], frame["credit_amount"])
    )
    proba = frame[[c for c in SCORE_COLUMNS if c.startswith("p_")]].to_numpy()
    assert np.allclose(proba.sum(axis=1), 1.0)
    chosen = proba[np.arange(len(frame)), proba.argmax(axis=1)]
    assert np.array_equal(frame["confidence"].to_numpy(), chosen)
    # three reasons in words per credit, each naming the source it pushes toward or against
    reasons = frame["top_reasons"].str.split(";")
    assert (reasons.str.len() == 3).all()
    assert reasons.map(lambda parts: all(" toward " in p or " against " in p for p in parts)).all()

    # 3. Golden: the registered pyfunc scores exactly like the same training redone in memory.
    settings = Settings()
    client = tracking.configure(settings)
    name = settings.registered_model_name
    registered = load_pyfunc(alias_uri(name, "champion"))
    config = load_training_config(world["config"])
    retrained = train_models(load_labelled([world["old"]]), config).model
    pd.testing.assert_frame_equal(score_ledger(ledger, registered), score_ledger(ledger, retrained))
    unwrapped = registered.unwrap_python_model().model
    assert unwrapped.booster.model_to_string() == retrained.booster.model_to_string()

    # 4. Retraining on old + new labels is one command and reports old vs new per class.
    result = cli("train", world["old"], world["new"], "--config", world["config"])
    assert result.exit_code == 0, result.output
    assert f"Registered {name} version 2 as challenger." in result.output
    assert "Champion (version 1, old) vs this model (new), same test slice" in result.output
    for cls in ("payer_overpayment", "duplicate_payment", "allowance_error", "patient_credit"):
        assert f"recall_{cls}" in result.output

    # 5. Promotion follows the comparison on the same held-out credits: an at-least-as-good
    # challenger is promoted; a worse one is refused and only promoted with --force. (Which
    # one v2 is depends on the data: since the scale-free signatures, v1 trained on the old
    # practice alone transfers to the new one about as well as v2.)
    promoted = cli("promote")
    figures = re.search(
        r"challenger v2 macro-F1 ([0-9]+\.[0-9]+), champion v1 macro-F1 ([0-9]+\.[0-9]+)",
        promoted.output,
    )
    assert figures is not None, promoted.output
    if float(figures[1]) >= float(figures[2]):
        assert promoted.exit_code == 0, promoted.output
        assert "Promoted" in promoted.output and "champion v1" in promoted.output
    else:
        assert promoted.exit_code == 3, promoted.output
        assert "Not promoted" in promoted.output and "champion kept" in promoted.output
        assert str(version_by_alias(client, name, "champion").version) == "1"
        forced = cli("promote", "--force")
        assert forced.exit_code == 0 and "forced" in forced.output
    assert str(version_by_alias(client, name, "champion").version) == "2"

    # 6. A worse challenger (trained on 90% wrong labels) is refused unless forced.
    trained = cli("train", world["noisy"], "--config", world["config"])
    assert trained.exit_code == 0, trained.output
    refused = cli("promote", "--ledger", world["new"])
    assert refused.exit_code == 3, refused.output
    assert "Not promoted" in refused.output and "champion kept" in refused.output
    assert str(version_by_alias(client, name, "champion").version) == "2"
    forced = cli("promote", "--force", "--ledger", world["new"])
    assert forced.exit_code == 0 and "forced" in forced.output
    assert str(version_by_alias(client, name, "champion").version) == "3"


def test_labels_for_unknown_claims_are_refused_with_file_and_row(cli, world, tmp_path):
    bad = tmp_path / "bad"
    bad.mkdir()
    for f in world["old"].iterdir():
        (bad / f.name).write_bytes(f.read_bytes())
    res = pd.read_csv(bad / "resolutions.csv", dtype=str, keep_default_na=False)
    res.loc[1, "claim_id"] = "999999999"
    res.to_csv(bad / "resolutions.csv", index=False)
    result = cli("train", bad, "--config", world["config"])
    assert result.exit_code == 1
    assert (
        "resolutions.csv" in result.output
        and "row 3" in result.output
        and "claim_id" in result.output
    )
