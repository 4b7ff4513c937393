"""VROOM interop: submit a single-day problem in VROOM's JSON format."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.concurrency import run_in_threadpool

from app import convert
from app.api.deps import (
    get_database,
    get_metrics,
    get_roads,
    get_settings,
    json_body,
    parse_json,
    problem_responses,
    request_body,
)
from app.api.plans import IdempotencyKey, request_hash, submit
from app.db.session import Database
from app.errors import input_problem
from app.metrics import Metrics
from app.roads import RoadsHolder
from app.schemas import JobResource
from app.security import Caller, Permission, require
from app.settings import ServiceSettings
from solver.domain import DAYS
from solver.errors import InputError

router = APIRouter(prefix="/v1", tags=["interop"])


def _short_array(
    items: dict[str, Any], description: str, min_items: int = 2, max_items: int = 2
) -> dict[str, Any]:
    """The JSON schema of one of VROOM's short arrays (a pair, an amount)."""
    return {
        "type": "array",
        "items": items,
        "minItems": min_items,
        "maxItems": max_items,
        "description": description,
    }


_LOCATION = _short_array({"type": "number"}, "[lon, lat] in degrees.")
_WINDOW = _short_array({"type": "integer"}, "[start, end], seconds after midnight.")
_AMOUNT = _short_array(
    {"type": "integer", "minimum": 0}, "[seats, wheelchair places].", min_items=1
)
_EXTENSION: dict[str, Any] = {
    "type": "object",
    "description": "dagrute extension: max_ride_s (seconds) and escorts (0-3).",
    "properties": {
        "max_ride_s": {"type": "integer", "minimum": 1},
        "escorts": {"type": "integer", "minimum": 0, "maximum": 3},
    },
}
_WINDOWS: dict[str, Any] = {"type": "array", "items": _WINDOW, "maxItems": 1}
_SKILLS: dict[str, Any] = {"type": "array", "items": {"type": "integer"}}
_PLACE_PROPERTIES: dict[str, Any] = {
    "id": {"type": "integer"},
    "location": _LOCATION,
    "service": {"type": "integer", "minimum": 0},
}
"""What a job and a shipment's step share (a place served for a while)."""
_STEP: dict[str, Any] = {
    "type": "object",
    "required": ["id", "location"],
    "properties": {
        **_PLACE_PROPERTIES,
        "time_windows": _WINDOWS,
        "description": {"type": "string"},
    },
}
VROOM_SCHEMA: dict[str, Any] = {
    "title": "VroomProblem",
    "type": "object",
    "required": ["vehicles"],
    "description": "VROOM's problem format for one day-direction; see the README's "
    "'VROOM interop' for how it maps to dagrute and the `dagrute` extension fields.",
    "properties": {
        "vehicles": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["id", "start"],
                "properties": {
                    "id": {"type": "integer"},
                    "start": _LOCATION,
                    "end": _LOCATION,
                    "capacity": _AMOUNT,
                    "skills": _SKILLS,
                    "time_window": _WINDOW,
                    "max_travel_time": {"type": "integer", "minimum": 1},
                    "costs": {
                        "type": "object",
                        "properties": {
                            "fixed": {"type": "number", "minimum": 0},
                            "per_hour": {"type": "number", "minimum": 0},
                            "per_km": {"type": "number", "minimum": 0},
                        },
                    },
                },
            },
        },
        "jobs": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "location"],
                "properties": {
                    **_PLACE_PROPERTIES,
                    "pickup": _AMOUNT,
                    "delivery": _AMOUNT,
                    "skills": _SKILLS,
                    "time_windows": _WINDOWS,
                    "dagrute": _EXTENSION,
                },
            },
        },
        "shipments": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["pickup", "delivery"],
                "properties": {
                    "amount": _AMOUNT,
                    "skills": _SKILLS,
                    "pickup": _STEP,
                    "delivery": _STEP,
                    "dagrute": _EXTENSION,
                },
            },
        },
        "dagrute": {
            "type": "object",
            "description": "dagrute extension: which day-direction, budget and seed.",
            "properties": {
                "day": {"enum": list(DAYS)},
                "direction": {"enum": ["to_centre", "from_centre"]},
                "time_limit_s": {"type": "number", "exclusiveMinimum": 0},
                "seed": {"type": "integer"},
            },
        },
    },
}
_EXAMPLE: dict[str, Any] = {
    "vehicles": [
        {"id": 1, "start": [10.7700, 59.8925], "end": [10.7700, 59.8925], "capacity": [6, 1],
         "time_window": [23400, 63000]}
    ],
    "shipments": [
        {"amount": [1, 0], "pickup": {"id": 1, "location": [10.7828, 59.9057]},
         "delivery": {"id": 1, "location": [10.7884013, 59.8855067],
                      "time_windows": [[28800, 30600]]}},
        {"amount": [1, 1], "dagrute": {"escorts": 1, "max_ride_s": 2700},
         "pickup": {"id": 2, "location": [10.8040, 59.8913], "service": 240},
         "delivery": {"id": 2, "location": [10.7884013, 59.8855067],
                      "time_windows": [[28800, 30600]]}},
    ],
    "dagrute": {"day": "mon", "direction": "to_centre", "time_limit_s": 10},
}  # fmt: skip


@router.post(
    "/vroom",
    status_code=202,
    response_model=JobResource,
    summary="Submit a single-day problem in VROOM's JSON format",
    description="Converts the VROOM problem to a one-day, one-direction plan and queues it "
    "like POST /v1/plans. Read the answer in VROOM's format with "
    "GET /v1/jobs/{id}/result?format=vroom.",
    responses=problem_responses(413, 415, 429),
    openapi_extra=request_body(
        "application/json",
        schema={"$ref": "#/components/schemas/VroomProblem"},
        examples={"two shipments": {"value": _EXAMPLE}},
    ),
)
async def submit_vroom(
    request: Request,
    response: Response,
    caller: Annotated[Caller, Depends(require(Permission.PLANS_WRITE))],
    body: Annotated[bytes, Depends(json_body)],
    database: Annotated[Database, Depends(get_database)],
    settings: Annotated[ServiceSettings, Depends(get_settings)],
    roads: Annotated[RoadsHolder, Depends(get_roads)],
    metrics: Annotated[Metrics, Depends(get_metrics)],
    idempotency_key: IdempotencyKey = None,
) -> JobResource:
    """Submit a VROOM problem."""
    digest = request_hash(request, body)

    def work() -> JobResource:
        document = parse_json(body, "The VROOM document")
        try:
            problem = convert.vroom_problem(document)
        except InputError as error:
            raise input_problem(error, what="The VROOM document") from None
        return submit(
            database=database,
            settings=settings,
            roads=roads,
            metrics=metrics,
            caller=caller,
            plan=problem.plan,
            plan_json=convert.plan_json_text(problem.plan),
            source_format="vroom",
            source_json=json.dumps(document),
            digest=digest,
            idempotency_key=idempotency_key,
            pairs=[(problem.day, str(problem.direction))],
            response=response,
        )

    return await run_in_threadpool(work)
