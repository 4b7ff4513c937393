"""API keys (admin only): create (the token is shown once), list, revoke.

An admin manages the keys of its own organisation only; keys of another organisation are
made by the operator (``dagrute keys create --organisation``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response

from app.api.deps import get_database, not_found, problem_responses
from app.db.models import DEFAULT_ORGANISATION
from app.db.repositories import KeyRepository
from app.db.session import Database
from app.schemas import KeyCreate, KeyCreated, KeyResource
from app.security import Caller, Permission, new_key, require

router = APIRouter(prefix="/v1/keys", tags=["keys"])
KeyId = Annotated[str, Path(min_length=1, max_length=64, description="The key's public id.")]


def create_key(
    database: Database, name: str, role: str, organisation: str = DEFAULT_ORGANISATION
) -> KeyCreated:
    """Make and store a key of ``organisation``; the token is in the answer only."""
    key = new_key()
    with database.write() as session:
        row = KeyRepository(session).add(
            key.key_id, name, role, key.salt, key.secret_sha256, organisation
        )
        return KeyCreated(
            id=row.id,
            name=row.name,
            role=row.role,  # type: ignore[arg-type]
            organisation=row.organisation,
            created_at=row.created_at,
            last_used_at=None,
            revoked_at=None,
            token=key.token,
        )


@router.post(
    "",
    status_code=201,
    response_model=KeyCreated,
    summary="Create an API key (the token is shown this once)",
    responses=problem_responses(),
)
def post_key(
    request_body: KeyCreate,
    caller: Annotated[Caller, Depends(require(Permission.KEYS_MANAGE))],
    database: Annotated[Database, Depends(get_database)],
) -> KeyCreated:
    """Create a key in the caller's organisation."""
    return create_key(database, request_body.name, request_body.role.value, caller.organisation)


@router.get(
    "",
    response_model=list[KeyResource],
    summary="Every API key (no secrets)",
    responses=problem_responses(),
)
def list_keys(
    caller: Annotated[Caller, Depends(require(Permission.KEYS_MANAGE))],
    database: Annotated[Database, Depends(get_database)],
) -> list[KeyResource]:
    """List keys."""
    with database.read() as session:
        return [
            KeyResource(
                id=k.id,
                name=k.name,
                role=k.role,  # type: ignore[arg-type]
                organisation=k.organisation,
                created_at=k.created_at,
                last_used_at=k.last_used_at,
                revoked_at=k.revoked_at,
            )
            for k in KeyRepository(session).list(caller.organisation)
        ]


@router.delete(
    "/{key_id}", status_code=204, summary="Revoke an API key", responses=problem_responses(404)
)
def revoke_key(
    key_id: KeyId,
    caller: Annotated[Caller, Depends(require(Permission.KEYS_MANAGE))],
    database: Annotated[Database, Depends(get_database)],
) -> Response:
    """Revoke a key of the caller's organisation (it stops working at once)."""
    with database.write() as session:
        if not KeyRepository(session).revoke(key_id, caller.organisation):
            raise not_found("unrevoked key", key_id)
    return Response(status_code=204)
