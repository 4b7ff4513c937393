"""Plans: submit a week plan (queues a job), read it, erase it with its jobs and results."""

from __future__ import annotations

import hashlib
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.exc import IntegrityError

from app import convert
from app.api.deps import (
    PageQuery,
    ensure_job_room,
    get_database,
    get_metrics,
    get_roads,
    get_settings,
    job_resource,
    json_body,
    not_found,
    page_query,
    parse_json,
    problem_responses,
    queued_responses,
    request_body,
)
from app.db.models import Job, JobKind, JobStatus, Plan
from app.db.repositories import JobRepository, PlanRepository
from app.db.session import Database
from app.errors import ApiProblem, error_item, input_problem
from app.metrics import Metrics
from app.roads import RoadsHolder
from app.schemas import DirectionName, JobResource, PlanList, PlanResource
from app.security import Caller, Permission, require
from app.settings import ServiceSettings
from solver import DAYS, Day, WeekPlan
from solver.errors import InputError
from solver.roads import RoadsError

router = APIRouter(prefix="/v1", tags=["plans"])

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=255,
        description="Any unique string (e.g. a UUID). The same key with the same request "
        "returns the first job instead of queueing another; with a different request: 422.",
    ),
]
Days = Annotated[
    list[Day] | None,
    Query(alias="day", description="Solve only these weekdays (repeatable); default all."),
]
Directions = Annotated[
    list[DirectionName] | None,
    Query(alias="direction", description="Solve only these directions (repeatable)."),
]
PlanId = Annotated[str, Path(min_length=1, max_length=64, description="The plan's id.")]
PreviousJob = Annotated[
    str | None,
    Query(
        alias="previous_job",
        min_length=1,
        max_length=64,
        description="An earlier succeeded job (e.g. last week's) whose routes this plan keeps "
        "where it can: the same vehicle and pickup time for the passengers of both "
        "(consistency at least soft). The result's totals then count what changed "
        "(stability_*). The CLI's --previous.",
    ),
]


def check_previous_job(database: Database, job_id: str | None, organisation: str) -> None:
    """422 naming ``job_id`` unless it is a succeeded solve job of ``organisation``."""
    if job_id is None:
        return
    with database.read() as session:
        job = JobRepository(session).get(job_id, organisation)
        usable = (
            job is not None
            and job.kind == JobKind.SOLVE.value
            and job.status == JobStatus.SUCCEEDED.value
            and job.result_json is not None
        )
    if not usable:
        raise ApiProblem(
            422,
            "invalid-input",
            f"Job {job_id} has no week to keep routes from.",
            [
                error_item(
                    "INPUT_PREVIOUS_JOB",
                    f"Job {job_id} is not a succeeded plan solve.",
                    "Name a job of POST /v1/plans whose status is succeeded, or leave out "
                    "previous_job.",
                    "previous_job",
                    job_id,
                )
            ],
        )


_SAMPLE_PLAN: dict[str, Any] = {
    "name": "two passengers, one in a wheelchair",
    "centres": [
        {
            "id": "C01",
            "location": {"lat": 59.8855067, "lon": 10.7884013},
            "arrival_window": {"start": "08:00", "end": "08:30"},
            "departure_window": {"start": "14:30", "end": "15:00"},
        }
    ],
    "passengers": [
        {"id": "P001", "home": {"lat": 59.9057, "lon": 10.7828}, "centre_id": "C01",
         "days": ["mon", "wed"]},
        {"id": "P002", "home": {"lat": 59.8913, "lon": 10.8040}, "centre_id": "C01",
         "days": ["mon"], "mobility": "wheelchair", "escorts": 1},
    ],
    "vehicles": [
        {"id": "V1", "depot": {"lat": 59.8925, "lon": 10.7700}, "seats": 6,
         "wheelchair_places": 1, "shift": {"start": "06:30", "end": "17:30"}}
    ],
    "settings": {"time_limit_s": 20},
}  # fmt: skip


