"""One error format for every response: RFC 9457 problem details (``application/problem+json``).

Every error the service answers has ``type`` (a stable URN, ``urn:dagrute:problem:<slug>``),
``title`` (the same for every problem of that type), ``status``, ``detail`` (one sentence
about this occurrence) and ``errors``: a list of ``{code, message, hint, path, id}``, where
``code`` is a stable UPPER_SNAKE code (the solver's ``INPUT_*``, ``ROADS_*`` and the service's
own, listed in :data:`SERVICE_CODES`), ``path`` is a JSON path into the request body (or
``query.day``, ``header.Idempotency-Key``...) and ``id`` the offending object's id.

Bad input never gives a 500. Unexpected exceptions give a bare 500 problem; the log records
the exception's type and where it was raised, never its message (which could hold personal
data).
"""

from __future__ import annotations

import json
import traceback
from collections.abc import Iterable, Mapping, Sequence
from http import HTTPStatus
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from solver.errors import InputError, Issue
from solver.roads import RoadsError

log = structlog.get_logger("app.errors")

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_PREFIX = "urn:dagrute:problem:"

# slug -> title; the type URN is PROBLEM_TYPE_PREFIX + slug.
PROBLEM_TITLES: dict[str, str] = {
    "invalid-input": "The request's input is not valid",
    "limit-exceeded": "The request is larger than this service allows",
    "body-too-large": "The request body is too large",
    "unauthorized": "An API key is needed",
    "forbidden": "This API key's role may not do this",
    "not-found": "Not found",
    "method-not-allowed": "Method not allowed",
    "not-acceptable": "No acceptable representation",
    "unsupported-media-type": "Unsupported media type",
    "conflict": "The resource is not in a state that allows this",
    "idempotency-key-reused": "The Idempotency-Key was used with another request",
    "too-many-jobs": "Too many unfinished jobs for this API key",
    "roads-unavailable": "The road network is not available",
    "internal": "Internal error",
    "http-error": "HTTP error",
}

SERVICE_CODES: dict[str, str] = {
    "AUTH_MISSING": "No API key was sent (Authorization: Bearer <key> or X-API-Key).",
    "AUTH_INVALID": "The API key is unknown, malformed or revoked.",
    "AUTH_FORBIDDEN": "The key's role lacks the permission the route needs.",
    "LIMIT_BODY_SIZE": "The request body is larger than DAGRUTE_MAX_BODY_BYTES.",
    "LIMIT_PASSENGERS": "The plan has more passengers than DAGRUTE_MAX_PASSENGERS.",
    "LIMIT_VEHICLES": "The plan has more vehicles than DAGRUTE_MAX_VEHICLES.",
    "LIMIT_TIME_LIMIT": "settings.time_limit_s exceeds DAGRUTE_MAX_TIME_LIMIT_S.",
    "LIMIT_MATRIX_POINTS": "More points than DAGRUTE_MAX_MATRIX_POINTS in one matrix request.",
    "LIMIT_ACTIVE_JOBS": "The key already has DAGRUTE_MAX_ACTIVE_JOBS_PER_KEY unfinished jobs.",
    "LIMIT_SCENARIOS": "A what-if batch has more scenarios than this service takes at once.",
    "IDEMPOTENCY_KEY_REUSED": "The Idempotency-Key was used before with a different request.",
    "REQUEST_PARAMETER": "A path, query or header parameter is missing or malformed.",
    "REQUEST_MEDIA_TYPE": "The request body's Content-Type is not one the route reads.",
    "NOT_FOUND": "No such resource (or route).",
    "METHOD_NOT_ALLOWED": "The route exists but not with this HTTP method.",
    "JOB_NOT_FINISHED": "The job has no result yet (queued or running).",
    "JOB_FINISHED": "The job has already finished; it cannot be cancelled.",
    "JOB_NO_RESULT": "The job ended without a result (failed, or cancelled before any "
    "day-direction was solved).",
    "JOB_DAY_NOT_SOLVED": "The day-direction is not (yet) solved in this job.",
    "JOB_WORKER_LOST": "The job's worker stopped (killed or crashed) more than "
    "DAGRUTE_MAX_ATTEMPTS times.",
    "JOB_TIMEOUT": "A solve ran far past its time limit and was abandoned.",
    "JOB_SOLVER_DIED": "The job's solver process ended unexpectedly (killed, out of memory) "
    "in each of DAGRUTE_MAX_ATTEMPTS attempts.",
    "INPUT_PREVIOUS_JOB": "previous_job names no succeeded plan solve to keep routes from.",
    "JOB_INTERNAL": "An unexpected error ended the job (the service's log says where).",
    "FORMAT_NOT_AVAILABLE": "The result cannot be given in the asked format for this job.",
    "INTERNAL": "An unexpected error; the service's log records where it happened.",
}


