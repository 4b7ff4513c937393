"""Tools: re-check a result, measure travel times on the roads, read passengers from CSV."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool

from app import convert
from app.api.deps import (
    get_roads,
    get_settings,
    json_body,
    media_type_of,
    parse_json,
    problem_responses,
    request_body,
    unsupported_media_type,
)
from app.errors import ApiProblem, error_item, input_problem
from app.interop.csv_passengers import passengers_from_csv
from app.roads import RoadsHolder
from app.schemas import CheckResponse, MatrixRequest, MatrixResponse, PassengerImport
from app.security import Caller, Permission, require
from app.settings import ServiceSettings
from solver.errors import InputError

router = APIRouter(prefix="/v1", tags=["tools"])


@router.post(
    "/check",
    response_model=CheckResponse,
    summary="Re-verify a result against a plan (the independent checker)",
    description="Recomputes times, loads, ride times, windows and distances of `result` on "
    "the service's roads, without OR-Tools, and lists every violation.",
    responses=problem_responses(413, 415, 503),
    openapi_extra=request_body(
        "application/json",
        schema={
            "type": "object",
            "required": ["plan", "result"],
            "additionalProperties": False,
            "properties": {
                "plan": {"$ref": "#/components/schemas/PlanSchema"},
                "result": {"$ref": "#/components/schemas/ResultSchema"},
            },
        },
    ),
)
async def check_result(
    _caller: Annotated[Caller, Depends(require(Permission.TOOLS_USE))],
    body: Annotated[bytes, Depends(json_body)],
    settings: Annotated[ServiceSettings, Depends(get_settings)],
    roads: Annotated[RoadsHolder, Depends(get_roads)],
) -> CheckResponse:
    """Check a result."""

    def work() -> CheckResponse:
        data = parse_json(body)
        if not isinstance(data, dict) or set(data) != {"plan", "result"}:
            message = "The body must be an object with exactly the fields plan and result."
            raise ApiProblem(
                422,
                "invalid-input",
                message,
                [error_item("INPUT_SCHEMA", message, 'Send {"plan": {...}, "result": {...}}.')],
            )
        issues = []
        plan = result = None
        try:
            plan = convert.parse_submitted_plan(data["plan"])
        except InputError as error:
            issues.extend(input_problem(error, "plan").errors)
        try:
            result = convert.parse_result_document(data["result"])
        except InputError as error:
            issues.extend(input_problem(error, "result").errors)
        if issues or plan is None or result is None:
            raise ApiProblem(
                422,
                "invalid-input",
                f"The request has {len(issues)} problems; each is listed in errors.",
                issues,
            )
        limits = convert.limit_errors(plan, settings, "plan")
        if limits:
            raise ApiProblem(
                422, "limit-exceeded", "The plan is larger than this service allows.", limits
            )
        try:
            return convert.check(plan, result, roads.get())
        except InputError as error:
            raise input_problem(error, "plan", what="The plan") from None

    return await run_in_threadpool(work)


@router.post(
    "/matrix",
    response_model=MatrixResponse,
    summary="Travel times and distances between points on the road network",
    responses=problem_responses(413, 503),
)
async def travel_matrix(
    request_body: MatrixRequest,
    _caller: Annotated[Caller, Depends(require(Permission.TOOLS_USE))],
    settings: Annotated[ServiceSettings, Depends(get_settings)],
    roads: Annotated[RoadsHolder, Depends(get_roads)],
) -> MatrixResponse:
    """Measure between points."""
    if len(request_body.points) > settings.max_matrix_points:
        message = (
            f"The request has {len(request_body.points)} points; at most "
            f"{settings.max_matrix_points} are allowed."
        )
        raise ApiProblem(
            422,
            "limit-exceeded",
            message,
            [
                error_item(
                    "LIMIT_MATRIX_POINTS",
                    message,
                    "Send fewer points, or split the request.",
                    "points",
                )
            ],
        )
    points = [(p.lat, p.lon) for p in request_body.points]

    def work() -> MatrixResponse:
        try:
            return convert.matrix(points, roads.get(), request_body.snap_limit_m)
        except InputError as error:
            raise input_problem(error, what="The request") from None

    return await run_in_threadpool(work)


@router.post(
    "/import/passengers",
    response_model=PassengerImport,
    summary="Read passengers from a CSV file (Norwegian spreadsheet exports welcome)",
    description="Semicolon-, comma- or tab-separated; UTF-8 with or without BOM (or "
    "Windows-1252); decimal commas; Norwegian or English column names (see the README). "
    "Every bad row is listed in errors with its row number; nothing is stored.",
    responses=problem_responses(413, 415),
    openapi_extra=request_body(
        "text/csv",
        schema={"type": "string"},
        example="id;senter;breddegrad;lengdegrad;dager;rullestol;ledsagere\n"
        "P001;C01;59,9057;10,7828;man ons fre;nei;0\n",
    ),
)
async def import_passengers(
    request: Request,
    _caller: Annotated[Caller, Depends(require(Permission.TOOLS_USE))],
) -> PassengerImport:
    """Import passengers from CSV."""
    media_type = media_type_of(request)
    if media_type not in ("text/csv", "text/plain", "application/csv", ""):
        raise unsupported_media_type(
            f"This route reads text/csv, not {media_type[:60]}.",
            "Send the header 'Content-Type: text/csv'.",
        )
    body = await request.body()

    def work() -> PassengerImport:
        try:
            passengers: list[dict[str, Any]] = passengers_from_csv(body)
        except InputError as error:
            raise input_problem(error, what="The CSV file") from None
        return PassengerImport(num_rows=len(passengers), passengers=passengers)

    return await run_in_threadpool(work)