def request_hash(request: Request, body: bytes) -> str:
    """SHA-256 of what makes a submission the same: path, query and body."""
    digest = hashlib.sha256()
    digest.update(request.url.path.encode())
    digest.update(b"?" + str(request.url.query).encode() + b"\n")
    digest.update(body)
    return digest.hexdigest()


def submit(
    *,
    database: Database,
    settings: ServiceSettings,
    roads: RoadsHolder,
    metrics: Metrics,
    caller: Caller,
    plan: WeekPlan,
    plan_json: str,
    source_format: str,
    source_json: str | None,
    digest: str,
    idempotency_key: str | None,
    pairs: list[tuple[str, str]],
    response: Response,
    previous_job_id: str | None = None,
) -> JobResource:
    """Queue a checked plan as a job (or return the job of an idempotent replay)."""
    if idempotency_key is not None:
        replay = _replay(database, caller, idempotency_key, digest)
        if replay is not None:
            response.headers["Idempotent-Replayed"] = "true"
            response.headers["Location"] = replay.links.self
            return replay
    limits = convert.limit_errors(plan, settings)
    if limits:
        raise ApiProblem(
            422,
            "limit-exceeded",
            "The plan is larger than this service allows; each limit is listed in errors.",
            limits,
        )
    try:
        network = roads.get()
    except RoadsError:
        network = None  # the worker reports road problems on the job
    if network is not None:
        off_road = convert.off_road_issues(plan, network)
        if off_road:
            raise input_problem(InputError(off_road), what="The plan")
    check_previous_job(database, previous_job_id, caller.organisation)
    ensure_job_room(database, settings, caller.key_id, "/v1/jobs/{id}")
    try:
        with database.write() as session:
            _, job = PlanRepository(session).add_with_job(
                key_id=caller.key_id,
                organisation=caller.organisation,
                plan_json=plan_json,
                source_format=source_format,
                source_json=source_json,
                num_passengers=len(plan.passengers),
                num_vehicles=len(plan.vehicles),
                idempotency_key=idempotency_key,
                request_sha256=digest,
                days=sorted({d for d, _ in pairs}, key=DAYS.index),
                directions=[r for r in ("to_centre", "from_centre") if r in {r for _, r in pairs}],
                time_limit_s=plan.settings.time_limit_s,
                max_attempts=settings.max_attempts,
                notes=convert.plan_notes(plan),
                previous_job_id=previous_job_id,
            )
            resource = job_resource(job)
    except IntegrityError:
        # Two submissions with one Idempotency-Key raced; the other one won.
        replay = _replay(database, caller, idempotency_key or "", digest)
        if replay is None:
            raise
        response.headers["Idempotent-Replayed"] = "true"
        resource = replay
    else:
        metrics.plans_submitted.labels(source_format).inc()
    response.headers["Location"] = resource.links.self
    return resource


def _replay(database: Database, caller: Caller, key: str, digest: str) -> JobResource | None:
    with database.read() as session:
        plan = PlanRepository(session).by_idempotency_key(caller.key_id, key)
        if plan is None:
            return None
        if plan.request_sha256 != digest:
            message = "This Idempotency-Key was used before with a different request."
            raise ApiProblem(
                422,
                "idempotency-key-reused",
                message,
                [
                    error_item(
                        "IDEMPOTENCY_KEY_REUSED",
                        message,
                        "Use a new Idempotency-Key for a new request.",
                        "header.Idempotency-Key",
                    )
                ],
            )
        job_ids = PlanRepository(session).job_ids(plan.id)
        job = session.get(Job, job_ids[0]) if job_ids else None
        if job is None:
            return None
        return job_resource(job)


