"""Which model a command uses, pinned and named: ``score``, ``report`` and ``root-causes`` say
"model cbclassify-credit-source version 3 (alias champion)".

An alias (``models:/NAME@champion``, the default) is resolved to its version first and that
exact version is loaded, so the version printed is the one that predicted even if the alias
moves meanwhile (as ``service.champion`` does for the API).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from cbclassify.settings import Settings

_MODELS_URI = re.compile(r"models:/(?P<name>[^/@]+)(?:@(?P<alias>[^/]+)|/(?P<version>\d+))")


@dataclass(frozen=True)
class ModelChoice:
    """The model to load (``uri``) and, for a registered version, its name, version, aliases."""

    uri: str
    name: str | None = None
    version: str | None = None
    aliases: tuple[str, ...] = ()

    def words(self) -> str:
        """``model NAME version V (alias champion)``, or ``model at URI`` outside the registry."""
        if self.version is None:
            return f"model at {self.uri} (not a registered version)"
        held = f" (alias {', '.join(self.aliases)})" if self.aliases else ""
        return f"model {self.name} version {self.version}{held}"


def choose_model(model: str | None, settings: Settings) -> ModelChoice:
    """The model behind ``--model`` (default: the registry's champion), its alias resolved to
    a version. Raises LookupError (``ModelNotFoundError``) when there is none; a saved model
    folder is taken as it is."""
    from cbclassify.model.classifier import PIPELINE_FILE

    if model is not None and (Path(model) / PIPELINE_FILE).is_file():
        return ModelChoice(str(model))
    if model is None and _no_local_registry(settings):
        raise LookupError(f"no model registry yet at {settings.resolved_tracking_uri}")
    from mlflow.exceptions import MlflowException

    from cbclassify.model import tracking
    from cbclassify.model.registry import ModelNotFoundError, resolve_model_uri

    uri = resolve_model_uri(model, settings)
    found = _MODELS_URI.fullmatch(uri)
    if found is None:
        return ModelChoice(uri)
    client = tracking.configure(settings)
    name, alias, version = found["name"], found["alias"], found["version"]
    try:
        held = (
            client.get_model_version_by_alias(name, alias)
            if alias
            else client.get_model_version(name, version)
        )
    except MlflowException as exc:
        raise ModelNotFoundError(
            f"no model at {uri}: train one with `cbclassify train LEDGER_DIR` "
            f"(or pass --model URI). Detail: {exc.message}"
        ) from None
    pinned = str(held.version)
    return ModelChoice(f"models:/{name}/{pinned}", name, pinned, tuple(sorted(held.aliases)))


def _no_local_registry(settings: Settings) -> bool:
    """True when the registry is a local SQLite file that does not exist yet (nothing was
    trained; asking would create an empty one)."""
    store = str(settings.resolved_tracking_uri)
    prefix = "sqlite:///"
    return store.startswith(prefix) and not Path(store[len(prefix) :]).exists()
