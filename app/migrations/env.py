"""Alembic environment: runs migrations on the ``Database`` passed in by ``app.db.migrate``."""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

from app.db.migrate import ADVISORY_LOCK_ID
from app.db.models import Base
from app.db.session import Database
from app.settings import DEFAULT_DATABASE_URL

config = context.config
passed: Database | None = config.attributes.get("database")
database: Database
if passed is not None:
    database = passed
else:  # run by the alembic command line: take the URL from its config
    database = Database(config.get_main_option("sqlalchemy.url") or DEFAULT_DATABASE_URL)


def run_migrations_online() -> None:
    """Run every pending migration in one transaction (serialised between processes)."""
    with database.write_engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=database.is_sqlite,
            transaction_per_migration=False,
        )
        with context.begin_transaction():
            if database.is_postgresql:
                connection.execute(text(f"SELECT pg_advisory_xact_lock({ADVISORY_LOCK_ID})"))
            context.run_migrations()


run_migrations_online()
