"""Shared dependencies and helpers of the routers."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import Query, Request

from app.db.models import Job, utcnow
from app.db.repositories import ListFilter
from app.db.session import Database
from app.errors import ApiProblem, error_item
from app.metrics import Metrics
from app.roads import RoadsHolder
from app.schemas import JobLinks, JobProgress, JobResource, Problem
from app.settings import ServiceSettings

JSON_MEDIA_TYPES = ("application/json",)

MAX_PAGE = 200
"""Most rows one page of a list holds."""


@dataclass(frozen=True, slots=True)
class PageQuery:
    """A list's paging and date filter, from its query string (see :func:`page_query`)."""

    limit: int
    offset: int
    created_from: datetime | None
    created_to: datetime | None

    def filter(self, organisation: str) -> ListFilter:
        """The repository's filter for ``organisation``."""
        return ListFilter(organisation, self.created_from, self.created_to, self.limit, self.offset)


def page_query(
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="Rows on this page.")] = 50,
    offset: Annotated[int, Query(ge=0, le=10**9, description="Rows to skip (newest first).")] = 0,
    created_from: Annotated[
        datetime | None,
        Query(description="Only those created at or after this time (ISO 8601; UTC if bare)."),
    ] = None,
    created_to: Annotated[
        datetime | None,
        Query(description="Only those created before this time (ISO 8601; UTC if bare)."),
    ] = None,
) -> PageQuery:
    """The paging and date filter of ``GET /v1/plans`` and ``GET /v1/jobs``."""
    return PageQuery(limit, offset, created_from, created_to)


def get_database(request: Request) -> Database:
    """The app's database."""
    database: Database = request.app.state.database
    return database


def get_settings(request: Request) -> ServiceSettings:
    """The app's settings."""
    settings: ServiceSettings = request.app.state.settings
    return settings


def get_roads(request: Request) -> RoadsHolder:
    """The app's road network holder."""
    roads: RoadsHolder = request.app.state.roads
    return roads


def get_metrics(request: Request) -> Metrics:
    """The app's metrics."""
    metrics: Metrics = request.app.state.metrics
    return metrics


def media_type_of(request: Request) -> str:
    """The request's media type, lower case, without parameters ('' when none is sent)."""
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def unsupported_media_type(detail: str, hint: str, message: str | None = None) -> ApiProblem:
    """415 REQUEST_MEDIA_TYPE: the body is not in a media type the route reads.

    ``detail`` says what the route reads; ``message`` (default: the detail) is the error
    item's sentence, ``hint`` the header to send.
    """
    return ApiProblem(
        415,
        "unsupported-media-type",
        detail,
        [error_item("REQUEST_MEDIA_TYPE", message or detail, hint, "header.Content-Type")],
    )


async def json_body(request: Request) -> bytes:
    """The raw body of a JSON request (415 for another media type, 422 when empty)."""
    media_type = media_type_of(request)
    if media_type and not (media_type in JSON_MEDIA_TYPES or media_type.endswith("+json")):
        raise unsupported_media_type(
            f"This route reads application/json, not {media_type[:60]}.",
            "Send the header 'Content-Type: application/json'.",
            "The body is not sent as application/json.",
        )
    body = await request.body()
    if not body.strip():
        raise ApiProblem(
            422,
            "invalid-input",
            "The request has no body.",
            [
                error_item(
                    "INPUT_MALFORMED_JSON", "The request has no body.", "Send a JSON document."
                )
            ],
        )
    return body


def ensure_job_room(
    database: Database, settings: ServiceSettings, key_id: str, cancel_path: str
) -> None:
    """Refuse (429 with Retry-After) a submission from a key with too many unfinished jobs.

    ``cancel_path``: where the caller cancels one, for the hint (e.g. ``/v1/jobs/{id}``).
    """
    from app.db.repositories import JobRepository

    with database.read() as session:
        active = JobRepository(session).count_active(key_id)
    if active < settings.max_active_jobs_per_key:
        return
    message = (
        f"This key has {active} unfinished jobs; at most "
        f"{settings.max_active_jobs_per_key} are allowed."
    )
    raise ApiProblem(
        429,
        "too-many-jobs",
        message,
        [
            error_item(
                "LIMIT_ACTIVE_JOBS",
                message,
                f"Wait for a job to finish, or cancel one (DELETE {cancel_path}).",
            )
        ],
        headers={"Retry-After": str(settings.retry_after_s)},
    )


