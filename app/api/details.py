"""Passenger details: names, addresses, phones and notes for drivers' manifests.

Stored apart from the plan (``passenger_details``): the solver never sees them, errors never
echo them, and a plan's erasure erases them. Sending needs ``details:write`` (planners,
dispatchers, admins); reading them back, here or on a manifest, needs ``details:read``
(dispatchers, admins). Reads are audited like every read of personal data.
"""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session

from app.api.deps import (
    get_database,
    media_type_of,
    not_found,
    problem_responses,
    unsupported_media_type,
)
from app.api.plans import PlanId
from app.db.models import PassengerDetail, Plan
from app.db.repositories import DetailsRepository, PlanRepository
from app.db.session import Database
from app.errors import input_problem
from app.interop.details import (
    PassengerDetails,
    check_against_plan,
    details_from_csv,
    details_from_json,
)
from app.schemas import DetailsStored, PassengerDetailsItem, PassengerDetailsList
from app.security import Caller, Permission, require
from solver.errors import InputError

router = APIRouter(prefix="/v1", tags=["plans"])

CSV_MEDIA_TYPES = ("text/csv", "application/csv", "text/plain")

_EXAMPLE = {
    "passengers": [
        {
            "passenger_id": "P001",
            "name": "Kari Nordmann",
            "address": "Storgata 1, 0155 Oslo",
            "phone": "+47 912 34 567",
            "notes": "Needs help with the seat belt.",
        },
        {"passenger_id": "P002", "name": "Ola Hansen", "address": "Tøyengata 5, 0190 Oslo"},
    ]
}


def _media_type(request: Request) -> str:
    media_type = media_type_of(request)
    if media_type == "application/json" or media_type.endswith("+json"):
        return "json"
    if media_type in CSV_MEDIA_TYPES:
        return "csv"
    shown = media_type[:60] or "no media type"
    raise unsupported_media_type(
        f"This route reads application/json or text/csv, not {shown}.",
        "Send 'Content-Type: application/json' or 'Content-Type: text/csv'.",
    )


def _own_plan(session: Session, plan_id: str, caller: Caller) -> Plan:
    """The caller's organisation's plan (404 for another's or none)."""
    plan = PlanRepository(session).get(plan_id, caller.organisation)
    if plan is None:
        raise not_found("plan", plan_id)
    return plan


def _plan_passenger_ids(database: Database, plan_id: str, caller: Caller) -> list[str]:
    with database.read() as session:
        stored = json.loads(_own_plan(session, plan_id, caller).plan_json)
    return [str(p.get("id")) for p in stored.get("passengers", [])]


@router.put(
    "/plans/{plan_id}/details",
    response_model=DetailsStored,
    summary="Send a plan's passenger details (names, addresses, phones, notes)",
    description='Replaces the details sent before. JSON (`{"passengers": [...]}`) or CSV '
    "(columns passenger_id, name, address, phone, notes; Norwegian names navn, adresse, "
    "telefon, merknad welcome). Every entry must name a passenger of the plan. The answer "
    "counts what was stored and never echoes it; errors name the passenger id and the field, "
    "never a value. Drivers' manifests show the details to keys with `details:read`.",
    responses=problem_responses(404, 413, 415),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {"$ref": "#/components/schemas/PassengerDetailsInput"},
                    "examples": {"two": {"summary": "Two passengers", "value": _EXAMPLE}},
                },
                "text/csv": {
                    "schema": {"type": "string"},
                    "example": "passenger_id;navn;adresse;telefon;merknad\n"
                    "P001;Kari Nordmann;Storgata 1, 0155 Oslo;+47 912 34 567;Setebelte\n",
                },
            },
        }
    },
)
async def put_details(
    request: Request,
    plan_id: PlanId,
    caller: Annotated[Caller, Depends(require(Permission.DETAILS_WRITE))],
    database: Annotated[Database, Depends(get_database)],
) -> DetailsStored:
    """Store a plan's passenger details."""
    passenger_ids = await run_in_threadpool(_plan_passenger_ids, database, plan_id, caller)
    kind = _media_type(request)
    body = await request.body()

    def work() -> DetailsStored:
        try:
            entries = details_from_csv(body) if kind == "csv" else details_from_json(body)
            check_against_plan(entries, passenger_ids)
        except InputError as error:
            raise input_problem(error, what="The details") from None
        with database.write() as session:
            if PlanRepository(session).get(plan_id, caller.organisation) is None:
                raise not_found("plan", plan_id)
            DetailsRepository(session).replace(plan_id, [_row(entry) for entry in entries])
        return DetailsStored(
            plan_id=plan_id,
            num_passengers=len(entries),
            num_names=sum(1 for e in entries if e.name),
            num_addresses=sum(1 for e in entries if e.address),
            num_phones=sum(1 for e in entries if e.phone),
            num_notes=sum(1 for e in entries if e.notes),
        )

    return await run_in_threadpool(work)


def _row(entry: PassengerDetails) -> PassengerDetail:
    return PassengerDetail(
        passenger_id=entry.passenger_id,
        name=entry.name,
        address=entry.address,
        phone=entry.phone,
        notes=entry.notes,
    )


@router.get(
    "/plans/{plan_id}/details",
    response_model=PassengerDetailsList,
    summary="A plan's passenger details",
    description="Needs `details:read` (dispatchers, admins). Empty when none were sent.",
    responses=problem_responses(404),
)
def get_details(
    plan_id: PlanId,
    caller: Annotated[Caller, Depends(require(Permission.DETAILS_READ))],
    database: Annotated[Database, Depends(get_database)],
) -> PassengerDetailsList:
    """Read a plan's passenger details."""
    with database.read() as session:
        _own_plan(session, plan_id, caller)
        rows = DetailsRepository(session).of_plan(plan_id)
        return PassengerDetailsList(
            plan_id=plan_id,
            passengers=[
                PassengerDetailsItem(
                    passenger_id=row.passenger_id,
                    name=row.name,
                    address=row.address,
                    phone=row.phone,
                    notes=row.notes,
                )
                for row in rows.values()
            ],
        )


@router.delete(
    "/plans/{plan_id}/details",
    status_code=204,
    summary="Erase a plan's passenger details",
    description="The plan, its jobs and routes stay; manifests show ids again. Erasing the "
    "plan (`DELETE /v1/plans/{plan_id}`) erases its details too.",
    responses=problem_responses(404),
)
def delete_details(
    plan_id: PlanId,
    caller: Annotated[Caller, Depends(require(Permission.DETAILS_WRITE))],
    database: Annotated[Database, Depends(get_database)],
) -> Response:
    """Erase a plan's passenger details."""
    with database.write() as session:
        _own_plan(session, plan_id, caller)
        DetailsRepository(session).delete(plan_id)
    return Response(status_code=204)
