"""Throw-away migrated databases for tests and benchmarks (SQLite file or a PostgreSQL schema).

A PostgreSQL run gets its own schema (``cbt_<random>``) through the connection's
``search_path``, so parallel test runs against one server never collide; the schema is
dropped afterwards.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text

from cbclassify.store.db import Database, make_engine
from cbclassify.store.migrate import upgrade


@contextmanager
def sqlite_database(path: Path) -> Iterator[Database]:
    """A migrated SQLite database in the file ``path``."""
    db = Database.from_url(f"sqlite:///{path}")
    upgrade(db.engine)
    try:
        yield db
    finally:
        db.dispose()


@contextmanager
def postgres_schema_url(url: str) -> Iterator[str]:
    """A fresh, uniquely named schema on the server at ``url``; yields a URL whose connections
    use it (``search_path``), and drops the schema afterwards."""
    schema = f"cbt_{secrets.token_hex(6)}"
    admin = make_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in url else "?"
    try:
        yield f"{url}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@contextmanager
def postgres_database(url: str, migrate: bool = True) -> Iterator[Database]:
    """A database in a fresh schema on the PostgreSQL server at ``url``."""
    with postgres_schema_url(url) as scoped:
        db = Database.from_url(scoped)
        try:
            if migrate:
                upgrade(db.engine)
            yield db
        finally:
            db.dispose()
