"""The dispatcher's day on a solved week: record changes, re-plan, read and restore versions.

A week job's day has versions: 0 is the day as the job solved it; each ``POST .../changes``
queues a ``replan`` job (a worker runs :func:`solver.dispatch.replan.replan_week`, as
``dagrute replan`` does) that fills in the next version; a restore makes an earlier version's
routes current again as a new version. The day's routes and manifests
(``GET /v1/jobs/{id}/days/{day}/{direction}``, ``.../manifests/...``) answer the current
version. Nothing here plans: the re-plan runs in a worker.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from app import convert
from app.api.deps import (
    ensure_job_room,
    get_database,
    get_roads,
    get_settings,
    json_body,
    not_found,
    parse_json,
    problem_responses,
    queued_responses,
    request_body,
)
from app.db.models import DayVersion, Job, JobKind, JobStatus
from app.db.repositories import DayVersionRepository, JobRepository
from app.db.session import Database
from app.errors import ApiProblem, error_item, input_problem
from app.roads import RoadsHolder
from app.schemas import (
    DayVersionLinks,
    DayVersionList,
    DayVersionResource,
    DayVersionSummary,
    MovesPreview,
    MovesRequest,
    ReplanRequest,
    RestoreRequest,
)
from app.security import Caller, Permission, require
from app.settings import ServiceSettings
from solver import Day
from solver.dispatch.changes import (
    Address,
    DayChange,
    DayChanges,
    changed_plan,
    check_changes,
    describe,
    still_in_force,
)
from solver.dispatch.edits import Move, preview_moves
from solver.domain import Direction, WeekPlan
from solver.errors import InputError, Issue
from solver.io import parse_result
from solver.io.changes import changes_from_schema, changes_to_json, parse_in_force
from solver.io.issues import validate_json
from solver.io.schemas.changes import DayChangesSchema
from solver.week import build_week_matrices, with_geometry

router = APIRouter(prefix="/v1/jobs", tags=["dispatch"])

JobId = Annotated[str, Path(min_length=1, max_length=64, description="The week job's id.")]
VersionNumber = Annotated[int, Path(ge=0, le=100_000, description="The day version.")]

_EXAMPLE = {
    "changes": [
        {"kind": "absence", "passenger_id": "P0005", "note": "Ill, called at 06:40"},
        {"kind": "vehicle_unavailable", "vehicle_id": "V002", "from": "07:30"},
    ],
    "note": "Monday morning",
}


def _week_job(database: Database, job_id: str, caller: Caller) -> Job:
    """The week job (a ``solve``), if the caller's organisation's; 404 otherwise."""
    with database.read() as session:
        job = JobRepository(session).get(job_id, caller.organisation)
    if job is None or job.kind != JobKind.SOLVE.value:
        raise not_found("week job", job_id)
    return job


def _day_not_planned(job: Job, day: str) -> ApiProblem:
    message = f"Job {job.id} has no routes on {day} yet (job {job.status})."
    hint = (
        "Poll the job until the day is solved."
        if job.status in (JobStatus.QUEUED.value, JobStatus.RUNNING.value)
        else "Record changes for a day the week's job planned."
    )
    return ApiProblem(
        409, "conflict", message, [error_item("CHANGE_DAY_NOT_PLANNED", message, hint)]
    )


def _solved_day(
    database: Database, job: Job, day: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Version 0 of the day: its day-directions (mornings first) and their violations.

    409 if the day has no solved day-direction.
    """
    with database.read() as session:
        rows = [r for r in JobRepository(session).day_results(job.id) if r.day == day]
    if not rows:
        raise _day_not_planned(job, day)
    rows.sort(key=lambda r: r.direction != "to_centre")
    plans = [json.loads(r.result_json) for r in rows]
    return plans, [v for r in rows for v in json.loads(r.violations_json)]


def _in_force(row: DayVersion | None) -> tuple[DayChange, ...]:
    """The changes in force at a version (none at version 0 or before its re-plan ran)."""
    if row is None or row.in_force_json is None:
        return ()
    return parse_in_force(row.in_force_json)


def _change_issues(
    plan: WeekPlan, day: Day, earlier: tuple[DayChange, ...], own: DayChanges
) -> list[Issue]:
    """Every problem of ``own`` added to ``earlier`` against the plan, by the request's paths."""
    try:
        check_changes(plan, DayChanges(day, (*earlier, *own.changes)))
    except InputError as error:
        return [_request_path(issue, len(earlier)) for issue in error.issues]
    return []


