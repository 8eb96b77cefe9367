"""What the running service holds: settings, the database, the loaded champion model, the
session secret and the metrics. Built once in the app's lifespan."""

from __future__ import annotations

import logging
import os
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from api.config import ServiceConfig
from api.metrics import Metrics
from cbclassify.service.champion import LoadedModel, load_champion
from cbclassify.settings import Settings
from cbclassify.store.db import Database

log = logging.getLogger("cbclassify.api")

ModelLoader = Callable[[Settings], LoadedModel]


class ModelHolder:
    """The current champion; ``reload`` swaps it atomically (requests keep the one they got)."""

    def __init__(self, settings: Settings, loader: ModelLoader) -> None:
        self._settings = settings
        self._loader = loader
        self._lock = threading.Lock()
        self.current: LoadedModel | None = None
        self.error: str | None = None

    def reload(self) -> LoadedModel | None:
        """Load the champion now; on failure keep the previous model and record the error."""
        with self._lock:
            try:
                loaded = self._loader(self._settings)
            except Exception as err:  # noqa: BLE001 - any registry/loading failure is reported
                self.error = f"{type(err).__name__}: {err}"
                log.warning("champion model not loaded: %s", type(err).__name__)
                return self.current
            _warm_up(loaded)
            self.current, self.error = loaded, None
            log.info("champion model loaded: %s version %s", loaded.ref.name, loaded.ref.version)
            return loaded


def _warm_up(model: LoadedModel) -> None:
    """Build the model's explainer tables before the first classify request needs them."""
    from api.classify import warm_up

    warm_up(model)


def session_secret(settings: Settings) -> bytes:
    """CBCLASSIFY_SECRET_KEY, else a random key kept in the data dir (created once, 0600)."""
    if settings.secret_key:
        return settings.secret_key.encode("utf-8")
    path: Path = settings.data_dir / "secret_key"
    if not path.exists():
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_hex(32))
    return path.read_text().strip().encode("utf-8")


@dataclass
class ServiceState:
    """Everything a request handler may need."""

    settings: Settings
    config: ServiceConfig
    db: Database
    models: ModelHolder
    secret: bytes
    metrics: Metrics = field(default_factory=Metrics)

    @property
    def refund_threshold_cents(self) -> int:
        """The service-wide refund approval threshold (a practice may set its own)."""
        if self.config.refund_approval_threshold_cents is not None:
            return self.config.refund_approval_threshold_cents
        return policy_threshold_cents()


def policy_threshold_cents() -> int:
    """``refunds.approval_threshold`` of the shipped resolution policy, in cents."""
    from cbclassify.resolve import default_policy

    return default_policy().refunds.approval_threshold_cents


def default_loader(settings: Settings) -> LoadedModel:
    """Load the MLflow champion (the production loader)."""
    return load_champion(settings)
