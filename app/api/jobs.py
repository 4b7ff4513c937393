"""Jobs: status and progress, cancel, and the result in all its forms.

The week (dagrute result JSON or VROOM JSON), GeoJSON, one day-direction for dispatchers,
and driver manifests as JSON or printable HTML.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse

from app import convert
from app.api.deps import (
    PageQuery,
    get_database,
    job_resource,
    not_found,
    page_query,
    problem_responses,
)
from app.api.dispatch import current_day
from app.db.models import FINAL_STATUSES, Job, JobKind, JobStatus
from app.db.repositories import DetailsRepository, JobRepository
from app.db.session import Database
from app.errors import ApiProblem, error_item
from app.render import manifest_html
from app.schemas import DirectionName, JobList, JobResource, Manifest
from app.security import Caller, Permission, forbidden, require
from solver import Day

router = APIRouter(prefix="/v1/jobs", tags=["jobs"])

JobId = Annotated[str, Path(min_length=1, max_length=64, description="The job's id.")]
VehicleId = Annotated[str, Path(min_length=1, max_length=200, description="A vehicle's id.")]


def _job(database: Database, job_id: str, caller: Caller) -> Job:
    """The job, if it is the caller's organisation's (404 otherwise, as for no job)."""
    with database.read() as session:
        job = JobRepository(session).get(job_id, caller.organisation)
    if job is None:
        raise not_found("job", job_id)
    return job


def _no_result(job: Job) -> ApiProblem:
    if job.status not in FINAL_STATUSES:
        code, message = "JOB_NOT_FINISHED", f"Job {job.id} is {job.status}; it has no result yet."
        hint = "Poll the job until its status is succeeded."
    else:
        code = "JOB_NO_RESULT"
        message = f"Job {job.id} ended {job.status} without a result."
        hint = "Read the job's error, fix the plan and submit it again."
    return ApiProblem(409, "conflict", message, [error_item(code, message, hint)])


def _result(job: Job) -> dict[str, Any]:
    if job.result_json is None:
        raise _no_result(job)
    result: dict[str, Any] = json.loads(job.result_json)
    return result


@router.get(
    "",
    response_model=JobList,
    summary="The organisation's jobs, newest first",
    description="Paged (`limit`, `offset`); filtered by `status` (repeatable), `kind` "
    "(`solve` or `scenarios`) and creation time (`created_from`, `created_to`). Only the "
    "caller's organisation's jobs.",
    responses=problem_responses(),
)
def list_jobs(
    caller: Annotated[Caller, Depends(require(Permission.JOBS_READ))],
    database: Annotated[Database, Depends(get_database)],
    page: Annotated[PageQuery, Depends(page_query)],
    status: Annotated[
        list[JobStatus] | None, Query(description="Only jobs of these statuses.")
    ] = None,
    kind: Annotated[JobKind | None, Query(description="Only jobs of this kind.")] = None,
) -> JobList:
    """List jobs."""
    with database.read() as session:
        found = JobRepository(session).page(
            page.filter(caller.organisation),
            statuses=[s.value for s in status or ()],
            kinds=[kind.value] if kind is not None else [],
        )
        items = [job_resource(job) for job in found.rows]
    return JobList(items=items, total=found.total, limit=page.limit, offset=page.offset)


@router.get(
    "/{job_id}",
    response_model=JobResource,
    summary="A job's status and progress",
    responses=problem_responses(404),
)
def get_job(
    job_id: JobId,
    caller: Annotated[Caller, Depends(require(Permission.JOBS_READ))],
    database: Annotated[Database, Depends(get_database)],
) -> JobResource:
    """Read a job."""
    return job_resource(_job(database, job_id, caller))


@router.delete(
    "/{job_id}",
    response_model=JobResource,
    summary="Cancel a job",
    description="A queued job is cancelled at once (200). A running job is asked to stop "
    "(202): its worker stops within a few seconds and keeps the day-directions already "
    "solved as a partial result. A finished job cannot be cancelled (409).",
    responses={**problem_responses(404, 409), 202: {"description": "Cancel requested."}},
)
def cancel_job(
    job_id: JobId,
    response: Response,
    caller: Annotated[Caller, Depends(require(Permission.PLANS_WRITE))],
    database: Annotated[Database, Depends(get_database)],
) -> JobResource:
    """Cancel a job."""
    with database.write() as session:
        repo = JobRepository(session)
        job = repo.get(job_id, caller.organisation)
        if job is None:
            raise not_found("job", job_id)
        if repo.cancel_queued(job_id):
            response.status_code = 200
        elif repo.request_cancel(job_id):
            response.status_code = 202
        else:
            message = f"Job {job_id} has already finished ({job.status})."
            raise ApiProblem(
                409,
                "conflict",
                message,
                [error_item("JOB_FINISHED", message, "Nothing to cancel.")],
            )
        session.refresh(job)
        return job_resource(job)


@router.get(
    "/{job_id}/result",
    summary="The week result (dagrute result JSON, or VROOM's format)",
    description="The result of a finished job. `format=vroom` gives VROOM's solution format "
    "for jobs submitted through POST /v1/vroom. A cancelled or failed job that solved some "
    "day-directions answers them with the header `Dagrute-Partial: true`. A key without "
    "`routes:read` (an analyst) reads the figures only (`ResultFigures`: no passenger id, "
    "stop or place), and no VROOM format.",
    responses={
        **problem_responses(403, 404, 409),
        200: {
            "description": "The result, or its figures for a key without routes:read.",
            "content": {
                "application/json": {
                    "schema": {
                        "oneOf": [
                            {"$ref": "#/components/schemas/ResultSchema"},
                            {"$ref": "#/components/schemas/ResultFigures"},
                        ]
                    }
                }
            },
        },
    },
)
def get_result(
    job_id: JobId,
    caller: Annotated[Caller, Depends(require(Permission.JOBS_READ))],
    database: Annotated[Database, Depends(get_database)],
    format: Annotated[Literal["dagrute", "vroom"], Query(description="Output format.")] = "dagrute",
) -> JSONResponse:
    """Read a job's result (its figures only, without ``routes:read``)."""
    job = _job(database, job_id, caller)
    result = _result(job)
    headers = {"Dagrute-Partial": "true"} if job.is_partial else {}
    if not caller.may(Permission.ROUTES_READ):
        if format == "vroom":
            raise forbidden(caller, Permission.ROUTES_READ)
        return JSONResponse(convert.figures_only(result), headers=headers)
    if format == "vroom":
        with database.read() as session:
            plan = JobRepository(session).plan_of(job)
            source_format, source_json = plan.source_format, plan.source_json
        if source_format != "vroom" or source_json is None:
            message = "format=vroom is only available for jobs submitted as VROOM JSON."
            raise ApiProblem(
                409,
                "conflict",
                message,
                [
                    error_item(
                        "FORMAT_NOT_AVAILABLE",
                        message,
                        "Leave out format, or submit through POST /v1/vroom.",
                        "query.format",
                    )
                ],
            )
        return JSONResponse(convert.vroom_result(source_json, result), headers=headers)
    return JSONResponse(result, headers=headers)


