"""Alembic upgrades run from code: at start-up of the API and workers, and `dagrute db upgrade`.

No alembic.ini is needed: the script location is this package's ``app/migrations``. Two
processes starting together upgrade one after the other (SQLite: the migration runs inside a
``BEGIN IMMEDIATE`` transaction; PostgreSQL: under an advisory lock).
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from app.db.session import Database

MIGRATIONS_DIR = Path(__file__).resolve().parents[1] / "migrations"
ADVISORY_LOCK_ID = 0x6461_6772  # "dagr"


def alembic_config(database: Database) -> AlembicConfig:
    """An Alembic configuration pointing at ``app/migrations`` and ``database``."""
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option(
        "sqlalchemy.url", database.url.render_as_string(hide_password=False).replace("%", "%%")
    )
    config.attributes["database"] = database
    return config


def upgrade(database: Database, revision: str = "head") -> None:
    """Bring ``database`` up to ``revision`` (default: the newest)."""
    command.upgrade(alembic_config(database), revision)


def current_revision(database: Database) -> str | None:
    """The revision the database is at (None for an empty database)."""
    with database.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    """The newest revision among the migration scripts."""
    return ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()
