"""``cbclassify portfolio score`` on a local Dask cluster of 2 workers: each practice's
predictions equal what ``cbclassify score`` writes for it alone, an invalid practice is reported
while the others complete, and a worker killed mid-run loses and duplicates nothing."""

from __future__ import annotations

import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pytest

from cbclassify.cli.main import app
from cbclassify.portfolio import score_portfolio
from cbclassify.portfolio.work import ModelRef
from portfolio.conftest import PRACTICES, Portfolio

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("dask")]


@pytest.fixture
def champion(portfolio: Portfolio, monkeypatch: pytest.MonkeyPatch) -> ModelRef:
    """The trained champion, pinned, as the CLI would choose it."""
    from cbclassify.cli.model_choice import choose_model
    from cbclassify.settings import Settings

    monkeypatch.setenv("CBCLASSIFY_DATA_DIR", str(portfolio.data_dir))
    settings = Settings()
    return ModelRef(choose_model(None, settings).uri, str(settings.resolved_tracking_uri))


@pytest.fixture(scope="module")
def client():
    from distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as dask_client,
    ):
        yield dask_client


def _assert_outputs_match(portfolio: Portfolio, out: Path) -> pd.DataFrame:
    for name, reference in portfolio.reference.items():
        written = out / name / "predictions.csv"
        assert written.read_bytes() == reference.read_bytes(), name
    assert not list(out.rglob(".*partial*")), "a temporary file was left behind"
    summary = pd.read_csv(out / "portfolio_summary.csv", dtype=str, keep_default_na=False)
    assert summary["practice"].tolist() == sorted([*PRACTICES, portfolio.invalid])
    return summary.set_index("practice")


def test_portfolio_equals_per_practice_score_and_reports_the_invalid_one(
    portfolio: Portfolio, champion: ModelRef, client, tmp_path: Path
) -> None:
    seen: list[tuple[int, int]] = []
    result = score_portfolio(
        portfolio.root, tmp_path, champion, client, progress=lambda d, t: seen.append((d, t))
    )
    summary = _assert_outputs_match(portfolio, tmp_path)
    assert seen[-1] == (4, 4) and len(seen) == 4

    bad = summary.loc[portfolio.invalid]
    assert bad["status"] == "invalid"
    assert int(bad["problems"]) == 1
    assert "claim_lines.csv, row 4, column charge_amount" in bad["first_problem"]
    assert not (tmp_path / portfolio.invalid / "predictions.csv").exists()
    problems = (tmp_path / portfolio.invalid / "problems.txt").read_text()
    assert "row 4, column charge_amount" in problems
    assert [o.practice for o in result.not_scored] == [portfolio.invalid]

    for name, reference in portfolio.reference.items():
        scores = pd.read_csv(reference, dtype={"credit_amount": str})
        row = summary.loc[name]
        assert row["status"] == "scored"
        assert int(row["credits"]) == len(scores)
        total = sum(int(a.replace(".", "")) for a in scores["credit_amount"])
        assert int(row["credit_amount"].replace(".", "")) == total
        by_source = sum(int(row[f"{s}_credits"]) for s in scores["predicted_source"].unique())
        assert by_source == len(scores)
        buckets = ("overdue", "0_30", "31_60", "61_plus", "none")
        assert sum(int(row[f"due_{b}"]) for b in buckets) == len(scores)


def test_a_large_practice_split_into_patient_groups_gives_the_same_predictions(
    portfolio: Portfolio, champion: ModelRef, client, tmp_path: Path
) -> None:
    score_portfolio(portfolio.root, tmp_path, champion, client, split_bytes=50_000)
    _assert_outputs_match(portfolio, tmp_path)


def test_a_worker_killed_mid_run_loses_and_duplicates_nothing(
    portfolio: Portfolio, champion: ModelRef, client, tmp_path: Path
) -> None:
    with ThreadPoolExecutor(1) as pool:
        run = pool.submit(
            score_portfolio, portfolio.root, tmp_path, champion, client, split_bytes=50_000
        )
        killed = None
        deadline = time.monotonic() + 60
        while killed is None and not run.done() and time.monotonic() < deadline:
            busy = [w for w, keys in client.processing().items() if keys]
            if busy:
                killed = busy[0]
                pid = client.run(os.getpid, workers=[killed])[killed]
                os.kill(pid, signal.SIGKILL)  # kill -9 the worker process mid-task
            time.sleep(0.02)
        run.result(timeout=300)  # re-raises what the run raised
    assert killed is not None, "no task was seen running"
    _assert_outputs_match(portfolio, tmp_path)
    assert killed not in client.scheduler_info()["workers"]  # it really died


def test_cli_scores_the_portfolio_and_exits_1_for_the_invalid_practice(
    portfolio: Portfolio, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    monkeypatch.setenv("CBCLASSIFY_DATA_DIR", str(portfolio.data_dir))
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app, ["portfolio", "score", str(portfolio.root), "--out", str(out), "--workers", "2"]
    )
    assert result.exit_code == 1, result.output
    assert "Scored 3 of 4 practice(s) with model" in result.output
    assert f"Practice {portfolio.invalid} invalid: " in result.output
    _assert_outputs_match(portfolio, out)


def test_cli_refuses_a_missing_root(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    result = CliRunner().invoke(
        app, ["portfolio", "score", str(tmp_path / "nowhere"), "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 1
    assert "the portfolio root is not a folder" in result.output