@router.get(
    "/{job_id}/geojson",
    summary="The routes as GeoJSON (RFC 7946) for maps",
    responses={
        **problem_responses(404, 409),
        200: {"description": "A FeatureCollection.", "content": {"application/geo+json": {}}},
    },
)
def get_geojson(
    job_id: JobId,
    caller: Annotated[Caller, Depends(require(Permission.ROUTES_READ))],
    database: Annotated[Database, Depends(get_database)],
) -> JSONResponse:
    """Read a job's routes as GeoJSON."""
    job = _job(database, job_id, caller)
    return JSONResponse(convert.geojson(_result(job)), media_type="application/geo+json")


@router.get(
    "/{job_id}/days/{day}/{direction}",
    summary="One day-direction's routes (for dispatchers)",
    description="Available as soon as that day-direction is solved, while the job still runs. "
    "Once the day is re-planned after the day's changes (POST .../days/{day}/changes), its "
    "current version, named in the header `Dagrute-Day-Version`.",
    responses={
        **problem_responses(404, 409),
        200: {
            "description": "The day-direction in result JSON's plans[] format.",
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/DayPlanSchema"}}
            },
        },
    },
)
def get_day(
    job_id: JobId,
    day: Day,
    direction: DirectionName,
    caller: Annotated[Caller, Depends(require(Permission.ROUTES_READ))],
    database: Annotated[Database, Depends(get_database)],
) -> JSONResponse:
    """Read one day-direction's routes (the day's current version once it is re-planned)."""
    job = _job(database, job_id, caller)
    versioned = current_day(database, job_id, day)
    if versioned is not None and direction in versioned[1]:
        version, plans = versioned
        return JSONResponse(plans[direction], headers={"Dagrute-Day-Version": str(version)})
    with database.read() as session:
        row = JobRepository(session).day_result(job_id, day, direction)
    if row is None:
        if day not in job.days.split(",") or direction not in job.directions.split(","):
            raise not_found(f"day-direction in job {job_id}:", f"{day} {direction}")
        message = f"{day} {direction} of job {job_id} is not solved (job {job.status})."
        raise ApiProblem(
            409, "conflict", message, [error_item("JOB_DAY_NOT_SOLVED", message, "Poll the job.")]
        )
    return JSONResponse(json.loads(row.result_json))


