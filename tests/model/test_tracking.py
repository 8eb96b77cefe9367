"""Where MLflow tracks: the embedded default, or MLFLOW_TRACKING_URI when set."""

from __future__ import annotations

import re

import mlflow

from cbclassify.model import tracking
from cbclassify.settings import Settings


def test_embedded_default_is_sqlite_in_the_data_dir(_isolated_data_dir):
    uri = tracking.point_mlflow()
    assert mlflow.get_tracking_uri() == uri == mlflow.get_registry_uri()
    assert uri.startswith("sqlite:///") and uri.endswith("mlflow.db")
    assert str(_isolated_data_dir.resolve()) in uri
    assert _isolated_data_dir.is_dir()
    assert Settings().artifact_dir == (_isolated_data_dir / "mlartifacts").resolve()


def test_mlflow_tracking_uri_is_honored(monkeypatch, tmp_path):
    custom = f"sqlite:///{tmp_path / 'elsewhere.db'}"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", custom)
    assert tracking.point_mlflow() == custom == mlflow.get_tracking_uri()


def test_remote_stores_keep_their_own_artifact_location():
    assert tracking.is_local_store("sqlite:///x.db") and tracking.is_local_store("/tmp/mlruns")
    assert not tracking.is_local_store("http://mlflow.internal:5000")


def test_code_version_names_the_package_and_commit():
    info = tracking.code_version()
    assert info["cbclassify_version"]
    assert info["git_sha"] == "unknown" or re.fullmatch(r"[0-9a-f]{40}", info["git_sha"])
