"""Engines and sessions for the application database (SQLite embedded default, PostgreSQL).

SQLite is configured for a multi-threaded server: WAL journal, ``synchronous=FULL`` (an
acknowledged commit survives a killed process), foreign keys on, a busy timeout, and write
sessions that open with ``BEGIN IMMEDIATE`` so two writers never race on a stale snapshot.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, make_url, text
from sqlalchemy.orm import Session, sessionmaker

from cbclassify.store.audit import install_audit_guard

_IMMEDIATE = "cbclassify_sqlite_immediate"


def is_sqlite(engine: Engine) -> bool:
    """True when ``engine`` talks to SQLite."""
    return engine.dialect.name == "sqlite"


def _configure_sqlite(engine: Engine) -> None:
    """Pragmas and explicit BEGIN handling for pysqlite (SQLAlchemy's documented recipe)."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        for pragma in (
            "PRAGMA foreign_keys=ON",
            "PRAGMA busy_timeout=30000",
            "PRAGMA journal_mode=WAL",
            "PRAGMA synchronous=FULL",
        ):
            cursor.execute(pragma)
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        immediate = conn.get_execution_options().get(_IMMEDIATE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def create_private_sqlite_file(url: str) -> None:
    """Create the SQLite database file of ``url`` readable by its owner only (0600) when it
    does not exist yet (SQLite gives its -wal and -shm files the same mode). In-memory
    databases and existing files are left alone."""
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:  # created meanwhile by another process: leave it as it is
        return
    os.chmod(path, 0o600)  # whatever the umask


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url`` with the pragmas and pool settings cbclassify needs (a new
    SQLite file is created 0600)."""
    if url.startswith("sqlite"):
        create_private_sqlite_file(url)
        connect_args = kwargs.pop("connect_args", {})
        connect_args.setdefault("check_same_thread", False)
        connect_args.setdefault("timeout", 30)
        engine = create_engine(url, connect_args=connect_args, **kwargs)
        _configure_sqlite(engine)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


class Database:
    """An engine plus two session factories: read sessions and (serialized) write sessions."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        write_bind = engine.execution_options(**{_IMMEDIATE: True}) if is_sqlite(engine) else engine
        self._read = sessionmaker(bind=engine, expire_on_commit=False)
        self._write = sessionmaker(bind=write_bind, expire_on_commit=False)
        install_audit_guard(self._read)
        install_audit_guard(self._write)

    @classmethod
    def from_url(cls, url: str, **kwargs: Any) -> Database:
        """A Database over a new engine for ``url``."""
        return cls(make_engine(url, **kwargs))

    def read_session(self) -> Session:
        """A session for reads (no write lock is taken up front)."""
        return self._read()

    def connect(self) -> Connection:
        """A plain connection for Core reads (no ORM session)."""
        return self.engine.connect()

    def ping(self) -> None:
        """Ask the database a trivial question (raises when it does not answer)."""
        with self.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    def write_session(self) -> Session:
        """A session whose transaction takes the write lock at BEGIN on SQLite."""
        return self._write()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One write transaction: commit on success, roll back on any error."""
        session = self.write_session()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        """Close all pooled connections."""
        self.engine.dispose()
