"""The audit trail over HTTP, for admins (:mod:`app.audit`).

Who read personal data, who changed what, who was refused, in the admin's own organisation.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query

from app.api.deps import PageQuery, get_database, page_query, problem_responses
from app.audit import events_page
from app.db.session import Database
from app.schemas import AuditEventItem, AuditList
from app.security import Caller, Permission, require

router = APIRouter(prefix="/v1/audit", tags=["audit"])


@router.get(
    "",
    response_model=AuditList,
    summary="The organisation's audit trail, newest first",
    description="Every read of personal data (`read`), change (`change`), tool use with "
    "personal data (`use`) and refused key (`refused`) of the caller's organisation: when, "
    "which key and role, the route, the id it named and the HTTP status. Never plan content. "
    "Paged (`limit`, `offset`), filtered by time (`created_from`, `created_to`), `key_id` and "
    "`action`. Events are kept `DAGRUTE_AUDIT_RETENTION_DAYS` days.",
    responses=problem_responses(),
)
def list_audit(
    caller: Annotated[Caller, Depends(require(Permission.AUDIT_READ))],
    database: Annotated[Database, Depends(get_database)],
    page: Annotated[PageQuery, Depends(page_query)],
    key_id: Annotated[
        str | None, Query(min_length=1, max_length=32, description="Only this key's events.")
    ] = None,
    action: Annotated[
        Literal["read", "change", "use", "refused"] | None,
        Query(description="Only events of this action."),
    ] = None,
) -> AuditList:
    """Read the audit trail."""
    found = events_page(database, page.filter(caller.organisation), key_id, action)
    items = [
        AuditEventItem(
            at=event.at,
            key_id=event.key_id,
            role=event.role,
            action=event.action,  # type: ignore[arg-type]
            method=event.method,
            route=event.route,
            target_id=event.target_id,
            status=event.status,
        )
        for event in found.rows
    ]
    return AuditList(items=items, total=found.total, limit=page.limit, offset=page.offset)
