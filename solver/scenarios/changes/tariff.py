"""``tariff``: set or scale tariff fields of selected vehicles."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Final, Literal

from pydantic import ConfigDict, Field

from solver.domain import DistanceBand, Tariff, WeekPlan
from solver.scenarios.changes.base import (
    ApplyContext,
    ChangeError,
    VehicleSelector,
    select_vehicles,
)
from solver.scenarios.changes.notes import counted
from solver.scenarios.changes.registry import ChangeKind, register
from solver.scenarios.changes.spec_parts import (
    BandSpec,
    SpecModel,
    TariffFieldsSpec,
    VehicleSelectorSpec,
    bands_from_spec,
    fields_from_spec,
    vehicles_from_spec,
)

TARIFF_FIELDS: Final = ("per_km", "per_hour", "per_vehicle_day", "per_trip", "per_week", "per_year")


@dataclass(frozen=True)
class ChangeTariff:
    """Set (``set``) then scale (``scale``, factors) tariff fields of selected vehicles.

    Field names: :data:`TARIFF_FIELDS`. ``distance_bands`` replaces the bands when given;
    ``scale_bands`` multiplies every band's price.
    """

    select: VehicleSelector = VehicleSelector()  # noqa: RUF009 (frozen)
    set: Mapping[str, float] = field(default_factory=dict)
    scale: Mapping[str, float] = field(default_factory=dict)
    distance_bands: tuple[DistanceBand, ...] | None = None
    scale_bands: float | None = None


class ChangeTariffSpec(SpecModel):
    """Set, then scale, tariff fields of selected vehicles (contract renegotiation)."""

    model_config = ConfigDict(title="tariff")
    type: Literal["tariff"]
    select: VehicleSelectorSpec = Field(default_factory=VehicleSelectorSpec)
    set: TariffFieldsSpec = Field(default_factory=TariffFieldsSpec)
    scale: TariffFieldsSpec = Field(default_factory=TariffFieldsSpec)
    distance_bands: list[BandSpec] | None = Field(default=None, description="Replace bands.")
    scale_bands: float | None = Field(default=None, ge=0, description="Multiply band prices.")


def tariff_change_from_spec(spec: ChangeTariffSpec) -> ChangeTariff:
    """The change a scenarios file's ``tariff`` entry describes."""
    return ChangeTariff(
        select=vehicles_from_spec(spec.select),
        set=fields_from_spec(spec.set),
        scale=fields_from_spec(spec.scale),
        distance_bands=None
        if spec.distance_bands is None
        else bands_from_spec(spec.distance_bands),
        scale_bands=spec.scale_bands,
    )


def changed_tariff(tariff: Tariff, change: ChangeTariff) -> Tariff:
    """``tariff`` with ``change``'s fields set, then scaled."""
    values = {name: float(getattr(tariff, name)) for name in TARIFF_FIELDS}
    for name, value in change.set.items():
        values[name] = float(value)
    for name, factor in change.scale.items():
        values[name] = values[name] * float(factor)
    bands = change.distance_bands if change.distance_bands is not None else tariff.distance_bands
    if change.scale_bands is not None:
        bands = tuple(replace(b, price=b.price * change.scale_bands) for b in bands)
    return Tariff(
        per_km=values["per_km"],
        per_hour=values["per_hour"],
        per_vehicle_day=values["per_vehicle_day"],
        per_trip=values["per_trip"],
        per_week=values["per_week"],
        per_year=values["per_year"],
        distance_bands=tuple(sorted(bands, key=_band_order)),
    )


def _band_order(band: DistanceBand) -> float:
    return math.inf if band.max_m is None else float(band.max_m)


def apply_tariff(plan: WeekPlan, change: ChangeTariff, context: ApplyContext) -> WeekPlan:
    """Change selected vehicles' tariffs (see :class:`ChangeTariff`)."""
    unknown = [n for n in [*change.set, *change.scale] if n not in TARIFF_FIELDS]
    if unknown:
        raise ChangeError(
            "SCENARIO_BAD_CHANGE",
            f"Tariff field {unknown[0]} does not exist.",
            f"Use one of {', '.join(TARIFF_FIELDS)}.",
        )
    chosen = {v.vehicle_id for v in select_vehicles(plan, change.select)}
    return plan.replace(
        vehicles=tuple(
            replace(v, tariff=changed_tariff(v.tariff, change)) if v.vehicle_id in chosen else v
            for v in plan.vehicles
        )
    )


def describe_tariff(change: ChangeTariff, before: WeekPlan, after: WeekPlan) -> str:
    """What the change did, turning ``before`` into ``after``, in one sentence."""
    changed_vehicles = [
        a.vehicle_id
        for a, b in zip(before.vehicles, after.vehicles, strict=True)
        if a.tariff != b.tariff
    ]
    parts = [f"{k} = {v:g}" for k, v in change.set.items()] + [
        f"{k} × {v:g}" for k, v in change.scale.items()
    ]
    if change.distance_bands is not None:
        parts.append(f"{len(change.distance_bands)} distance bands")
    if change.scale_bands is not None:
        parts.append(f"band prices × {change.scale_bands:g}")
    return (
        f"Tariff of {counted(len(changed_vehicles), 'vehicle')} changed: "
        f"{'; '.join(parts) or 'nothing'}."
    )


register(
    ChangeKind(
        name="tariff",
        change=ChangeTariff,
        spec=ChangeTariffSpec,
        from_spec=tariff_change_from_spec,
        apply=apply_tariff,
        describe=describe_tariff,
        # Changes prices only: every base route stays feasible.
        base_routes_feasible=True,
    )
)