@router.post(
    "/plans",
    status_code=202,
    response_model=JobResource,
    summary="Submit a week plan; queues a job solving it",
    description="Checks the plan (structure, meaning, off-road locations, service limits) "
    "and queues a job; answers 202 with the job and its URL in Location. Poll the job; "
    "`day`/`direction` narrow what is solved.",
    responses=queued_responses("job"),
    openapi_extra=request_body(
        "application/json",
        schema={"$ref": "#/components/schemas/PlanSchema"},
        examples={"small": {"summary": "A small plan", "value": _SAMPLE_PLAN}},
    ),
)
async def submit_plan(
    request: Request,
    response: Response,
    caller: Annotated[Caller, Depends(require(Permission.PLANS_WRITE))],
    body: Annotated[bytes, Depends(json_body)],
    database: Annotated[Database, Depends(get_database)],
    settings: Annotated[ServiceSettings, Depends(get_settings)],
    roads: Annotated[RoadsHolder, Depends(get_roads)],
    metrics: Annotated[Metrics, Depends(get_metrics)],
    idempotency_key: IdempotencyKey = None,
    day: Days = None,
    direction: Directions = None,
    previous_job: PreviousJob = None,
) -> JobResource:
    """Submit a plan."""
    digest = request_hash(request, body)

    def work() -> JobResource:
        data = parse_json(body, "The plan")
        try:
            plan = convert.parse_submitted_plan(data)
        except InputError as error:
            raise input_problem(error, what="The plan") from None
        pairs = [(str(d), str(r)) for d, r in convert.day_direction_pairs(day, direction)]
        return submit(
            database=database,
            settings=settings,
            roads=roads,
            metrics=metrics,
            caller=caller,
            plan=plan,
            plan_json=body.decode("utf-8-sig"),
            source_format="dagrute",
            source_json=None,
            digest=digest,
            idempotency_key=idempotency_key,
            pairs=pairs,
            response=response,
            previous_job_id=previous_job,
        )

    return await run_in_threadpool(work)


@router.get(
    "/plans",
    response_model=PlanList,
    summary="The organisation's plans, newest first",
    description="Paged (`limit`, `offset`) and filtered by creation time (`created_from`, "
    "`created_to`); each with its jobs' ids (filter jobs by status with GET /v1/jobs). Only "
    "the caller's organisation's plans.",
    responses=problem_responses(),
)
def list_plans(
    caller: Annotated[Caller, Depends(require(Permission.JOBS_READ))],
    database: Annotated[Database, Depends(get_database)],
    page: Annotated[PageQuery, Depends(page_query)],
) -> PlanList:
    """List plans."""
    with database.read() as session:
        found = PlanRepository(session).page(page.filter(caller.organisation))
        items = [_plan_resource(plan, job_ids) for plan, job_ids in found.rows]
    return PlanList(items=items, total=found.total, limit=page.limit, offset=page.offset)


def _plan_resource(plan: Plan, job_ids: list[str]) -> PlanResource:
    return PlanResource(
        id=plan.id,
        created_at=plan.created_at,
        source_format=plan.source_format,  # type: ignore[arg-type]
        num_passengers=plan.num_passengers,
        num_vehicles=plan.num_vehicles,
        job_ids=job_ids,
    )


@router.get(
    "/plans/{plan_id}",
    response_model=PlanResource,
    summary="A stored plan's summary and its jobs",
    responses=problem_responses(404),
)
def get_plan(
    plan_id: PlanId,
    caller: Annotated[Caller, Depends(require(Permission.JOBS_READ))],
    database: Annotated[Database, Depends(get_database)],
) -> PlanResource:
    """Read a plan's summary."""
    with database.read() as session:
        repo = PlanRepository(session)
        plan = repo.get(plan_id, caller.organisation)
        if plan is None:
            raise not_found("plan", plan_id)
        return _plan_resource(plan, repo.job_ids(plan.id))


@router.delete(
    "/plans/{plan_id}",
    status_code=204,
    summary="Erase a plan with its jobs and results",
    description="Running jobs of the plan stop at their next heartbeat (their writes are "
    "refused). Nothing of the plan is kept.",
    responses=problem_responses(404),
)
def delete_plan(
    plan_id: PlanId,
    caller: Annotated[Caller, Depends(require(Permission.PLANS_WRITE))],
    database: Annotated[Database, Depends(get_database)],
) -> Response:
    """Erase a plan."""
    with database.write() as session:
        if not PlanRepository(session).delete(plan_id, caller.organisation):
            raise not_found("plan", plan_id)
    return Response(status_code=204)
