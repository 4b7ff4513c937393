"""API keys, roles and the per-route policy.

Keys
    A key reads ``dgr_<id>_<secret>``: ``id`` (16 hex digits) is public and names the key in
    lists and logs; ``secret`` is 32 random bytes (``secrets.token_urlsafe``). The database
    keeps only a per-key random 16-byte salt and ``SHA-256(salt || secret)``. A fast hash is
    enough here because the secret has 256 bits of entropy (guessing is hopeless; a slow hash
    guards low-entropy passwords, which these are not); the salt keeps equal secrets apart and
    defeats precomputed tables. A key is shown once, when created (``POST /v1/keys`` or
    ``dagrute keys create``), and cannot be recovered, only revoked.

Roles and permissions
    ``planner``: submit plans, cancel jobs, delete plans, read jobs and routes, record the
    day's changes, send (not read) passenger details, use the tools (check, matrix,
    import). ``dispatcher``: read jobs, routes and driver manifests with passengers' names,
    addresses, phones and notes; record the day's changes; send passenger details.
    ``analyst``: read jobs (results as figures only), use the tools, run what-if scenario
    batches. ``admin``: everything, including managing keys and reading the audit trail.

Organisations
    A key belongs to an organisation (a municipality or a district); so does everything made
    with it. A caller reads, cancels and erases only its own organisation's plans, jobs,
    results, scenario batches and keys; another organisation's ids answer 404.
    ``tests/app/test_organisations.py`` tries every route with an id in it, with every role
    of another organisation.

Policy
    Every route declares its policy as a dependency: ``Depends(require(Permission.X))`` or
    ``Depends(PUBLIC)``. ``tests/app/test_security.py`` enumerates the app's routes and fails
    for a route without one.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from app.db.models import DEFAULT_ORGANISATION, utcnow
from app.db.repositories import KeyRepository
from app.db.session import Database
from app.errors import ApiProblem, error_item

TOKEN_PREFIX = "dgr"
KEY_ID_HEX_DIGITS = 16
SALT_BYTES = 16
SECRET_BYTES = 32
TOKEN_PATTERN = re.compile(r"^dgr_([0-9a-f]{16})_([A-Za-z0-9_-]{20,100})$")
LAST_USED_RESOLUTION = timedelta(minutes=1)
"""``last_used_at`` is written at most once a minute per key (reads stay cheap)."""


class Role(StrEnum):
    """What a key's holder does."""

    PLANNER = "planner"
    DISPATCHER = "dispatcher"
    ANALYST = "analyst"
    ADMIN = "admin"


class Permission(StrEnum):
    """What a route needs."""

    PLANS_WRITE = "plans:write"
    JOBS_READ = "jobs:read"
    ROUTES_READ = "routes:read"
    ROUTES_EDIT = "routes:edit"
    """Record the day's changes on a solved week, re-plan and restore its day versions."""
    DETAILS_READ = "details:read"
    """See passengers' names, addresses, phones and notes (manifests, ``/details``)."""
    DETAILS_WRITE = "details:write"
    """Send or erase a plan's passenger details (without reading them back)."""
    TOOLS_USE = "tools:use"
    SCENARIOS_RUN = "scenarios:run"
    KEYS_MANAGE = "keys:manage"
    AUDIT_READ = "audit:read"


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.PLANNER: frozenset(
        {
            Permission.PLANS_WRITE,
            Permission.JOBS_READ,
            Permission.ROUTES_READ,
            Permission.ROUTES_EDIT,
            Permission.DETAILS_WRITE,
            Permission.TOOLS_USE,
        }
    ),
    Role.DISPATCHER: frozenset(
        {
            Permission.JOBS_READ,
            Permission.ROUTES_READ,
            Permission.ROUTES_EDIT,
            Permission.DETAILS_READ,
            Permission.DETAILS_WRITE,
        }
    ),
    Role.ANALYST: frozenset({Permission.JOBS_READ, Permission.TOOLS_USE, Permission.SCENARIOS_RUN}),
    Role.ADMIN: frozenset(Permission),
}


@dataclass(frozen=True, slots=True)
class NewKey:
    """A freshly made key: the token (show it once) and what the database keeps."""

    key_id: str
    token: str
    salt: str
    secret_sha256: str


def hash_secret(salt_hex: str, secret: str) -> str:
    """SHA-256 of the salt's bytes followed by the secret's UTF-8 bytes, hex."""
    return hashlib.sha256(bytes.fromhex(salt_hex) + secret.encode("utf-8")).hexdigest()


