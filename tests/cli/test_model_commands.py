"""train, score and report on the command line: which model version predicted, whether a new
model beats the champion and how to promote it, probabilities written to 6 places, and no
MLflow chatter on the terminal."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from cbclassify.cli.model_cmds import champion_verdict
from cbclassify.contract.enums import CREDIT_SOURCES
from cbclassify.settings import Settings
from cli.textutil import plain

CONFIG = """
lightgbm: {num_boost_round: 60, early_stopping_rounds: 10}
search: {num_leaves: [15], learning_rate: [0.1], min_data_in_leaf: [10]}
"""
#: What MLflow prints at INFO or through its eprint when nobody silences it.
MLFLOW_CHATTER = ("INFO mlflow", "Successfully registered model", "Created version", "alembic")


@pytest.mark.slow
def test_train_score_report_name_versions_and_compare_with_the_champion(
    run, ledger_dir: Path, tmp_path: Path
) -> None:
    """One registry, in order (one test, so that xdist cannot split the steps)."""
    name = Settings().registered_model_name
    config = tmp_path / "train.yaml"
    config.write_text(CONFIG)

    first = run("train", ledger_dir, "--config", config)
    assert first.exit_code == 0, first.output
    assert f"Registered {name} version 1 as challenger and champion (first model)." in first.output
    assert "beat" not in first.output  # nothing to compare with
    for chatter in MLFLOW_CHATTER:
        assert chatter not in first.output

    scored = run("score", ledger_dir, "--out", tmp_path / "p.csv")
    assert scored.exit_code == 0, scored.output
    assert f"with model {name} version 1 (alias challenger, champion)." in plain(scored.output)
    _assert_rounded_probabilities(tmp_path / "p.csv")

    second = run("train", ledger_dir, "--config", config)
    assert second.exit_code == 0, second.output
    text = plain(second.output)
    verdict = re.search(
        r"Version 2 (beats|ties with|does not beat) the champion: macro-F1 ([\d.]+) vs ([\d.]+) "
        r"for the champion \(version 1\) on the same (\d+) held-out test credits\.",
        text,
    )
    assert verdict is not None, text
    new, old = float(verdict[2]), float(verdict[3])
    if new >= old:
        assert "Promote it with `cbclassify promote`." in text
    else:
        assert "`cbclassify promote --force` promotes it anyway." in text
    for chatter in MLFLOW_CHATTER:
        assert chatter not in second.output

    report = run("report", ledger_dir, "--out", tmp_path / "r.html")
    assert report.exit_code == 0, report.output
    words = f"by model {name} version 1 (alias champion)"
    assert words in plain(report.output)
    assert words in (tmp_path / "r.html").read_text(encoding="utf-8")

    pinned = run("score", ledger_dir, "--out", tmp_path / "p2.csv", "--model", f"models:/{name}/2")
    assert pinned.exit_code == 0, pinned.output
    assert f"with model {name} version 2 (alias challenger)." in plain(pinned.output)
    missing = run("score", ledger_dir, "--out", tmp_path / "p3.csv", "--model", f"models:/{name}/9")
    assert missing.exit_code == 1 and "no model at models:/" in plain(missing.output)


def _assert_rounded_probabilities(path: Path) -> None:
    """Six places, no exponent; confidence is its p_ column; the p_ columns sum to 1 within
    4 x 0.5e-6 (each rounded by at most half a millionth)."""
    text = path.read_text(encoding="utf-8")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert len(frame) > 0
    proba = [f"p_{s}" for s in CREDIT_SOURCES]
    for column in ["confidence", *proba]:
        assert frame[column].str.fullmatch(r"[01]\.\d{6}").all(), frame[column].head()
    assert not re.search(r"\de-\d", text)
    mine = frame.apply(lambda r: r[f"p_{r['predicted_source']}"], axis=1)
    assert (frame["confidence"] == mine).all()
    total = frame[proba].astype(float).sum(axis=1)
    assert ((total - 1).abs() <= 2e-6 + 1e-12).all()


def _report(new: float, old: float | None, version: str | None = "4") -> SimpleNamespace:
    return SimpleNamespace(
        champion_on_holdout=None if old is None else SimpleNamespace(macro_f1=old),
        champion_version="3",
        registration=None if version is None else SimpleNamespace(version=version),
        result=SimpleNamespace(
            test={"lightgbm": SimpleNamespace(macro_f1=new)},
            split=SimpleNamespace(test=list(range(40))),
        ),
    )


def test_champion_verdict_says_beats_ties_or_not_and_how_to_promote() -> None:
    better = champion_verdict(_report(0.91, 0.85))
    assert better == (
        "Version 4 beats the champion: macro-F1 0.9100 vs 0.8500 for the champion (version 3) "
        "on the same 40 held-out test credits. Promote it with `cbclassify promote`."
    )
    tie = champion_verdict(_report(0.85, 0.85))
    assert tie.startswith("Version 4 ties with the champion") and "`cbclassify promote`." in tie
    worse = champion_verdict(_report(0.70, 0.85))
    assert worse.startswith("Version 4 does not beat the champion: macro-F1 0.7000 vs 0.8500")
    assert worse.endswith(
        "`cbclassify promote` keeps the champion; `cbclassify promote --force` promotes it anyway."
    )
    unregistered = champion_verdict(_report(0.91, 0.85, version=None))
    assert unregistered.startswith("This model beats the champion")
    assert unregistered.endswith("It was not registered (--no-register).")
    assert champion_verdict(_report(0.91, None)) == ""  # the first model: nothing to beat
