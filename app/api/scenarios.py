"""What-if scenario batches: submit a base week and its scenarios; read the comparison.

``POST /v1/scenarios`` takes ``{"plan": PLAN, "scenarios": SCENARIOS}`` (the two files of
``dagrute scenarios``), checks both (structure with the scenarios file's own models, then
every change against the base week: unknown ids, weeks that would not be valid), and queues
one job of kind ``scenarios``. A worker routes the base and every scenario week exactly as
the CLI does (:mod:`app.jobs.scenarios`); the comparison (JSON, CSV), the self-contained HTML
report and each scenario's plan, routes and pricing are then read here. Analysts (and
admins) only: every route needs ``scenarios:run``.

One module on purpose (about 700 lines): the routes of one resource; most of it is the
OpenAPI examples and the documented error answers of each route.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, ConfigDict, Field

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
from app.db.models import FINAL_STATUSES, Job, JobStatus, utcnow
from app.db.repositories import JobRepository, ScenarioRepository
from app.db.session import Database
from app.errors import ApiProblem, error_item, issue_item
from app.headers import INERT_HTML_POLICY
from app.jobs.scenarios import progress_json
from app.roads import RoadsHolder
from app.schemas import Problem
from app.security import Caller, Permission, forbidden, require
from app.settings import ServiceSettings
from solver.domain import DAYS, WeekPlan
from solver.errors import InputError, Issue
from solver.roads import RoadNetwork, RoadsError
from solver.scenarios import ScenarioBatch, parse_scenarios, scenarios_json_schema
from solver.scenarios.batch import NAIVE_DROP, context_for, reserved_id_issue
from solver.scenarios.changes import (
    AddVehicles,
    ApplyContext,
    CapDays,
    Change,
    ChangeError,
    Growth,
    OptimiseDays,
    apply_change,
    select_passengers,
)
from solver.validate import validate

router = APIRouter(prefix="/v1/scenarios", tags=["scenarios"])

JobId = Annotated[str, Path(min_length=1, max_length=64, description="The batch job's id.")]
ScenarioId = Annotated[
    str, Path(min_length=1, max_length=64, description="A scenario's id (base: the base week).")
]
Part = Literal["plan", "result", "costs", "attendance"]
PART_FILES: dict[str, str] = {
    "plan": "plan.json",
    "result": "result.json",
    "costs": "costs.json",
    "attendance": "attendance.csv",
}
COMPARISON_JSON = "comparison.json"
COMPARISON_CSV = "comparison.csv"
REPORT_HTML = "report.html"
MAX_SCENARIOS = 50
"""Most scenarios in one batch (each is a routed week; optimised ones two)."""
REPORT_POLICY = INERT_HTML_POLICY
"""The report is inline CSS and SVG only: it may load and run nothing."""
_SCENARIO_PATH = re.compile(r"^scenarios\[(\d+)\]")


# ------------------------------------------------------------------------------ schemas


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ScenarioProgress(_Out):
    """How far a batch has got: scenario weeks routed of all, and the ones being routed now."""

    stage: str = Field(
        description="queued, preparing (changes, attendance-day choice, matrices), solving, "
        "writing, done, failed or cancelled.",
        examples=["solving"],
    )
    scenarios_done: int = Field(description="Scenario weeks routed and checked so far.")
    scenarios_total: int = Field(
        description="Scenario weeks to route: the base, every scenario and the naive twin of "
        "each optimised day choice; scenarios that route alike (only contract-only tariff "
        "terms differ) share one week. Until the batch is prepared: the base plus the scenarios."
    )
    running: list[str] = Field(
        description="Names of the scenarios being routed now (one per solver process).",
        examples=[["5 -> 4 days, drop Friday"]],
    )
    last_done: str | None = Field(description="The scenario routed last.")
    elapsed_s: float | None = Field(description="Seconds since a worker first took the job.")
    time_limit_s_per_week: float = Field(description="Seconds each scenario week is routed in.")
    attempt: int = Field(description="Claims so far (a worker death counts one).")


class ScenarioLinks(_Out):
    """Where the batch's parts are."""

    self: str
    plan: str = Field(description="The base plan's summary.")
    comparison: str = Field(description="The comparison as JSON.")
    comparison_csv: str = Field(description="The comparison as CSV, one row per scenario.")
    report: str = Field(description="The self-contained HTML report.")
    scenario: str = Field(description="Template: a scenario's plan, result, costs, attendance.")


