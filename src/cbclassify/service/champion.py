"""Load the registered model version that holds the ``champion`` alias (once, at start-up),
with the version facts the service records next to every prediction.

The MLflow registry is imported when a model is loaded, not when this module is: importing the
service (the API, the CLI) does not load MLflow.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cbclassify.settings import Settings
from cbclassify.store.base import utcnow
from cbclassify.store.ingest import ModelRef


class NoChampionError(LookupError):
    """No model version holds the champion alias (train and promote one first)."""


@dataclass(frozen=True)
class LoadedModel:
    """A loaded champion: the predictor ``score_ledger`` takes, and which version it is."""

    predictor: Any
    ref: ModelRef
    uri: str
    loaded_at: datetime


def load_champion(settings: Settings) -> LoadedModel:
    """The champion of ``settings.registered_model_name`` from the MLflow registry.

    Resolves the alias to a version first and loads that exact version, so the recorded
    version is the one that predicts even if the alias moves meanwhile.
    """
    from cbclassify.model.registry import CHAMPION, load_pyfunc, version_by_alias
    from cbclassify.model.tracking import configure

    client = configure(settings)
    name = settings.registered_model_name
    found = version_by_alias(client, name, CHAMPION)
    if found is None:
        raise NoChampionError(
            f"no '{CHAMPION}' version of model {name!r}: train one (cbclassify train) first"
        )
    uri = f"models:/{name}/{found.version}"
    pyfunc = load_pyfunc(uri)
    predictor = _unwrap(pyfunc)
    return LoadedModel(predictor, ModelRef(name, str(found.version), found.run_id), uri, utcnow())


def _unwrap(pyfunc: Any) -> Any:
    """The in-process model inside our pyfunc (fast ``predict_proba`` and SHAP), else the pyfunc."""
    try:
        inner = pyfunc.unwrap_python_model()
    except Exception:  # noqa: BLE001 - a foreign pyfunc flavour: use it as is
        return pyfunc
    return getattr(inner, "model", None) or pyfunc