class ApiProblem(Exception):  # noqa: N818 - it is an answer, not only an error
    """An error answered as a problem details document."""

    def __init__(
        self,
        status: int,
        slug: str,
        detail: str,
        errors: Iterable[Mapping[str, Any]] = (),
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.slug = slug
        self.detail = detail
        self.errors = [error_item(**e) for e in errors]
        self.headers = dict(headers or {})

    def body(self, instance: str | None = None) -> dict[str, Any]:
        """The problem details document."""
        return problem_body(self.status, self.slug, self.detail, self.errors, instance)


def error_item(
    code: str,
    message: str,
    hint: str = "",
    path: str | None = None,
    id: str | None = None,
) -> dict[str, Any]:
    """One entry of a problem's ``errors``."""
    return {"code": code, "message": message, "hint": hint, "path": path, "id": id}


def issue_item(issue: Issue, path_prefix: str = "") -> dict[str, Any]:
    """A solver :class:`~solver.errors.Issue` as an ``errors`` entry (path prefixed)."""
    path = join_path(path_prefix, issue.path)
    return error_item(issue.code, issue.message, issue.hint, path, issue.id)


def join_path(prefix: str, path: str | None) -> str | None:
    """``plan.passengers[3]`` from ``plan`` and ``passengers[3]``; either may be empty."""
    if not prefix:
        return path
    if not path:
        return prefix
    return prefix + path if path.startswith("[") else f"{prefix}.{path}"


def problem_body(
    status: int,
    slug: str,
    detail: str,
    errors: Sequence[Mapping[str, Any]] = (),
    instance: str | None = None,
) -> dict[str, Any]:
    """A problem details document (RFC 9457) with dagrute's ``errors`` extension."""
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_PREFIX + slug,
        "title": PROBLEM_TITLES.get(slug, PROBLEM_TITLES["http-error"]),
        "status": status,
        "detail": detail,
        "errors": list(errors),
    }
    if instance:
        body["instance"] = instance
    return body


def problem_response(
    status: int,
    slug: str,
    detail: str,
    errors: Sequence[Mapping[str, Any]] = (),
    headers: Mapping[str, str] | None = None,
    instance: str | None = None,
) -> JSONResponse:
    """A JSON response carrying a problem details document."""
    return JSONResponse(
        problem_body(status, slug, detail, errors, instance),
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=dict(headers or {}),
    )


def input_problem(error: InputError, path_prefix: str = "", what: str = "The input") -> ApiProblem:
    """422 invalid-input listing every issue of ``error``."""
    count = len(error.issues)
    return ApiProblem(
        422,
        "invalid-input",
        f"{what} has {count} problem{'s' if count != 1 else ''}; each is listed in errors.",
        [issue_item(issue, path_prefix) for issue in error.issues],
    )


def roads_problem(error: RoadsError) -> ApiProblem:
    """A road-network error: 422 when the request's values are at fault, else 503."""
    if error.code in ("ROADS_INVALID_POINT", "ROADS_INVALID_SETTINGS"):
        return ApiProblem(
            422, "invalid-input", error.message, [error_item(error.code, error.message, error.hint)]
        )
    return ApiProblem(
        503,
        "roads-unavailable",
        "The service's road network cannot be used; an operator must fix it.",
        [error_item(error.code, error.message, error.hint)],
    )


def _loc_path(loc: Sequence[int | str]) -> tuple[str, str | None]:
    """(where: body/query/path/header, JSON path) of a FastAPI validation error location."""
    if not loc:
        return "body", None
    where, rest = str(loc[0]), list(loc[1:])
    path = ""
    for part in rest:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    if where != "body":
        path = f"{where}.{path}" if path else where
    return where, path or None


_STATUS_SLUGS = {
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    406: "not-acceptable",
    409: "conflict",
    413: "body-too-large",
    415: "unsupported-media-type",
}
_STATUS_CODES = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED", 413: "LIMIT_BODY_SIZE"}