class ScenarioJobResource(_Out):
    """A what-if batch: its status, progress and, when done, where the comparison is."""

    id: str
    plan_id: str = Field(description="The stored base week.")
    name: str = Field(description="The batch's name (the scenarios file's name).")
    num_scenarios: int = Field(description="Scenarios in the file (the base not counted).")
    status: Literal["queued", "running", "succeeded", "failed", "cancelled"]
    cancel_requested: bool
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    attempts: int
    max_attempts: int
    progress: ScenarioProgress
    error: Problem | None = Field(description="Why the batch failed (failed jobs only).")
    num_violations: int | None = Field(
        description="Checker violations over every scenario's routes (when done; 0 expected)."
    )
    links: ScenarioLinks


# ---------------------------------------------------------------------------- the body

_EXAMPLE: dict[str, Any] = {
    "plan": {
        "name": "two passengers",
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
             "days": list(DAYS), "birth_year": 1960},
            {"id": "P002", "home": {"lat": 59.8913, "lon": 10.8040}, "centre_id": "C01",
             "days": ["mon", "wed"], "mobility": "wheelchair", "escorts": 1},
        ],
        "vehicles": [
            {"id": "V1", "depot": {"lat": 59.8925, "lon": 10.7700}, "seats": 6,
             "wheelchair_places": 1, "shift": {"start": "06:30", "end": "17:30"}}
        ],
        "settings": {"time_limit_s": 10},
    },
    "scenarios": {
        "name": "two what-ifs",
        "scenarios": [
            {"id": "four-days", "name": "5 -> 4 days, optimised",
             "changes": [{"type": "cap_days", "max_days": 4, "drop": "optimise"}]},
            {"id": "age-62", "changes": [{"type": "age_limit", "max_age": 62}]},
        ],
    },
}  # fmt: skip

_BODY_POINTER = "#/paths/~1v1~1scenarios/post/requestBody/content/application~1json/schema"


def _body_schema() -> dict[str, Any]:
    """The request body's schema; the scenarios file's definitions are inlined under it."""
    scenarios = scenarios_json_schema()
    scenarios.pop("$schema", None)
    text = json.dumps(scenarios).replace(
        '"#/$defs/', f'"{_BODY_POINTER}/properties/scenarios/$defs/'
    )
    return {
        "type": "object",
        "required": ["plan", "scenarios"],
        "additionalProperties": False,
        "properties": {
            "plan": {"$ref": "#/components/schemas/PlanSchema"},
            "scenarios": json.loads(text),
        },
    }


# ----------------------------------------------------------------------- checking input


def _scenario_ids(raw: Any) -> list[str | None]:
    """Each scenario's id as written (None where it is not a string)."""
    scenarios = raw.get("scenarios") if isinstance(raw, dict) else None
    if not isinstance(scenarios, list):
        return []
    return [s.get("id") if isinstance(s, dict) and isinstance(s.get("id"), str) else None
            for s in scenarios]  # fmt: skip


def _named(issue: Issue, ids: Sequence[str | None]) -> Issue:
    """``issue`` with the id of the scenario its path lies in, when it names no other id."""
    match = _SCENARIO_PATH.match(issue.path or "")
    if issue.id is not None or match is None or int(match.group(1)) >= len(ids):
        return issue
    ident = ids[int(match.group(1))]
    if ident is None:
        return issue
    return Issue(issue.code, f"Scenario {ident}: {issue.message}", issue.hint, issue.path, ident)


