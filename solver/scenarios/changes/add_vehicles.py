"""``add_vehicles``: vehicles like an existing one, or described in full."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from pydantic import ConfigDict, Field

from solver.domain import DAYS, Day, LatLon, SeatingLayout, Tariff, TimeWindow, Vehicle, WeekPlan
from solver.io import Operator
from solver.scenarios.changes.base import (
    ApplyContext,
    ChangeError,
    check_centre_ids,
    check_vehicle_ids,
    new_ids,
)
from solver.scenarios.changes.notes import counted, vehicle_ids
from solver.scenarios.changes.registry import ChangeKind, register
from solver.scenarios.changes.spec_parts import (
    Id,
    LayoutSpec,
    LocationSpec,
    SpecModel,
    TariffSpec,
    WindowSpec,
    days_from_spec,
    tariff_from_spec,
    window_from_spec,
)


@dataclass(frozen=True, slots=True)
class AddVehicles:
    """Add ``count`` vehicles: copies of vehicle ``like`` with the fields given replaced.

    Without ``like``, ``seats``, ``tariff`` and a depot (``depot`` or ``at_centre``) are needed;
    the shift then defaults to the first vehicle's. New ids are ``id_prefix`` + a number.
    """

    count: int = 1
    like: str | None = None
    id_prefix: str = "X"
    seats: int | None = None
    wheelchair_places: int | None = None
    layouts: tuple[SeatingLayout, ...] | None = None
    depot: LatLon | None = None
    at_centre: str | None = None
    shift: TimeWindow | None = None
    days: frozenset[Day] | None = None
    tariff: Tariff | None = None
    operator: str | None = None


class AddVehiclesSpec(SpecModel):
    """Add count vehicles like an existing one (fields given replace its), or described."""

    model_config = ConfigDict(title="add_vehicles")
    type: Literal["add_vehicles"]
    count: int = Field(default=1, ge=1)
    like: Id | None = Field(default=None, description="Vehicle id to copy.")
    id_prefix: str = Field(default="X", pattern=r"^[A-Za-z0-9_-]+$")
    seats: int | None = Field(default=None, ge=0)
    wheelchair_places: int | None = Field(default=None, ge=0)
    layouts: list[LayoutSpec] | None = None
    depot: LocationSpec | None = None
    at_centre: Id | None = Field(default=None, description="Depot at this centre (own bus).")
    shift: WindowSpec | None = None
    days: list[Day] | None = None
    tariff: TariffSpec | None = None
    operator: Operator | None = None


def add_vehicles_from_spec(spec: AddVehiclesSpec) -> AddVehicles:
    """The change a scenarios file's ``add_vehicles`` entry describes."""
    return AddVehicles(
        count=spec.count,
        like=spec.like,
        id_prefix=spec.id_prefix,
        seats=spec.seats,
        wheelchair_places=spec.wheelchair_places,
        layouts=None
        if spec.layouts is None
        else tuple(SeatingLayout(x.seats, x.wheelchair_places) for x in spec.layouts),
        depot=None if spec.depot is None else LatLon(spec.depot.lat, spec.depot.lon),
        at_centre=spec.at_centre,
        shift=window_from_spec(spec.shift),
        days=days_from_spec(spec.days),
        tariff=None if spec.tariff is None else tariff_from_spec(spec.tariff),
        operator=spec.operator,
    )


def apply_add_vehicles(plan: WeekPlan, change: AddVehicles, context: ApplyContext) -> WeekPlan:
    """Add vehicles (see :class:`AddVehicles`)."""
    if change.like is not None:
        check_vehicle_ids(plan, [change.like])
        template = next(v for v in plan.vehicles if v.vehicle_id == change.like)
    else:
        if change.seats is None or change.tariff is None:
            raise ChangeError(
                "SCENARIO_BAD_CHANGE",
                "add_vehicles without like needs seats and tariff.",
                "Give like (a vehicle to copy) or seats, tariff and depot or at_centre.",
            )
        if change.depot is None and change.at_centre is None:
            raise ChangeError(
                "SCENARIO_BAD_CHANGE",
                "add_vehicles without like needs depot or at_centre.",
                "Give like (a vehicle to copy), depot or at_centre.",
            )
        template = Vehicle(
            vehicle_id="",
            depot=change.depot or LatLon(0.0, 0.0),
            seats=change.seats,
            wheelchair_places=0,
            days=frozenset(DAYS),
            shift=plan.vehicles[0].shift if plan.vehicles else TimeWindow(6 * 3600, 18 * 3600),
            tariff=change.tariff,
        )
    depot = change.depot or template.depot
    if change.at_centre is not None:
        check_centre_ids(plan, [change.at_centre])
        depot = plan.centre(change.at_centre).location
    seats = change.seats if change.seats is not None else template.seats
    places = (
        change.wheelchair_places
        if change.wheelchair_places is not None
        else template.wheelchair_places
    )
    layouts = change.layouts if change.layouts is not None else template.layouts
    if layouts and SeatingLayout(seats, places) not in layouts:
        layouts = (SeatingLayout(seats, places), *layouts)
    existing = {v.vehicle_id for v in plan.vehicles}
    added = [
        replace(
            template,
            vehicle_id=vid,
            depot=depot,
            seats=seats,
            wheelchair_places=places,
            layouts=layouts,
            shift=change.shift or template.shift,
            days=change.days if change.days is not None else template.days,
            tariff=change.tariff or template.tariff,
            operator=change.operator or template.operator,
        )
        for vid in new_ids(plan, change.id_prefix, change.count, existing)
    ]
    return plan.replace(vehicles=plan.vehicles + tuple(added))


def describe_add_vehicles(change: AddVehicles, before: WeekPlan, after: WeekPlan) -> str:
    """What the change did, turning ``before`` into ``after``, in one sentence."""
    new = [v for v in after.vehicles if v.vehicle_id not in vehicle_ids(before)]
    kinds = ", ".join(
        f"{v.vehicle_id} ({v.operator}, {v.seats} seats + {v.wheelchair_places} wheelchair places)"
        for v in new
    )
    return f"{counted(len(new), 'vehicle')} added: {kinds}."


register(
    ChangeKind(
        name="add_vehicles",
        change=AddVehicles,
        spec=AddVehiclesSpec,
        from_spec=add_vehicles_from_spec,
        apply=apply_add_vehicles,
        describe=describe_add_vehicles,
        # More vehicles, the same passengers: the base routes stay feasible (new ones idle).
        base_routes_feasible=True,
    )
)
