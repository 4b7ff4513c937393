"""Engine and sessions for SQLite (default) and PostgreSQL (psycopg 3).

SQLite: WAL journal (readers never wait for the writer), a 30 s busy timeout, foreign keys
on, and write transactions opened with ``BEGIN IMMEDIATE`` so that two processes never both
read and then fail to upgrade to a write lock. Read transactions use a plain ``BEGIN``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 30_000
WRITE_OPTION = "dagrute_write"


def normalise_url(url: str | URL) -> URL:
    """``postgresql://`` and ``postgres://`` URLs use psycopg 3; others are kept as given."""
    parsed = make_url(str(url)) if not isinstance(url, URL) else url
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


PRIVATE_FILE_MODE = 0o600
"""A SQLite database holds health-related personal data: only its owner reads it. SQLite
gives its ``-wal`` and ``-shm`` files the database file's mode."""

PRIVATE_DIR_MODE = 0o700
"""The mode of a folder made for a new database."""


def create_private_sqlite_file(url: URL) -> Path | None:
    """Create the file of a SQLite ``url`` with mode 0600 (and its folder, 0700) if missing.

    Done before SQLAlchemy's first connection, which would create it with the process's
    umask (0644 as a rule: readable by every user of the machine). An existing file keeps
    its mode; an in-memory database has no file. Returns the file's path, if any.
    """
    name = url.database
    if not name or name == ":memory:" or name.startswith("file:"):
        return None
    path = Path(name)
    if not path.exists():
        path.parent.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
        os.close(descriptor)
        os.chmod(path, PRIVATE_FILE_MODE)  # the umask may have narrowed it, never widened
    return path


def _sqlite_engine(url: URL) -> Engine:
    create_private_sqlite_file(url)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: object) -> None:
        # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite's own is deferred only).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        is_write = connection.get_execution_options().get(WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if is_write else "BEGIN")

    return engine


class Database:
    """One database: an engine, read sessions and write sessions.

    ``read()`` and ``write()`` are context managers giving a session inside a transaction
    that commits on success and rolls back on an exception.
    """

    def __init__(self, url: str | URL) -> None:
        self.url = normalise_url(url)
        if self.is_sqlite:
            self.engine = _sqlite_engine(self.url)
        else:
            self.engine = create_engine(self.url, pool_pre_ping=True, pool_size=10)
        self.write_engine = self.engine.execution_options(**{WRITE_OPTION: True})
        self._reads = sessionmaker(self.engine, expire_on_commit=False)
        self._writes = sessionmaker(self.write_engine, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        """Whether this is a SQLite database."""
        return self.url.get_backend_name() == "sqlite"

    @property
    def is_postgresql(self) -> bool:
        """Whether this is a PostgreSQL database."""
        return self.url.get_backend_name() == "postgresql"

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading (committed at the end; nothing should be written)."""
        with self._reads.begin() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session for writing: one transaction, committed on success."""
        with self._writes.begin() as session:
            yield session

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