def _request_path(issue: Issue, num_earlier: int) -> Issue:
    """An issue of the combined changes, with the path of the request (or of in_force)."""
    if issue.path is None or not issue.path.startswith("changes["):
        return issue
    index = int(issue.path[len("changes[") : issue.path.index("]")])
    path = f"changes[{index - num_earlier}]" if index >= num_earlier else f"in_force[{index}]"
    return Issue(issue.code, issue.message, issue.hint, path, issue.id)


async def _solved_day_and_body(
    request: Request, database: Database, job_id: str, day: Day, caller: Caller
) -> tuple[Job, list[dict[str, Any]], bytes]:
    """The week job, its solved day (version 0) and the request's JSON body.

    The week and its day first: another organisation's job is 404 whatever the body.
    """
    week = await run_in_threadpool(_week_job, database, job_id, caller)
    published, _ = await run_in_threadpool(_solved_day, database, week, day)
    return week, published, await json_body(request)


RequestT = TypeVar("RequestT", bound=BaseModel)


def _request(body: bytes, model: type[RequestT], source: str, what: str) -> RequestT:
    """The request body as ``model`` (422 listing every problem, naming ``what``)."""
    parse_json(body, what)
    try:
        return validate_json(model, body, source, what)
    except InputError as error:
        raise input_problem(error, what=what) from None


def _plan_and_current(
    database: Database, week: Job, day: str
) -> tuple[WeekPlan, DayVersion | None]:
    """The week's plan and the day's current version (None: version 0)."""
    with database.read() as session:
        plan_json = JobRepository(session).plan_of(week).plan_json
        current = DayVersionRepository(session).current(week.id, day)
    return convert.plan_from_stored(plan_json), current


def _links(job_id: str, day: str, version: int, replan_job: str | None) -> DayVersionLinks:
    return DayVersionLinks(
        self=f"/v1/jobs/{job_id}/days/{day}/versions/{version}",
        job=None if replan_job is None else f"/v1/jobs/{replan_job}",
        day=f"/v1/jobs/{job_id}/days/{day}/{{direction}}",
    )


def _answer(resource: dict[str, Any], status_code: int = 200) -> JSONResponse:
    """A day version as JSON, checked against :class:`DayVersionResource` on the way out.

    Built as JSON and validated from JSON: the routes and changes inside are the solver's
    strict file models, which read their enums from JSON text only.
    """
    checked = DayVersionResource.model_validate_json(json.dumps(resource, default=str))
    headers = {"Location": resource["links"]["self"]} if status_code == 202 else None
    return JSONResponse(
        checked.model_dump(mode="json", by_alias=True), status_code=status_code, headers=headers
    )


def _version_zero(database: Database, week: Job, day: str, current: int) -> dict[str, Any]:
    plans, violations = _solved_day(database, week, day)
    return {
        "week_job_id": week.id,
        "day": day,
        "version": 0,
        "kind": "solved",
        "status": JobStatus.SUCCEEDED.value,
        "is_current": current == 0,
        "based_on": None,
        "created_at": week.created_at.isoformat(),
        "key_id": week.key_id,
        "role": None,
        "note": "",
        "changes": [],
        "in_force": [],
        "plans": plans,
        "diffs": None,
        "violations": violations,
        "error": None,
        "links": _links(week.id, day, 0, None).model_dump(),
    }


def _status(row: DayVersion, replan_job: Job | None) -> JobStatus:
    if replan_job is None:
        return JobStatus.SUCCEEDED
    return JobStatus(replan_job.status)


