"""MLflow set-up: tracking URI, experiment, artifact location and the code version.

The embedded default is a SQLite tracking store and a local artifact folder in the data
directory (``Settings``); ``MLFLOW_TRACKING_URI`` overrides it. Nothing happens at import.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from urllib.parse import urlparse

import mlflow
from mlflow.tracking import MlflowClient

import cbclassify
from cbclassify.settings import Settings

_LOCAL_SCHEMES = {"", "file", "sqlite"}


def is_local_store(uri: str) -> bool:
    """True for a store on this machine (SQLite or file), where we choose the artifact folder."""
    return urlparse(uri).scheme in _LOCAL_SCHEMES


def point_mlflow(settings: Settings | None = None) -> str:
    """Point MLflow (tracking and registry) at the configured store; returns its URI. Creates
    the data directory for a local store; the store itself is created on first use."""
    settings = settings or Settings()
    uri = settings.resolved_tracking_uri
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")  # no bars in CLI output
    if is_local_store(uri):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    return uri


def configure(settings: Settings | None = None) -> MlflowClient:
    """Point MLflow at the configured store and return a client for it."""
    uri = point_mlflow(settings)
    return MlflowClient(tracking_uri=uri, registry_uri=uri)


def experiment_id(client: MlflowClient, name: str, settings: Settings | None = None) -> str:
    """The id of experiment ``name``, created (with local artifacts in the data dir) if new."""
    settings = settings or Settings()
    found = client.get_experiment_by_name(name)
    if found is not None:
        return str(found.experiment_id)
    location = None
    if is_local_store(settings.resolved_tracking_uri):
        settings.artifact_dir.mkdir(parents=True, exist_ok=True)
        location = settings.artifact_dir.as_uri()
    return str(client.create_experiment(name, artifact_location=location))


def code_version() -> dict[str, str]:
    """Package version and, when the code runs from a git checkout, its commit and dirtiness."""
    here = Path(cbclassify.__file__).resolve().parent
    info = {
        "cbclassify_version": cbclassify.__version__,
        "git_sha": "unknown",
        "git_dirty": "unknown",
    }
    try:
        sha = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=here,
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=here,
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return info
    info.update(git_sha=sha or "unknown", git_dirty="true" if dirty else "false")
    return info
