"""Property-based requests against the live OpenAPI document: never a server error.

Schemathesis generates requests for every operation from /openapi.json (valid and invalid
bodies, parameters and headers) and sends them to the app with an admin key; any 5xx fails.
Bounded: a few examples per operation, no Hypothesis database, well under a minute.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from servicekit import service_settings

from app.api.keys import create_key
from app.db.migrate import upgrade
from app.db.session import Database
from app.main import create_app

EXAMPLES_PER_OPERATION = 12


@pytest.fixture
def api(sqlite_url: str) -> Iterator[tuple[object, str]]:
    settings = service_settings(sqlite_url, max_active_jobs_per_key=3, preload_roads=False)
    app = create_app(settings)
    database: Database = app.state.database
    upgrade(database)
    token = create_key(database, "fuzz", "admin").token
    yield app, token
    database.dispose()


def test_no_generated_request_makes_a_server_error(api: tuple[object, str]) -> None:
    app, token = api
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    headers = {"Authorization": f"Bearer {token}"}
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 16

    for operation in operations:

        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(), with_key=st.booleans())
        def call(case: schemathesis.Case, with_key: bool) -> None:
            response = case.call(headers=headers if with_key else {})
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path}: {response.status_code}")

        call()
    assert failures == []
