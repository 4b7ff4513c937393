"""Fixtures of the service tests; the helpers live in servicekit.py."""

from servicekit import (  # noqa: F401 - fixtures are found by name
    database,
    database_url,
    postgres_server_url,
    roads_cache,
    service,
    service_any_db,
    sqlite_url,
    start_thread_worker,
    start_worker_process,
)
