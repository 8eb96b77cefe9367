"""The model registry: one registered model, aliases ``champion`` and ``challenger``, loading.

Versions are never hard-coded: callers ask for an alias. A new model becomes ``challenger``;
if there is no ``champion`` yet it becomes the champion as well.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import mlflow
from mlflow.entities.model_registry import ModelVersion
from mlflow.exceptions import MlflowException
from mlflow.tracking import MlflowClient

from cbclassify.settings import Settings

if TYPE_CHECKING:
    from mlflow.pyfunc import PyFuncModel

CHAMPION = "champion"
CHALLENGER = "challenger"


class ModelNotFoundError(LookupError):
    """No model under the requested name, alias or URI."""


def alias_uri(name: str, alias: str) -> str:
    """``models:/<name>@<alias>``."""
    return f"models:/{name}@{alias}"


def version_by_alias(client: MlflowClient, name: str, alias: str) -> ModelVersion | None:
    """The version that holds ``alias``, or None (also when the model does not exist)."""
    try:
        return client.get_model_version_by_alias(name, alias)
    except MlflowException:
        return None


@dataclass(frozen=True)
class Registration:
    """Outcome of registering a trained model."""

    name: str
    version: str
    became_champion: bool


def register(client: MlflowClient, name: str, model_uri: str, run_id: str) -> Registration:
    """Register ``model_uri`` as a new version, alias it ``challenger``, and ``champion`` too
    when no champion exists."""
    version = mlflow.register_model(model_uri, name, tags={"run_id": run_id}).version
    client.set_registered_model_alias(name, CHALLENGER, str(version))
    became_champion = version_by_alias(client, name, CHAMPION) is None
    if became_champion:
        client.set_registered_model_alias(name, CHAMPION, str(version))
        client.set_model_version_tag(
            name, str(version), "promotion", "first model: champion by default"
        )
    return Registration(name, str(version), became_champion)


def resolve_model_uri(uri: str | None, settings: Settings | None = None) -> str:
    """``uri`` as given, or the champion of the configured registered model."""
    settings = settings or Settings()
    return uri or alias_uri(settings.registered_model_name, CHAMPION)


def load_pyfunc(uri: str) -> PyFuncModel:
    """Load a model once (call at start-up, not per request); a clear error when missing."""
    try:
        return mlflow.pyfunc.load_model(uri)
    except (MlflowException, OSError) as exc:
        raise ModelNotFoundError(
            f"no model at {uri}: train one with `cbclassify train LEDGER_DIR` "
            f"(or pass --model URI). Detail: {exc}"
        ) from exc