def _dry_change(plan: WeekPlan, change: Change, context: ApplyContext) -> WeekPlan:
    """``change`` applied as far as checking needs, without the attendance-day optimiser.

    ``cap_days`` with ``drop: optimise`` is applied with the naive choice (drop Friday): the
    same passengers keep the same number of their own weekdays either way. ``optimise_days``
    only has its ids checked and keeps the weekdays (a week it makes invalid is still
    reported, by the worker, on the job). Every other change is applied as the batch does.
    """
    if isinstance(change, CapDays) and change.drop == "optimise":
        return apply_change(plan, CapDays(change.max_days, change.select, NAIVE_DROP), context)
    if isinstance(change, OptimiseDays):
        select_passengers(plan, change.select)
        known = {p.passenger_id for p in plan.passengers}
        for ident in change.allowed:
            if ident not in known:
                raise ChangeError(
                    "SCENARIO_UNKNOWN_PASSENGER",
                    f"Passenger {ident} is not in the week.",
                    "Use a passenger id of the base plan (or one an earlier change added).",
                    ident,
                )
        return plan
    return apply_change(plan, change, context)


def scenario_issues(
    plan: WeekPlan, batch: ScenarioBatch, network: RoadNetwork | None
) -> list[Issue]:
    """Every scenario whose changes cannot be applied to ``plan`` or give an invalid week.

    One issue per scenario that fails (its first change that cannot be applied: later ones
    depend on it), or one per validation problem of the week it gives; each names the
    scenario. Paths are into the scenarios file. Without ``network`` a growth change ends the
    check of its scenario (the worker checks the rest).
    """
    context = context_for(network) if network is not None else ApplyContext()
    issues: list[Issue] = []
    for index, scenario in enumerate(batch.scenarios):
        sid, path = scenario.scenario_id, f"scenarios[{index}]"
        reserved = reserved_id_issue(scenario, path)
        if reserved is not None:
            issues.append(reserved)
            continue
        week = plan
        for number, change in enumerate(scenario.changes):
            if isinstance(change, Growth) and network is None:
                break
            try:
                week = _dry_change(week, change, context)
            except ChangeError as error:
                issues.append(
                    Issue(
                        error.code,
                        f"Scenario {sid}: {error.message}",
                        error.hint,
                        path=f"{path}.changes[{number}]",
                        id=error.ident,
                    )
                )
                break
        else:
            issues.extend(
                Issue(
                    "SCENARIO_INVALID_PLAN",
                    f"Scenario {sid}: {issue.code}: {issue.message}",
                    issue.hint,
                    path=path,
                    id=issue.id,
                )
                for issue in validate(week)
            )
    return issues