def parse_json(body: bytes, what: str = "The body") -> Any:
    """The JSON in ``body`` (422 naming line and column when it is not JSON)."""
    try:
        return json.loads(body.decode("utf-8-sig"))
    except UnicodeDecodeError:
        message = f"{what} is not UTF-8 text."
        raise ApiProblem(
            422,
            "invalid-input",
            message,
            [error_item("INPUT_MALFORMED_JSON", message, "Send UTF-8 encoded JSON.")],
        ) from None
    except json.JSONDecodeError as error:
        message = (
            f"{what} is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}."
        )
        raise ApiProblem(
            422,
            "invalid-input",
            message,
            [
                error_item(
                    "INPUT_MALFORMED_JSON",
                    message,
                    "Look for a missing comma, quote or bracket there.",
                )
            ],
        ) from None
    except RecursionError:
        message = f"{what} is nested too deeply."
        raise ApiProblem(
            422,
            "invalid-input",
            message,
            [error_item("INPUT_MALFORMED_JSON", message, "Send a flatter document.")],
        ) from None


def not_found(what: str, ident: str) -> ApiProblem:
    """404 for a missing plan, job, key, vehicle..."""
    message = f"There is no {what} {ident}."
    return ApiProblem(
        404, "not-found", message, [error_item("NOT_FOUND", message, f"Check the {what} id.")]
    )


def _elapsed(job: Job, now: datetime) -> float | None:
    if job.started_at is None:
        return None
    end = job.finished_at or now
    return round(max(0.0, (end - job.started_at).total_seconds()), 1)


def job_resource(job: Job) -> JobResource:
    """The API's view of a job row."""
    progress: dict[str, Any] = json.loads(job.progress_json or "{}")
    days = job.days.split(",")
    directions = job.directions.split(",")
    base = f"/v1/jobs/{job.id}"
    violations = json.loads(job.violations_json) if job.violations_json else None
    return JobResource(
        id=job.id,
        plan_id=job.plan_id,
        status=job.status,  # type: ignore[arg-type]
        cancel_requested=job.cancel_requested,
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
        days=days,  # type: ignore[arg-type]
        directions=directions,  # type: ignore[arg-type]
        attempts=job.attempts,
        max_attempts=job.max_attempts,
        progress=JobProgress(
            stage=progress.get("stage", job.status),
            day_directions_done=progress.get("day_directions_done", 0),
            day_directions_total=progress.get("day_directions_total", len(days) * len(directions)),
            running=progress.get("running", []),
            cost_so_far=progress.get("cost_so_far"),
            elapsed_s=_elapsed(job, utcnow()),
            time_limit_s=job.time_limit_s,
            attempt=progress.get("attempt", job.attempts),
            notes=progress.get("notes", []),
        ),
        error=Problem(**json.loads(job.error_json)) if job.error_json else None,
        num_violations=None if violations is None else len(violations),
        is_partial=job.is_partial,
        previous_job_id=job.previous_job_id,
        links=JobLinks(
            self=base,
            plan=f"/v1/plans/{job.plan_id}",
            result=f"{base}/result",
            geojson=f"{base}/geojson",
            day=f"{base}/days/{{day}}/{{direction}}",
            manifest=f"{base}/manifests/{{day}}/{{vehicle_id}}",
        ),
    )


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {
        "description": description,
        "content": {
            "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
        },
    }
    for status, description in (
        (401, "No valid API key."),
        (403, "The key's role lacks the permission."),
        (422, "Invalid input: every problem is listed in errors."),
    )
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI responses for the problem statuses a route can answer (plus 401/403/422)."""
    descriptions = {
        404: "No such resource.",
        409: "The job is not in a state that allows this.",
        413: "The body is too large.",
        415: "The body's media type is not the one the route reads.",
        429: "The key has too many unfinished jobs; retry after Retry-After seconds.",
        503: "The road network is not available.",
    }
    responses = dict(PROBLEM_RESPONSES)
    for status in statuses:
        responses[status] = {
            "description": descriptions.get(status, "Error."),
            "content": {
                "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
            },
        }
    return responses


def queued_responses(what: str) -> dict[int | str, dict[str, Any]]:
    """OpenAPI responses of a route that queues work: 202 with the ``what``'s URL in Location."""
    responses = problem_responses(413, 415, 429)
    responses[202] = {
        "description": "Queued.",
        "headers": {
            "Location": {"schema": {"type": "string"}, "description": f"The {what}'s URL."}
        },
    }
    return responses


def request_body(media_type: str, **content: Any) -> dict[str, Any]:
    """``openapi_extra`` documenting a body a route reads itself: its schema and examples."""
    return {"requestBody": {"required": True, "content": {media_type: content}}}