@router.get(
    "/{job_id}/manifests/{day}/{vehicle_id}",
    response_model=Manifest,
    summary="A driver's manifest for a day (JSON, or printable HTML)",
    description="Stops in order with times, who boards and alights, wheelchairs and escorts, "
    "and the load after each stop; morning and afternoon, from the day's current version. "
    "With `details:read` (dispatchers, admins), also the passengers' names, phones and "
    "notes and the home stops' addresses, where the plan's details give them "
    "(`PUT /v1/plans/{plan_id}/details`). HTML with `Accept: text/html` or `format=html`.",
    responses={
        **problem_responses(404, 409),
        200: {"description": "The manifest.", "content": {"text/html": {}}},
    },
)
def get_manifest(
    request: Request,
    job_id: JobId,
    day: Day,
    vehicle_id: VehicleId,
    caller: Annotated[Caller, Depends(require(Permission.ROUTES_READ))],
    database: Annotated[Database, Depends(get_database)],
    format: Annotated[
        Literal["json", "html"] | None,
        Query(description="json or html; default: by the Accept header, else json."),
    ] = None,
) -> Response:
    """Read a driver's manifest."""
    job = _job(database, job_id, caller)
    with database.read() as session:
        repo = JobRepository(session)
        plan_json = repo.plan_of(job).plan_json
        rows = {
            row.direction: json.loads(row.result_json)
            for row in repo.day_results(job_id)
            if row.day == day
        }
        details = (
            DetailsRepository(session).of_plan(job.plan_id)
            if caller.may(Permission.DETAILS_READ)
            else None
        )
    versioned = current_day(database, job_id, day)
    if versioned is not None:
        rows.update(versioned[1])
    if (
        not rows
        and day in job.days.split(",")
        and job.status in (JobStatus.QUEUED.value, JobStatus.RUNNING.value)
    ):
        message = f"Job {job_id} has not solved {day} yet."
        raise ApiProblem(
            409,
            "conflict",
            message,
            [error_item("JOB_DAY_NOT_SOLVED", message, "Poll the job.")],
        )
    manifest = convert.manifest(
        job_id, convert.plan_from_stored(plan_json), day, vehicle_id, rows, details
    )
    if manifest is None:
        raise not_found("vehicle", vehicle_id)
    wants_html = format == "html" or (
        format is None and "text/html" in request.headers.get("accept", "").split(",")[0]
    )
    if wants_html:
        return HTMLResponse(manifest_html(manifest))
    return JSONResponse(manifest.model_dump(mode="json"))