def scenario_limit_errors(
    plan: WeekPlan, batch: ScenarioBatch, settings: ServiceSettings
) -> list[dict[str, Any]]:
    """``errors`` entries for a batch beyond the service's limits, before any change is applied.

    At most :data:`MAX_SCENARIOS` scenarios; a scenario's added vehicles and new passengers
    must keep its week within the plan limits; time_limit_s within the plan time limit.
    """
    errors = []
    if len(batch.scenarios) > MAX_SCENARIOS:
        errors.append(
            error_item(
                "LIMIT_SCENARIOS",
                f"The batch has {len(batch.scenarios)} scenarios; this service takes at most "
                f"{MAX_SCENARIOS}.",
                "Split the scenarios into several batches.",
                "scenarios.scenarios",
            )
        )
    if batch.time_limit_s is not None and batch.time_limit_s > settings.max_time_limit_s:
        errors.append(
            error_item(
                "LIMIT_TIME_LIMIT",
                f"time_limit_s is {batch.time_limit_s:g} s a scenario week; this service allows "
                f"at most {settings.max_time_limit_s:g} s.",
                f"Set time_limit_s to {settings.max_time_limit_s:g} or less.",
                "scenarios.time_limit_s",
            )
        )
    for index, scenario in enumerate(batch.scenarios):
        added = sum(c.count for c in scenario.changes if isinstance(c, AddVehicles))
        grown = sum(c.num_passengers for c in scenario.changes if isinstance(c, Growth))
        path = f"scenarios.scenarios[{index}].changes"
        sid = scenario.scenario_id
        if len(plan.vehicles) + added > settings.max_vehicles:
            errors.append(
                error_item(
                    "LIMIT_VEHICLES",
                    f"Scenario {sid} adds {added} vehicles; a week may have at most "
                    f"{settings.max_vehicles}.",
                    "Add fewer vehicles, or ask the operator to raise DAGRUTE_MAX_VEHICLES.",
                    path,
                    sid,
                )
            )
        if len(plan.passengers) + grown > settings.max_passengers:
            errors.append(
                error_item(
                    "LIMIT_PASSENGERS",
                    f"Scenario {sid} adds {grown} passengers; a week may have at most "
                    f"{settings.max_passengers}.",
                    "Grow by fewer passengers, or ask the operator to raise "
                    "DAGRUTE_MAX_PASSENGERS.",
                    path,
                    sid,
                )
            )
    return errors


def _invalid(errors: list[dict[str, Any]]) -> ApiProblem:
    count = len(errors)
    return ApiProblem(
        422,
        "invalid-input",
        f"The request has {count} problem{'s' if count != 1 else ''}; each is listed in errors.",
        errors,
    )


def _parse(
    data: Any, settings: ServiceSettings, roads: RoadsHolder
) -> tuple[WeekPlan, ScenarioBatch]:
    """The base week and the batch of a request body, or 422 listing every problem."""
    if not isinstance(data, dict) or set(data) != {"plan", "scenarios"}:
        message = "The body must be an object with exactly the fields plan and scenarios."
        hint = 'Send {"plan": {...}, "scenarios": {...}}: the two files of dagrute scenarios.'
        raise _invalid([error_item("INPUT_SCHEMA", message, hint)])
    errors: list[dict[str, Any]] = []
    plan: WeekPlan | None = None
    batch: ScenarioBatch | None = None
    try:
        plan = convert.parse_submitted_plan(data["plan"])
    except InputError as error:
        errors.extend(issue_item(issue, "plan") for issue in error.issues)
    raw = data["scenarios"]
    ids = _scenario_ids(raw)
    try:
        # A JSON string in the body is a value (the wrong type), never JSON text to read.
        batch = parse_scenarios(raw if isinstance(raw, dict) else json.dumps(raw), "scenarios")
    except InputError as error:
        errors.extend(issue_item(_named(issue, ids), "scenarios") for issue in error.issues)
    if errors or plan is None or batch is None:
        raise _invalid(errors)
    limits = convert.limit_errors(plan, settings, "plan")
    limits.extend(scenario_limit_errors(plan, batch, settings))
    if limits:
        raise ApiProblem(
            422,
            "limit-exceeded",
            "The batch is larger than this service allows; each limit is listed in errors.",
            limits,
        )
    try:
        network: RoadNetwork | None = roads.get()
    except RoadsError:
        network = None  # the worker reports road problems on the job
    issues: list[dict[str, Any]] = []
    if network is not None:
        issues.extend(issue_item(i, "plan") for i in convert.off_road_issues(plan, network))
    issues.extend(issue_item(i, "scenarios") for i in scenario_issues(plan, batch, network))
    if issues:
        raise _invalid(issues)
    return plan, batch


# --------------------------------------------------------------------------- resources


def _elapsed(job: Job) -> float | None:
    if job.started_at is None:
        return None
    end = job.finished_at or utcnow()
    return round(max(0.0, (end - job.started_at).total_seconds()), 1)