def _loaded(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def _version_resource(
    week: Job, row: DayVersion, replan_job: Job | None, current: int
) -> dict[str, Any]:
    return {
        "week_job_id": week.id,
        "day": row.day,
        "version": row.version,
        "kind": row.kind,
        "status": _status(row, replan_job).value,
        "is_current": current == row.version,
        "based_on": row.based_on if row.result_json is not None else None,
        "created_at": row.created_at.isoformat(),
        "key_id": row.key_id,
        "role": row.role,
        "note": row.note,
        "changes": json.loads(row.changes_json)["changes"],
        "withdrawn": json.loads(row.changes_json).get("withdrawn", []),
        "in_force": None if row.in_force_json is None else json.loads(row.in_force_json)["changes"],
        "plans": _loaded(row.result_json),
        "diffs": _loaded(row.diff_json),
        "violations": _loaded(row.violations_json),
        "error": _loaded(replan_job.error_json) if replan_job is not None else None,
        "links": _links(week.id, row.day, row.version, row.job_id).model_dump(),
    }


def _versions(
    database: Database, week: Job, day: str
) -> tuple[list[DayVersion], dict[str, Job], int]:
    """The day's versions (1...), their re-plan jobs, and the current version's number."""
    with database.read() as session:
        repo = DayVersionRepository(session)
        rows = list(repo.versions(week.id, day))
        current = repo.current(week.id, day)
        jobs = JobRepository(session)
        replan_jobs = {
            row.job_id: job
            for row in rows
            if row.job_id is not None and (job := jobs.get(row.job_id)) is not None
        }
    return rows, replan_jobs, 0 if current is None else current.version


@router.post(
    "/{job_id}/days/{day}/changes",
    status_code=202,
    response_model=None,
    summary="Record the day's changes and re-plan the day with the least disruption",
    description="Adds the changes to those already in force on the day and queues a re-plan "
    "(a `replan` job, run by a worker before weeks queued earlier). Every passenger the "
    "changes leave alone keeps their vehicle and a pickup within 10 minutes of the current "
    "version's unless that is impossible. Answers 202 with the new day version (status "
    "`queued`) and its URL in Location: poll it. Bad changes answer 422 naming the id.",
    responses=queued_responses("day version")
    | problem_responses(404, 409)
    | {202: {"model": DayVersionResource, "description": "Queued: the day version to poll."}},
    openapi_extra=request_body(
        "application/json",
        schema={"$ref": "#/components/schemas/ReplanRequest"},
        examples={"morning": {"summary": "An absence and a breakdown", "value": _EXAMPLE}},
    ),
)
async def record_changes(
    request: Request,
    job_id: JobId,
    day: Day,
    caller: Annotated[Caller, Depends(require(Permission.ROUTES_EDIT))],
    database: Annotated[Database, Depends(get_database)],
    settings: Annotated[ServiceSettings, Depends(get_settings)],
    roads: Annotated[RoadsHolder, Depends(get_roads)],
) -> JSONResponse:
    """Record changes and queue the day's re-plan."""
    week, published, body = await _solved_day_and_body(request, database, job_id, day, caller)

    def work() -> JSONResponse:
        replan = _request(body, ReplanRequest, "changes", "The changes")
        planned = [p["direction"] for p in published]
        directions = [d for d in (replan.directions or planned) if d in planned]
        if not directions:
            raise _day_not_planned(week, day)
        own = changes_from_schema(
            DayChangesSchema.model_construct(
                day=day, changes=replan.changes, withdrawn=replan.withdraw
            )
        )
        plan, current = _plan_and_current(database, week, day)
        in_force = _in_force(current)
        earlier = still_in_force(in_force, own.withdrawn)
        issues = [
            Issue(
                "CHANGE_NOT_IN_FORCE",
                f"Change {describe(change)!r} is not in force on {day}.",
                "Take back a change as the current version's in_force lists it.",
                f"withdraw[{index}]",
            )
            for index, change in enumerate(own.withdrawn)
            if change not in in_force
        ] or _change_issues(plan, day, earlier, own)
        if not issues and any(isinstance(c, Address) for c in own.changes):
            # Another address must lie on the roads, as a submitted home must.
            changed = changed_plan(
                plan, DayChanges(day, (*earlier, *own.changes)), Direction.TO_CENTRE
            )
            issues = convert.off_road_issues(changed, roads.get(plan.settings.roads))
        if issues:
            raise input_problem(InputError(issues), what="The changes")
        ensure_job_room(database, settings, caller.key_id, f"/v1/jobs/{week.id}")
        with database.write() as session:
            row, replan_job = DayVersionRepository(session).add_replan(
                week,
                day=day,
                directions=directions,
                changes_json=json.dumps(changes_to_json(own)),
                note=replan.note,
                key_id=caller.key_id,
                role=str(caller.role),
                time_limit_s=replan.time_limit_s,
                max_attempts=settings.max_attempts,
            )
            resource = _version_resource(week, row, replan_job, -1)
        return _answer(resource, 202)

    return await run_in_threadpool(work)


@router.post(
    "/{job_id}/days/{day}/moves",
    response_model=MovesPreview,
    summary="Try hand moves on the day: re-timed and checked at once, nothing stored",
    description="Moves passengers onto other vehicles (before a given stop, or where the "
    "route is shortest) in the day's current version, with the changes in force; nobody "
    "else moves and nothing is searched. The changed routes are re-timed and the checker "
    "runs on the whole day-direction: a move that breaks a rule comes back with its "
    "violations, never accepted silently. Nothing is stored: to keep the moves, record the "
    "answer's `changes` (assign locks) with `POST .../changes`. Unknown ids answer 422.",
    responses=problem_responses(404, 409, 413, 415),
    openapi_extra=request_body(
        "application/json",
        schema={"$ref": "#/components/schemas/MovesRequest"},
        examples={
            "move": {
                "summary": "Move a passenger onto V002, boarding before its second stop",
                "value": {
                    "direction": "to_centre",
                    "moves": [{"passenger_id": "P0005", "vehicle_id": "V002", "position": 2}],
                },
            }
        },
    ),
)
async def try_moves(
    request: Request,
    job_id: JobId,
    day: Day,
    caller: Annotated[Caller, Depends(require(Permission.ROUTES_EDIT))],
    database: Annotated[Database, Depends(get_database)],
    roads: Annotated[RoadsHolder, Depends(get_roads)],
) -> JSONResponse:
    """Preview hand moves on a day-direction."""
    week, published, body = await _solved_day_and_body(request, database, job_id, day, caller)

    def work() -> JSONResponse:
        asked = _request(body, MovesRequest, "moves", "The moves")
        plan, current = _plan_and_current(database, week, day)
        days = {p["direction"]: p for p in published}
        if current is not None and current.result_json is not None:
            days.update({p["direction"]: p for p in json.loads(current.result_json)})
        if asked.direction not in days:
            raise _day_not_planned(week, day)
        changes = DayChanges(day, _in_force(current))
        standing = parse_result({"plans": [days[asked.direction]]}, "stored result").plans[0]
        network = roads.get(plan.settings.roads)
        moves = [Move(m.passenger_id, m.vehicle_id, m.position) for m in asked.moves]
        try:
            matrices = build_week_matrices(
                changed_plan(plan, changes, Direction(asked.direction)), network
            )
            preview = preview_moves(plan, standing, changes, moves, matrices)
        except InputError as error:
            raise input_problem(error, what="The moves") from None
        result = with_geometry(preview.result, network.path_geometry)
        kept = DayChanges(day, tuple(preview.assignments()))
        answer = MovesPreview.model_validate_json(
            json.dumps(
                {
                    "day": day,
                    "direction": asked.direction,
                    "version": 0 if current is None else current.version,
                    "plan": convert.day_result_json(result),
                    "vehicles": list(preview.vehicles),
                    "is_timed": preview.is_timed,
                    "violations": [convert.violation_json(v) for v in preview.violations],
                    "cost_before": preview.cost_before,
                    "cost_after": preview.cost_after,
                    "changes": changes_to_json(kept)["changes"],
                }
            )
        )
        return JSONResponse(answer.model_dump(mode="json", by_alias=True))

    return await run_in_threadpool(work)


@router.get(
    "/{job_id}/days/{day}/versions",
    response_model=DayVersionList,
    summary="The day's versions, oldest first",
    responses=problem_responses(404, 409),
)
def list_versions(
    job_id: JobId,
    day: Day,
    caller: Annotated[Caller, Depends(require(Permission.ROUTES_READ))],
    database: Annotated[Database, Depends(get_database)],
) -> DayVersionList:
    """Every version of a solved week's day."""
    week = _week_job(database, job_id, caller)
    zero = _version_zero(database, week, day, 0)
    rows, replan_jobs, current = _versions(database, week, day)
    summaries = [
        DayVersionSummary(
            version=0,
            kind="solved",
            status=JobStatus.SUCCEEDED,
            is_current=current == 0,
            based_on=None,
            created_at=week.created_at,
            key_id=week.key_id,
            num_changes=0,
            num_unaffected_changed=None,
            cost=round(sum(p["kpis"]["cost"] for p in zero["plans"]), 2),
        )
    ]
    for row in rows:
        diffs = json.loads(row.diff_json) if row.diff_json else None
        plans = json.loads(row.result_json) if row.result_json else None
        summaries.append(
            DayVersionSummary(
                version=row.version,
                kind=row.kind,  # type: ignore[arg-type]
                status=_status(row, replan_jobs.get(row.job_id or "")),
                is_current=current == row.version,
                based_on=row.based_on if row.result_json is not None else None,
                created_at=row.created_at,
                key_id=row.key_id,
                num_changes=len(json.loads(row.changes_json)["changes"]),
                num_unaffected_changed=None
                if diffs is None
                else sum(d["unaffected_changed"] for d in diffs),
                cost=None if plans is None else round(sum(p["kpis"]["cost"] for p in plans), 2),
            )
        )
    return DayVersionList(week_job_id=week.id, day=day, current=current, versions=summaries)


@router.get(
    "/{job_id}/days/{day}/versions/{version}",
    response_model=None,
    summary="One version of the day: its changes, routes and what changed",
    responses=problem_responses(404, 409) | {200: {"model": DayVersionResource}},
)
def get_version(
    job_id: JobId,
    day: Day,
    version: VersionNumber,
    caller: Annotated[Caller, Depends(require(Permission.ROUTES_READ))],
    database: Annotated[Database, Depends(get_database)],
) -> JSONResponse:
    """Read a day version (poll a queued one until it succeeds)."""
    week = _week_job(database, job_id, caller)
    rows, replan_jobs, current = _versions(database, week, day)
    if version == 0:
        return _answer(_version_zero(database, week, day, current))
    row = next((r for r in rows if r.version == version), None)
    if row is None:
        raise not_found(f"version of {day} in job", f"{job_id}: {version}")
    return _answer(_version_resource(week, row, replan_jobs.get(row.job_id or ""), current))


@router.post(
    "/{job_id}/days/{day}/versions/{version}/restore",
    status_code=201,
    response_model=None,
    summary="Make an earlier version's routes current again (as a new version)",
    description="Copies the version's routes and changes in force into a new current version, "
    "with what changed against the version current until now. The body (optional) may give a "
    "`note`.",
    responses=problem_responses(404, 409)
    | {201: {"model": DayVersionResource, "description": "The new current version."}},
    openapi_extra={
        "requestBody": {
            "required": False,
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/RestoreRequest"}}
            },
        }
    },
)
async def restore_version(
    request: Request,
    job_id: JobId,
    day: Day,
    version: VersionNumber,
    caller: Annotated[Caller, Depends(require(Permission.ROUTES_EDIT))],
    database: Annotated[Database, Depends(get_database)],
) -> JSONResponse:
    """Restore a day version."""
    raw = await request.body()

    def work() -> JSONResponse:
        note = ""
        if raw.strip():
            parse_json(raw, "The body")
            try:
                note = validate_json(RestoreRequest, raw, "body", "The body").note
            except InputError as error:
                raise input_problem(error, what="The body") from None
        week = _week_job(database, job_id, caller)
        rows, _, current = _versions(database, week, day)
        by_number = {r.version: r for r in rows}
        if version == 0:
            target_plans, target_violations = _solved_day(database, week, day)
            target_in_force: tuple[DayChange, ...] = ()
        else:
            row = by_number.get(version)
            if row is None:
                raise not_found(f"version of {day} in job", f"{job_id}: {version}")
            if row.result_json is None:
                message = f"Version {version} of {day} has no routes (its re-plan did not succeed)."
                raise ApiProblem(
                    409,
                    "conflict",
                    message,
                    [error_item("VERSION_NOT_READY", message, "Restore a version with routes.")],
                )
            target_plans = json.loads(row.result_json)
            target_in_force = _in_force(row)
            target_violations = json.loads(row.violations_json or "[]")
        if version == current:
            message = f"Version {version} of {day} is already current."
            raise ApiProblem(
                409,
                "conflict",
                message,
                [error_item("VERSION_CURRENT", message, "Nothing to restore.")],
            )
        before = (
            _solved_day(database, week, day)[0]
            if current == 0
            else json.loads(by_number[current].result_json or "[]")
        )
        with database.read() as session:
            plan_json = JobRepository(session).plan_of(week).plan_json
        diffs = convert.version_diffs(
            plan_json,
            day,
            before,
            target_plans,
            DayChanges(day, target_in_force),
        )
        with database.write() as session:
            row = DayVersionRepository(session).add_restore(
                week,
                day=day,
                based_on=current,
                in_force_json=json.dumps(changes_to_json(DayChanges(day, target_in_force))),
                result_json=json.dumps(target_plans),
                diff_json=json.dumps(diffs),
                violations_json=json.dumps(target_violations),
                note=note,
                key_id=caller.key_id,
                role=str(caller.role),
            )
            return _answer(_version_resource(week, row, None, row.version), 201)

    return await run_in_threadpool(work)


def current_day(database: Database, job_id: str, day: str) -> tuple[int, dict[str, Any]] | None:
    """The day's current version number and its day-directions by direction (None: version 0).

    What ``GET .../days/{day}/{direction}`` and the manifests answer once a day is re-planned.
    """
    with database.read() as session:
        row = DayVersionRepository(session).current(job_id, day)
    if row is None or row.result_json is None:
        return None
    return row.version, {p["direction"]: p for p in json.loads(row.result_json)}
