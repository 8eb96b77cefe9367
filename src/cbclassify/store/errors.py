"""Errors the store raises for the API and CLI to turn into answers."""

from __future__ import annotations


class StoreError(Exception):
    """Base class of store errors."""


class NotFound(StoreError):
    """No such row, or not visible to the caller (another practice's ids look the same)."""


class ConflictError(StoreError):
    """The row changed since the caller read it (stale version): reload and retry."""


class DuplicateError(StoreError):
    """A row with the same unique name exists already."""


class AccountError(StoreError):
    """A bad account request (unknown role, weak password, unknown practice)."""