def _resource(job: Job, name: str, num_scenarios: int) -> ScenarioJobResource:
    progress: dict[str, Any] = json.loads(job.progress_json or "{}")
    base = f"/v1/scenarios/{job.id}"
    violations = json.loads(job.violations_json) if job.violations_json else None
    return ScenarioJobResource(
        id=job.id,
        plan_id=job.plan_id,
        name=name,
        num_scenarios=num_scenarios,
        status=job.status,  # type: ignore[arg-type]
        cancel_requested=job.cancel_requested,
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
        attempts=job.attempts,
        max_attempts=job.max_attempts,
        progress=ScenarioProgress(
            stage=progress.get("stage", job.status),
            scenarios_done=progress.get("scenarios_done", 0),
            scenarios_total=progress.get("scenarios_total", num_scenarios + 1),
            running=progress.get("running", []),
            last_done=progress.get("last_done"),
            elapsed_s=_elapsed(job),
            time_limit_s_per_week=job.time_limit_s,
            attempt=progress.get("attempt", job.attempts),
        ),
        error=Problem(**json.loads(job.error_json)) if job.error_json else None,
        num_violations=None if violations is None else len(violations),
        links=ScenarioLinks(
            self=base,
            plan=f"/v1/plans/{job.plan_id}",
            comparison=f"{base}/comparison",
            comparison_csv=f"{base}/comparison.csv",
            report=f"{base}/report",
            scenario=f"{base}/scenarios/{{scenario_id}}/{{part}}",
        ),
    )


def _batch_name(scenarios_json: str) -> str:
    raw = json.loads(scenarios_json)
    name = raw.get("name") if isinstance(raw, dict) else None
    return name if isinstance(name, str) else "scenarios"


def _read(database: Database, job_id: str, caller: Caller) -> ScenarioJobResource:
    with database.read() as session:
        repo = ScenarioRepository(session)
        job = repo.job(job_id, caller.organisation)
        row = repo.batch(job_id) if job is not None else None
        if job is None or row is None:
            raise not_found("scenario batch", job_id)
        return _resource(job, _batch_name(row.scenarios_json), row.num_scenarios)


def _file(
    database: Database,
    job_id: str,
    caller: Caller,
    path: str,
    missing: ApiProblem | None = None,
) -> str:
    """An output file of a succeeded batch.

    404 when there is no such batch, 409 when it has not succeeded, ``missing`` (else a 404
    naming ``path``) when it has no such file.
    """
    with database.read() as session:
        repo = ScenarioRepository(session)
        job = repo.job(job_id, caller.organisation)
        if job is None:
            raise not_found("scenario batch", job_id)
        content = repo.file(job_id, path)
        status = job.status
    if status != JobStatus.SUCCEEDED.value:
        if status not in FINAL_STATUSES:
            code = "JOB_NOT_FINISHED"
            message = f"Batch {job_id} is {status}; it has no outputs yet."
            hint = "Poll the batch until its status is succeeded."
        else:
            code, message = "JOB_NO_RESULT", f"Batch {job_id} ended {status} without outputs."
            hint = "Read the batch's error, fix the input and submit it again."
        raise ApiProblem(409, "conflict", message, [error_item(code, message, hint)])
    if content is None:
        raise missing or not_found(f"file in batch {job_id}:", path)
    return content


# ------------------------------------------------------------------------------ routes


