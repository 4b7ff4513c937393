"""Property-based requests against the live OpenAPI document: never a server error, never
an answer that breaks its documented schema.

Schemathesis generates requests for every operation from /openapi.json (valid and invalid
bodies, parameters and headers) and sends them to the app with a key of every role (or
none); any 5xx fails, and so does an answer whose status, content type, headers or body the
document does not allow. Bounded: a few examples per operation and role, no Hypothesis
database, about a minute.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from servicekit import service_settings

from app.api.keys import create_key
from app.db.migrate import upgrade
from app.db.session import Database
from app.main import create_app

EXAMPLES_PER_OPERATION = 12
RESPONSE_CHECKS = [
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
"""What the answers must keep (not whether the service accepts every schema-valid body:
a plan valid in form may still fail its meaning checks, with a 422 naming each problem)."""
ROLES = ("planner", "dispatcher", "analyst", "admin")


@pytest.fixture
def api(sqlite_url: str) -> Iterator[tuple[object, dict[str, str]]]:
    settings = service_settings(sqlite_url, max_active_jobs_per_key=3, preload_roads=False)
    app = create_app(settings)
    database: Database = app.state.database
    upgrade(database)
    tokens = {role: create_key(database, f"fuzz-{role}", role).token for role in ROLES}
    yield app, tokens
    database.dispose()


def test_no_generated_request_makes_a_server_error_or_breaks_its_schema(
    api: tuple[object, dict[str, str]],
) -> None:
    app, tokens = api
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
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
        @given(case=operation.as_strategy(), role=st.sampled_from((*ROLES, None)))
        def call(case: schemathesis.Case, role: str | None) -> None:
            headers = {"Authorization": f"Bearer {tokens[role]}"} if role else {}
            response = case.call(headers=headers)
            where = f"{case.method} {case.formatted_path} as {role}"
            if response.status_code >= 500:
                failures.append(f"{where}: {response.status_code}")
                return
            try:
                case.validate_response(response, checks=RESPONSE_CHECKS)
            except AssertionError as error:
                failures.append(f"{where}: {response.status_code} {str(error)[:300]}")

        call()
    assert failures == []
