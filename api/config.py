"""Service settings (environment, ``CBCLASSIFY_`` prefix) that only the web service needs."""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceConfig(BaseSettings):
    """Limits and behaviour of the API; every field can be set as ``CBCLASSIFY_<FIELD>``."""

    model_config = SettingsConfigDict(env_prefix="CBCLASSIFY_", extra="ignore")

    max_upload_bytes: int = Field(default=200 * 1024**2, gt=0)  # one upload, compressed
    max_unzipped_bytes: int = Field(default=200 * 1024**2, gt=0)  # a zip's files, each and all
    max_zip_members: int = Field(default=200, gt=0)
    max_classify_rows: int = Field(default=2000, gt=0)  # rows per table in /classify
    session_hours: float = Field(default=10.0, gt=0)
    #: ``auto``: Secure cookies except over plain HTTP to a loopback host; true/false force it.
    cookie_secure: Literal["auto"] | bool = "auto"
    auto_migrate: bool = True  # upgrade the database schema at start-up
    load_model: bool = True  # load the champion at start-up
    #: Refunds of this much or more need a manager's approval unless the practice says else;
    #: None: the resolve policy's ``refunds.approval_threshold`` (default 500.00).
    refund_approval_threshold_cents: int | None = Field(default=None, ge=0)
    max_failed_logins: int = Field(default=10, gt=0)  # per username within the window
    failed_login_window_minutes: int = Field(default=15, gt=0)