@router.post(
    "",
    status_code=202,
    response_model=ScenarioJobResource,
    summary="Submit a base week and what-if scenarios; queues a batch job",
    description="The body holds the two files of `dagrute scenarios`: `plan` (the base week) "
    "and `scenarios` (docs/schema/scenarios.schema.json). Both are checked, and every "
    "scenario's changes are applied to the base week, before anything is queued: bad input "
    "gives 422 listing every problem with its path, the offending id and a hint (a change's "
    "problem names its scenario). Answers 202 with the batch and its URL in Location; poll "
    "it, then read the comparison (JSON, CSV) and the HTML report. Each scenario week is "
    "routed within the file's `time_limit_s` (else the plan's).",
    responses=queued_responses("batch"),
    openapi_extra=request_body(
        "application/json",
        schema=_body_schema(),
        examples={"small": {"summary": "Two what-ifs", "value": _EXAMPLE}},
    ),
)
async def submit_scenarios(
    response: Response,
    caller: Annotated[Caller, Depends(require(Permission.SCENARIOS_RUN))],
    body: Annotated[bytes, Depends(json_body)],
    database: Annotated[Database, Depends(get_database)],
    settings: Annotated[ServiceSettings, Depends(get_settings)],
    roads: Annotated[RoadsHolder, Depends(get_roads)],
) -> ScenarioJobResource:
    """Submit a what-if batch."""

    def work() -> ScenarioJobResource:
        data = parse_json(body, "The request")
        plan, batch = _parse(data, settings, roads)
        ensure_job_room(database, settings, caller.key_id, "/v1/scenarios/{id}")
        num_scenarios = len(batch.scenarios)
        with database.write() as session:
            _, job = ScenarioRepository(session).add_with_job(
                key_id=caller.key_id,
                organisation=caller.organisation,
                plan_json=json.dumps(data["plan"], ensure_ascii=False),
                scenarios_json=json.dumps(data["scenarios"], ensure_ascii=False),
                num_passengers=len(plan.passengers),
                num_vehicles=len(plan.vehicles),
                num_scenarios=num_scenarios,
                request_sha256=hashlib.sha256(body).hexdigest(),
                time_limit_s=batch.time_limit_s or plan.settings.time_limit_s,
                max_attempts=settings.max_attempts,
                progress=progress_json("queued", done=0, total=num_scenarios + 1),
            )
            resource = _resource(job, batch.name, num_scenarios)
        response.headers["Location"] = resource.links.self
        return resource

    return await run_in_threadpool(work)


@router.get(
    "/{job_id}",
    response_model=ScenarioJobResource,
    summary="A batch's status and progress",
    responses=problem_responses(404),
)
def get_batch(
    job_id: JobId,
    caller: Annotated[Caller, Depends(require(Permission.SCENARIOS_RUN))],
    database: Annotated[Database, Depends(get_database)],
) -> ScenarioJobResource:
    """Read a batch."""
    return _read(database, job_id, caller)


@router.delete(
    "/{job_id}",
    response_model=ScenarioJobResource,
    summary="Cancel a batch",
    description="A queued batch is cancelled at once (200). A running batch is asked to stop "
    "(202): its worker stops it within a few seconds; nothing of it is kept. A finished "
    "batch cannot be cancelled (409).",
    responses={**problem_responses(404, 409), 202: {"description": "Cancel requested."}},
)
def cancel_batch(
    job_id: JobId,
    response: Response,
    caller: Annotated[Caller, Depends(require(Permission.SCENARIOS_RUN))],
    database: Annotated[Database, Depends(get_database)],
) -> ScenarioJobResource:
    """Cancel a batch."""
    with database.write() as session:
        job = ScenarioRepository(session).job(job_id, caller.organisation)
        if job is None:
            raise not_found("scenario batch", job_id)
        jobs = JobRepository(session)
        if jobs.cancel_queued(job_id):
            response.status_code = 200
        elif jobs.request_cancel(job_id):
            response.status_code = 202
        else:
            message = f"Batch {job_id} has already finished ({job.status})."
            problem = error_item("JOB_FINISHED", message, "Nothing to cancel.")
            raise ApiProblem(409, "conflict", message, [problem])
    return _read(database, job_id, caller)