def new_key() -> NewKey:
    """A new random key."""
    key_id = secrets.token_hex(KEY_ID_HEX_DIGITS // 2)
    secret = secrets.token_urlsafe(SECRET_BYTES)
    salt = secrets.token_hex(SALT_BYTES)
    return NewKey(key_id, f"{TOKEN_PREFIX}_{key_id}_{secret}", salt, hash_secret(salt, secret))


def split_token(token: str) -> tuple[str, str] | None:
    """(key id, secret) of a well-formed token, else None."""
    match = TOKEN_PATTERN.match(token.strip())
    return (match.group(1), match.group(2)) if match else None


@dataclass(frozen=True, slots=True)
class Caller:
    """Who is calling: the key's id, name, role and organisation.

    Every stored plan, job, result, scenario batch and key belongs to one organisation; a
    caller sees only its own organisation's (others' ids answer 404, as if they did not exist).
    """

    key_id: str
    name: str
    role: Role
    organisation: str = DEFAULT_ORGANISATION

    def may(self, permission: Permission) -> bool:
        """Whether the caller's role grants ``permission``."""
        return permission in ROLE_PERMISSIONS[self.role]


def verify_token(database: Database, token: str) -> Caller | None:
    """The caller a token belongs to, or None (unknown, malformed or revoked)."""
    parts = split_token(token)
    if parts is None:
        return None
    key_id, secret = parts
    with database.read() as session:
        key = KeyRepository(session).get(key_id)
        if key is None or key.revoked_at is not None:
            return None
        if not hmac.compare_digest(hash_secret(key.salt, secret), key.secret_sha256):
            return None
        caller = Caller(key.id, key.name, Role(key.role), key.organisation)
        stale = key.last_used_at is None or utcnow() - key.last_used_at > LAST_USED_RESOLUTION
    if stale:
        with database.write() as session:
            KeyRepository(session).touch(key_id)
    return caller


bearer_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="BearerKey",
    description="An API key as a bearer token: `Authorization: Bearer dgr_...`.",
)
header_scheme = APIKeyHeader(
    name="X-API-Key",
    auto_error=False,
    scheme_name="HeaderKey",
    description="The same API key in the X-API-Key header.",
)


def _unauthorized(code: str, detail: str) -> ApiProblem:
    return ApiProblem(
        401,
        "unauthorized",
        detail,
        [
            error_item(
                code,
                detail,
                "Send a key as 'Authorization: Bearer dgr_...' or 'X-API-Key: dgr_...'; an "
                "admin makes keys with POST /v1/keys or `dagrute keys create`.",
            )
        ],
        headers={"WWW-Authenticate": 'Bearer realm="dagrute"'},
    )


def forbidden(caller: Caller, permission: Permission) -> ApiProblem:
    """403: the caller's role lacks ``permission`` (AUTH_FORBIDDEN)."""
    detail = f"The role {caller.role.value} lacks the permission {permission.value}."
    return ApiProblem(
        403,
        "forbidden",
        detail,
        [
            error_item(
                "AUTH_FORBIDDEN",
                detail,
                "Use a key of a role that has it (see the README's roles table).",
            )
        ],
    )


class Policy:
    """A route's access rule, used as its dependency: public, or a permission to hold.

    As a dependency it returns the :class:`Caller` (None for public routes) and stores it on
    ``request.state.caller``.
    """

    def __init__(self, permission: Permission | None) -> None:
        self.permission = permission

    def __repr__(self) -> str:
        return f"Policy({self.permission.value if self.permission else 'public'})"

    def __call__(
        self,
        request: Request,
        bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
        header_key: Annotated[str | None, Depends(header_scheme)],
    ) -> Caller | None:
        """Check the request's key against this policy."""
        if self.permission is None:
            return None
        token = bearer.credentials if bearer is not None else header_key
        if not token:
            raise _unauthorized("AUTH_MISSING", "No API key was sent.")
        database: Database = request.app.state.database
        caller = verify_token(database, token)
        if caller is None:
            raise _unauthorized("AUTH_INVALID", "The API key is unknown, malformed or revoked.")
        if not caller.may(self.permission):
            raise forbidden(caller, self.permission)
        request.state.caller = caller
        return caller


PUBLIC = Policy(None)
_POLICIES: dict[Permission, Policy] = {p: Policy(p) for p in Permission}


def require(permission: Permission) -> Policy:
    """The policy of routes that need ``permission``."""
    return _POLICIES[permission]
