"""Service and job settings from the environment (pydantic-settings). Secrets only from env.

Embedded defaults keep everything under one data directory (``.cbclassify/``):
SQLite application database, MLflow SQLite tracking store and local artifact folder.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def _zone(name: str | None) -> str | None:
    """An IANA time zone name (``America/New_York``), checked; None stays None."""
    if name is None or name.strip() == "":
        return None
    try:
        ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError) as err:
        raise ValueError(f"unknown time zone {name!r}; use an IANA name such as UTC") from err
    return name.strip()


class PracticeDetails(BaseModel):
    """A practice as its letters and forms name it (``CBCLASSIFY_PRACTICE_DETAILS``, JSON
    keyed by practice code). Blank fields are printed as "not configured"."""

    name: str | None = None  # default: the practice's name in the database
    address: list[str] = Field(default_factory=list)  # one entry per printed line
    npi: str = ""
    tin: str = ""
    contact_name: str = ""
    phone: str = ""
    email: str = ""
    timezone: str | None = None  # IANA name; the audit page's local time for this practice

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        return _zone(value)


class Settings(BaseSettings):
    """cbclassify settings; every field can be set as ``CBCLASSIFY_<FIELD>``."""

    model_config = SettingsConfigDict(env_prefix="CBCLASSIFY_", extra="ignore")

    data_dir: Path = Field(default=Path(".cbclassify"))
    database_url: str | None = None  # CBCLASSIFY_DATABASE_URL; default SQLite in data_dir
    mlflow_tracking_uri: str | None = Field(default=None, validation_alias="MLFLOW_TRACKING_URI")
    registered_model_name: str = "cbclassify-credit-source"
    secret_key: str | None = None  # CBCLASSIFY_SECRET_KEY; session signing (generated if unset)
    max_file_bytes: int = Field(default=4 * 1024**3, gt=0)  # largest ledger file read (4 GiB)
    #: CBCLASSIFY_PRACTICE_DETAILS: JSON {"<practice code>": {"name", "address": [lines],
    #: "npi", "tin", "contact_name", "phone", "email", "timezone"}} for letters and forms.
    practice_details: dict[str, PracticeDetails] = Field(default_factory=dict)
    #: CBCLASSIFY_TIMEZONE: local time shown beside UTC (IANA name); default: the practice's
    #: configured time zone when the reader has one practice, else UTC.
    timezone: str | None = None

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        return _zone(value)

    def zone_name(self, practice_codes: list[str] | tuple[str, ...] = ()) -> str:
        """The local time zone of a reader of these practices: ``CBCLASSIFY_TIMEZONE``; else
        the configured zone their practices share (``practice_details``); else UTC."""
        if self.timezone:
            return self.timezone
        zones = {
            (self.practice_details[c].timezone if c in self.practice_details else None)
            for c in practice_codes
        }
        if len(zones) == 1 and None not in zones:
            return str(next(iter(zones)))
        return "UTC"

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