@router.get(
    "/{job_id}/comparison",
    summary="The comparison as JSON (comparison.json of dagrute scenarios)",
    description="Every scenario (the base first) with its changes, notes, checker verdict, "
    "figures and their change against the base, units, assumptions and how the batch ran. "
    "Each scenario's `files` are URLs of its plan, routes and pricing here.",
    responses={
        **problem_responses(404, 409),
        200: {"description": "The comparison.", "content": {"application/json": {}}},
    },
)
def get_comparison(
    job_id: JobId,
    caller: Annotated[Caller, Depends(require(Permission.SCENARIOS_RUN))],
    database: Annotated[Database, Depends(get_database)],
) -> JSONResponse:
    """Read the comparison."""
    comparison = json.loads(_file(database, job_id, caller, COMPARISON_JSON))
    base = f"/v1/scenarios/{job_id}/scenarios"
    for scenario in comparison.get("scenarios", []):
        scenario["files"] = {
            part: f"{base}/{scenario['id']}/{part}" for part in scenario.get("files", {})
        }
    return JSONResponse(comparison)


@router.get(
    "/{job_id}/comparison.csv",
    summary="The comparison as CSV: one row per scenario, the base first",
    responses={
        **problem_responses(404, 409),
        200: {"description": "comparison.csv.", "content": {"text/csv": {}}},
    },
)
def get_comparison_csv(
    job_id: JobId,
    caller: Annotated[Caller, Depends(require(Permission.SCENARIOS_RUN))],
    database: Annotated[Database, Depends(get_database)],
) -> Response:
    """Read the comparison as CSV."""
    return Response(
        _file(database, job_id, caller, COMPARISON_CSV),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="comparison.csv"'},
    )


@router.get(
    "/{job_id}/report",
    summary="The self-contained HTML report (inline CSS and SVG charts)",
    responses={
        **problem_responses(404, 409),
        200: {"description": "report.html.", "content": {"text/html": {}}},
    },
)
def get_report(
    job_id: JobId,
    caller: Annotated[Caller, Depends(require(Permission.SCENARIOS_RUN))],
    database: Annotated[Database, Depends(get_database)],
) -> HTMLResponse:
    """Read the report."""
    return HTMLResponse(
        _file(database, job_id, caller, REPORT_HTML),
        headers={"Content-Security-Policy": REPORT_POLICY},
    )


@router.get(
    "/{job_id}/scenarios/{scenario_id}/{part}",
    summary="One scenario's week: plan, routes (result), pricing (costs) or attendance",
    description="`plan`: the week that was routed (plan file format); `result`: its routes "
    "(result file format, re-checkable with POST /v1/check); `costs`: the contract pricing "
    "per operator and trip; `attendance` (CSV): weekdays dropped or added per passenger, only "
    "for scenarios that changed weekdays. `base` is the base week. These parts name "
    "passengers and their homes: only the key that submitted the batch, or a key with "
    "routes:read, reads them (403 otherwise); the comparison and report are for every "
    "analyst of the organisation.",
    responses={
        **problem_responses(403, 404, 409),
        200: {
            "description": "The part.",
            "content": {"application/json": {}, "text/csv": {}},
        },
    },
)
def get_scenario_part(
    job_id: JobId,
    scenario_id: ScenarioId,
    part: Part,
    caller: Annotated[Caller, Depends(require(Permission.SCENARIOS_RUN))],
    database: Annotated[Database, Depends(get_database)],
) -> Response:
    """Read a part of one scenario (the batch's own key, or a key with routes:read)."""
    path = f"scenarios/{scenario_id}/{PART_FILES[part]}"
    missing = not_found(f"{part} of a scenario in batch {job_id}:", scenario_id)
    if not caller.may(Permission.ROUTES_READ):
        with database.read() as session:
            job = ScenarioRepository(session).job(job_id, caller.organisation)
        if job is not None and job.key_id != caller.key_id:
            # Plans, routes and trip prices name passengers and their homes: the analyst
            # who sent them reads them back; other analysts read the comparison and report.
            raise forbidden(caller, Permission.ROUTES_READ)
    content = _file(database, job_id, caller, path, missing)
    if part == "attendance":
        return Response(content, media_type="text/csv; charset=utf-8")
    return Response(content, media_type="application/json")