def install_error_handlers(app: FastAPI) -> None:
    """Answer every error as problem+json: ours, FastAPI's validation, Starlette's HTTP ones."""

    async def on_problem(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ApiProblem)
        return problem_response(
            exc.status, exc.slug, exc.detail, exc.errors, exc.headers, request.url.path
        )

    async def on_input_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, InputError)
        problem = input_problem(exc)
        return problem_response(422, problem.slug, problem.detail, problem.errors)

    async def on_roads_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RoadsError)
        problem = roads_problem(exc)
        return problem_response(problem.status, problem.slug, problem.detail, problem.errors)

    async def on_validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        errors = []
        for error in exc.errors():
            where, path = _loc_path(error.get("loc", ()))
            code = "INPUT_SCHEMA" if where == "body" else "REQUEST_PARAMETER"
            message = str(error.get("msg", "Invalid value."))
            expected = (error.get("ctx") or {}).get("expected")
            hint = f"Use {expected}." if expected else "See the OpenAPI document at /openapi.json."
            errors.append(error_item(code, f"{path or where}: {message}.", hint, path))
        return problem_response(
            422,
            "invalid-input",
            f"The request has {len(errors)} problem{'s' if len(errors) != 1 else ''}; "
            "each is listed in errors.",
            errors,
            instance=request.url.path,
        )

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        status = exc.status_code
        slug = _STATUS_SLUGS.get(status, "http-error")
        code = _STATUS_CODES.get(status, f"HTTP_{status}")
        phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
        detail = exc.detail if isinstance(exc.detail, str) and exc.detail != phrase else phrase
        return problem_response(
            status,
            slug,
            f"{detail}.".replace("..", "."),
            [error_item(code, f"{detail}.".replace("..", "."), "See /docs for the routes.")],
            headers=getattr(exc, "headers", None),
            instance=request.url.path,
        )

    app.add_exception_handler(ApiProblem, on_problem)
    app.add_exception_handler(InputError, on_input_error)
    app.add_exception_handler(RoadsError, on_roads_error)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)


def safe_traceback(error: BaseException) -> list[str]:
    """Where ``error`` was raised, as ``file:line in function`` frames, without its message."""
    frames = traceback.extract_tb(error.__traceback__)
    return [f"{f.filename.rsplit('/', 2)[-1]}:{f.lineno} in {f.name}" for f in frames[-6:]]


class InternalErrorGuard:
    """ASGI middleware: any exception escaping the app becomes a 500 problem, logged safely.

    Starlette would log the traceback with the exception's message, which may name a
    passenger; this logs only the exception type and the frames.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on; answer a 500 problem if it raises."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as error:
            route = getattr(scope.get("route"), "path", "unmatched")
            log.error(
                "request failed",
                error_type=type(error).__name__,
                route=route,
                frames=safe_traceback(error),
            )
            if started:
                return
            body = json.dumps(
                problem_body(
                    500,
                    "internal",
                    "An unexpected error happened; the service's log records where.",
                    [error_item("INTERNAL", "An unexpected error happened.", "Try again later.")],
                )
            ).encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": 500,
                    "headers": [
                        (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
                        (b"content-length", str(len(body)).encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})


class BodySizeLimit:
    """ASGI middleware: 413 problem when the body exceeds ``max_bytes`` (declared or streamed)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, counting its body; answer 413 past the limit."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._too_large(send)
            return
        received = 0
        too_large = False

        async def limited_receive() -> Message:
            nonlocal received, too_large
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    too_large = True
                    raise _BodyTooLarge
            return message

        response_started = False

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _BodyTooLarge:
            if not response_started:
                await self._too_large(send)
        except Exception:
            if too_large and not response_started:
                await self._too_large(send)
                return
            raise

    async def _too_large(self, send: Send) -> None:
        detail = f"The request body is larger than {self.max_bytes} bytes."
        body = json.dumps(
            problem_body(
                413,
                "body-too-large",
                detail,
                [
                    error_item(
                        "LIMIT_BODY_SIZE",
                        detail,
                        "Send a smaller plan, or ask the operator to raise DAGRUTE_MAX_BODY_BYTES.",
                    )
                ],
            )
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


class _BodyTooLarge(Exception):  # noqa: N818 - control flow
    """Raised inside the app when the streamed body passes the limit."""
