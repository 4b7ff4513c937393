"""The audit trail: who read personal data, who changed what, and which keys were refused.

Norwegian practice for health data (Normen, the code of conduct for information security in
the health and care sector) expects every access to personal health data to be traceable to
a person or system, kept, and reviewable. ``AuditTrail`` records, in the database, one
:class:`~app.db.models.AuditEvent` for each ``/v1/`` request that

- reads personal data (``read``): a week result, GeoJSON, a day-direction, a timeline, a
  driver manifest, a scenario batch's files;
- changes something (``change``): submitting, cancelling or erasing plans, jobs and batches,
  making and revoking keys;
- uses a tool with personal data in its body (``use``): check, matrix, CSV import;
- or is refused (``refused``): 401 (a malformed, unknown or revoked key) and 403 (a role
  without the permission), with the key's public id where one was sent. A request with no
  key at all names nobody and is not recorded: a flood of them cannot fill the table.

Each event holds the time, the key's id, role and organisation, the route's template, the id
of what it named (a job, plan or key: random UUIDs and key ids, never plan content) and the
HTTP status. Polling a job's status, listing and the public routes are not recorded. Refused
keys are also logged for operators (key id, route template, status only).

Events older than ``DAGRUTE_AUDIT_RETENTION_DAYS`` are deleted by the API's housekeeping
(:func:`purge_expired`). Admins read their organisation's events at ``GET /v1/audit``.

Written as a plain ASGI middleware (like :mod:`app.headers`): the event needs the matched
route, the caller the route's policy found, and the final status, which only the outermost
layers see together.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any, Final

import structlog
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import delete
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.db.models import ApiKey, AuditEvent, utcnow
from app.db.repositories import ListFilter, Page, listed, page_of
from app.db.session import Database
from app.security import TOKEN_PATTERN, Caller

log = structlog.get_logger("app.audit")

READ, CHANGE, USE, REFUSED = "read", "change", "use", "refused"
ACTIONS: Final = (READ, CHANGE, USE, REFUSED)

PERSONAL_READS: Final = frozenset(
    {
        "/v1/jobs/{job_id}/result",
        "/v1/jobs/{job_id}/geojson",
        "/v1/jobs/{job_id}/days/{day}/{direction}",
        "/v1/jobs/{job_id}/days/{day}/{direction}/timeline",
        "/v1/jobs/{job_id}/manifests/{day}/{vehicle_id}",
        "/v1/jobs/{job_id}/days/{day}/versions/{version}",
        "/v1/plans/{plan_id}/details",
        "/v1/scenarios/{job_id}/comparison",
        "/v1/scenarios/{job_id}/comparison.csv",
        "/v1/scenarios/{job_id}/report",
        "/v1/scenarios/{job_id}/scenarios/{scenario_id}/{part}",
    }
)
"""GET routes whose answers hold personal data (or figures of identifiable groups)."""

TOOL_ROUTES: Final = frozenset({"/v1/check", "/v1/matrix", "/v1/import/passengers"})
"""POST routes that answer from personal data in the request and store nothing."""

TARGET_PARAMS: Final = ("job_id", "plan_id", "key_id")
"""Path parameters naming what a request is about, in order of preference."""

CHANGE_METHODS: Final = frozenset({"POST", "PUT", "PATCH", "DELETE"})

PURGE_INTERVAL_S: Final = 3600.0
"""The API deletes expired events at most this often."""


def classify(method: str, route: str, status: int) -> str | None:
    """The action a request is recorded as, or None when it is not recorded."""
    if status in (401, 403):
        return REFUSED
    if method == "POST" and route in TOOL_ROUTES:
        return USE
    if method in CHANGE_METHODS:
        return CHANGE
    if method == "GET" and route in PERSONAL_READS:
        return READ
    return None


def _presented_key_id(headers: list[tuple[bytes, bytes]]) -> str | None:
    """The public id of the key a request sent (bearer or X-API-Key), if well formed."""
    for name, value in headers:
        lowered = name.lower()
        if lowered not in (b"authorization", b"x-api-key"):
            continue
        token = value.decode("latin-1").strip()
        if lowered == b"authorization":
            scheme, _, token = token.partition(" ")
            if scheme.lower() != "bearer":
                continue
        match = TOKEN_PATTERN.match(token.strip())
        if match:
            return match.group(1)
    return None


def _sent_a_key(headers: list[tuple[bytes, bytes]]) -> bool:
    """Whether the request carried an API key at all (well formed or not)."""
    return any(name.lower() in (b"authorization", b"x-api-key") for name, _ in headers)


def record(database: Database, event: AuditEvent) -> None:
    """Store one event; a key that was refused gets its organisation from the key, if any."""
    with database.write() as session:
        if event.organisation is None and event.key_id is not None:
            key = session.get(ApiKey, event.key_id)
            if key is not None:
                event.organisation = key.organisation
                event.role = event.role or key.role
        session.add(event)


class AuditTrail:
    """ASGI middleware recording the requests of the module docstring."""

    def __init__(self, app: ASGIApp, database: Database) -> None:
        self.app = app
        self.database = database

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on; after the answer, record it if it is audited."""
        if scope["type"] != "http" or not str(scope.get("path", "")).startswith("/v1/"):
            await self.app(scope, receive, send)
            return
        status = 500

        async def status_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, status_send)
        finally:
            await self._after(scope, status)

    async def _after(self, scope: Scope, status: int) -> None:
        method = str(scope.get("method", ""))
        route = getattr(scope.get("route"), "path", None) or "unmatched"
        action = classify(method, route, status)
        headers = list(scope.get("headers", []))
        if action is None or (action == REFUSED and not _sent_a_key(headers)):
            return  # a request with no key at all names nobody: nothing to trace
        state: Mapping[str, Any] = scope.get("state") or {}
        caller = state.get("caller")
        params: Mapping[str, Any] = scope.get("path_params") or {}
        target = next((str(params[p]) for p in TARGET_PARAMS if p in params), None)
        event = AuditEvent(
            at=utcnow(),
            organisation=caller.organisation if isinstance(caller, Caller) else None,
            key_id=(caller.key_id if isinstance(caller, Caller) else _presented_key_id(headers)),
            role=caller.role.value if isinstance(caller, Caller) else None,
            action=action,
            method=method[:8],
            route=route[:200],
            target_id=target[:64] if target else None,
            status=status,
        )
        if action == REFUSED:
            log.warning("key refused", key=event.key_id, route=route, status=status)
        try:
            await run_in_threadpool(record, self.database, event)
        except Exception as error:  # the answer is sent; say so without any request data
            log.error("audit event not stored", error_type=type(error).__name__, route=route)


def events_page(
    database: Database, where: ListFilter, key_id: str | None, action: str | None
) -> Page[AuditEvent]:
    """The organisation's events, newest first (of one key and one action when given)."""

    def filtered(query: Any) -> Any:
        query = listed(query, AuditEvent, where, AuditEvent.at)
        if key_id is not None:
            query = query.where(AuditEvent.key_id == key_id)
        if action is not None:
            query = query.where(AuditEvent.action == action)
        return query

    with database.read() as session:
        return page_of(session, AuditEvent, filtered, where, AuditEvent.at)


def purge_expired(database: Database, retention_days: int) -> int:
    """Delete events older than ``retention_days``; return how many."""
    cutoff = utcnow() - timedelta(days=retention_days)
    with database.write() as session:
        result = session.execute(delete(AuditEvent).where(AuditEvent.at < cutoff))
    return int(getattr(result, "rowcount", 0) or 0)
