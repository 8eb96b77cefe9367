"""Service and job settings from the environment (pydantic-settings). Secrets only from env.

Embedded defaults keep everything under one data directory (``.cbclassify/``):
SQLite application database, MLflow SQLite tracking store and local artifact folder.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """cbclassify settings; every field can be set as ``CBCLASSIFY_<FIELD>``."""

    model_config = SettingsConfigDict(env_prefix="CBCLASSIFY_", extra="ignore")

    data_dir: Path = Field(default=Path(".cbclassify"))
    database_url: str | None = None  # CBCLASSIFY_DATABASE_URL; default SQLite in data_dir
    mlflow_tracking_uri: str | None = Field(default=None, validation_alias="MLFLOW_TRACKING_URI")
    registered_model_name: str = "cbclassify-credit-source"
    secret_key: str | None = None  # CBCLASSIFY_SECRET_KEY; session signing (generated if unset)
    max_file_bytes: int = Field(default=4 * 1024**3, gt=0)  # largest ledger file read (4 GiB)

    @cached_property
    def resolved_database_url(self) -> str:
        """The application database URL (embedded SQLite default)."""
        return self.database_url or f"sqlite:///{(self.data_dir / 'cbclassify.db').resolve()}"

    @cached_property
    def resolved_tracking_uri(self) -> str:
        """The MLflow tracking URI (embedded SQLite store default)."""
        return self.mlflow_tracking_uri or f"sqlite:///{(self.data_dir / 'mlflow.db').resolve()}"

    @cached_property
    def artifact_dir(self) -> Path:
        """Local MLflow artifact folder for the embedded default."""
        return (self.data_dir / "mlartifacts").resolve()


def get_settings() -> Settings:
    """Fresh settings read from the environment (no import-time side effects)."""
    return Settings()
