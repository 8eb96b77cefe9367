"""``cbclassify root-causes`` and ``cbclassify report`` on a small synthetic ledger folder,
without a model and with a saved model folder (no MLflow needed)."""

from __future__ import annotations

import re
from pathlib import Path

import lightgbm as lgb
import pandas as pd
import pytest
from typer.testing import CliRunner

from cbclassify.cli.main import app
from cbclassify.features import FeatureEncoder, credit_features
from cbclassify.model.classifier import CreditSourceModel
from cbclassify.model.dataset import label_ids
from cbclassify.model.labels import labelled_credits
from cbclassify.synth import SynthConfig, generate_practice, write_practice


@pytest.fixture(scope="module")
def ledger_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("ledger") / "practice"
    write_practice(generate_practice(SynthConfig(claims=350, seed=11, credit_rate=0.15)), folder)
    return folder


@pytest.fixture(scope="module")
def model_dir(ledger_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small CreditSourceModel trained on the ledger's own labels, saved as a folder."""
    from cbclassify.ledger_io import read_ledger

    ledger = read_ledger(ledger_dir)
    labels = labelled_credits(ledger)
    features = credit_features(ledger, labels[["claim_id", "as_of_date"]])
    encoder = FeatureEncoder().fit(features)
    params = {
        "objective": "multiclass",
        "num_class": 4,
        "verbosity": -1,
        "num_threads": 1,
        "num_leaves": 7,
        "min_data_in_leaf": 3,
        "seed": 1,
    }
    booster = lgb.train(
        params,
        lgb.Dataset(encoder.transform(features).to_numpy("float64"), label_ids(labels["label"])),
        num_boost_round=15,
    )
    return CreditSourceModel(encoder=encoder, booster=booster).save(
        tmp_path_factory.mktemp("model")
    )


def test_root_causes_prints_ranked_findings_with_evidence(ledger_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "findings.csv"
    result = CliRunner().invoke(
        app, ["root-causes", str(ledger_dir), "--by", "poster", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert re.search(r"Analysed \d+ credits \(.*resolved.*\)", result.output)
    assert re.search(r"^1\. .+", result.output, flags=re.MULTILINE)
    assert (
        "evidence claims:" in result.output
        and "Credits per 1,000 claims by poster" in result.output
    )
    found = pd.read_csv(out, dtype={"evidence_claims": "string"})
    assert len(found) > 0 and found["score"].is_monotonic_decreasing


def test_root_causes_rejects_an_unknown_dimension(ledger_dir: Path) -> None:
    result = CliRunner().invoke(app, ["root-causes", str(ledger_dir), "--by", "weather"])
    assert result.exit_code == 2 and "unknown dimension" in result.output


def test_report_without_a_model_says_so(ledger_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    result = CliRunner().invoke(app, ["report", str(ledger_dir), "--out", str(target)])
    assert result.exit_code == 0, result.output
    assert "No trained model was found" in result.output and str(target.resolve()) in result.output
    html = target.read_text(encoding="utf-8")
    assert "No explanations yet" in html and "Resolved credits" in html


def test_report_with_a_model_explains_in_words(
    ledger_dir: Path, model_dir: Path, tmp_path: Path
) -> None:
    target = tmp_path / "report.html"
    result = CliRunner().invoke(
        app, ["report", str(ledger_dir), "--out", str(target), "--model", str(model_dir)]
    )
    assert result.exit_code == 0, result.output
    html = target.read_text(encoding="utf-8")
    assert "What the model relies on, per source" not in html  # figure titles live inside PNGs
    assert "Mean absolute SHAP value" in html and "Measured on the" in html
    assert re.search(r"Claim \d+ \([a-z ]+\): [^<]+\(\+\d+\.\d+ toward", html)
    assert len(re.findall(r'<img src="data:image/png;base64,', html)) >= 10
