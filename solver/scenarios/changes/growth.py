"""``growth``: new passengers drawn like the existing ones (seeded; homes on road nodes)."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, replace
from typing import Final, Literal

import numpy as np
from pydantic import ConfigDict, Field

from solver.domain import LatLon, Passenger, WeekPlan
from solver.scenarios.changes.base import ApplyContext, ChangeError, check_centre_ids, new_ids
from solver.scenarios.changes.notes import counted
from solver.scenarios.changes.registry import ChangeKind, register
from solver.scenarios.changes.spec_parts import Id, SpecModel, tuple_from_spec

GROWTH_CANDIDATES_PER_PASSENGER: Final = 40

MIN_GROWTH_CANDIDATES: Final = 400


@dataclass(frozen=True, slots=True)
class Growth:
    """``num_passengers`` new passengers, each drawn like an existing one (seeded).

    A new passenger copies a randomly drawn passenger of ``centre_ids`` (or of any centre): centre,
    weekdays, mobility, escorts and own time windows; their home is the unused road node nearest
    to that passenger's home among nodes drawn from the road network; their birth year is that
    of another randomly drawn passenger. Ids are ``id_prefix`` + a number.
    """

    num_passengers: int
    seed: int = 1
    centre_ids: tuple[str, ...] | None = None
    id_prefix: str = "N"


class GrowthSpec(SpecModel):
    """num_passengers new passengers drawn like existing ones (seeded; homes on road nodes)."""

    model_config = ConfigDict(title="growth")
    type: Literal["growth"]
    num_passengers: int = Field(ge=0, le=10_000, examples=[20])
    seed: int = Field(default=1, ge=0)
    centre_ids: list[Id] | None = None
    id_prefix: str = Field(default="N", pattern=r"^[A-Za-z0-9_-]+$")


def growth_from_spec(spec: GrowthSpec) -> Growth:
    """The change a scenarios file's ``growth`` entry describes."""
    return Growth(spec.num_passengers, spec.seed, tuple_from_spec(spec.centre_ids), spec.id_prefix)


def _plan_locations(plan: WeekPlan) -> set[LatLon]:
    taken = {c.location for c in plan.centres} | {v.depot for v in plan.vehicles}
    for p in plan.passengers:
        taken.add(p.home)
        taken.update(p.home_exceptions.values())
    return taken


def apply_growth(plan: WeekPlan, change: Growth, context: ApplyContext) -> WeekPlan:
    """Add new passengers drawn like the existing ones (see :class:`Growth`)."""
    if change.num_passengers <= 0:
        return plan
    if change.centre_ids is not None:
        check_centre_ids(plan, change.centre_ids)
    templates = [
        p for p in plan.passengers if change.centre_ids is None or p.centre_id in change.centre_ids
    ]
    if not templates:
        raise ChangeError(
            "SCENARIO_BAD_CHANGE",
            "growth has no existing passenger to draw new ones like.",
            "Give centre_ids whose centres have passengers.",
        )
    if context.locations is None:
        raise ChangeError(
            "SCENARIO_NEEDS_ROADS",
            "growth needs road-network nodes to place new homes on.",
            "Run the batch with a road network (the CLI always has one).",
        )
    rng = np.random.default_rng(change.seed)
    wanted = max(MIN_GROWTH_CANDIDATES, GROWTH_CANDIDATES_PER_PASSENGER * change.num_passengers)
    taken = _plan_locations(plan)
    candidates = [
        loc
        for loc in dict.fromkeys(context.locations.random_node_locations(wanted, rng))
        if loc not in taken
    ]
    if len(candidates) < change.num_passengers:
        raise ChangeError(
            "SCENARIO_BAD_CHANGE",
            "The road network gave too few free nodes for the new homes.",
            "Ask for fewer new passengers.",
        )
    lat = np.array([c.lat for c in candidates])
    lon = np.array([c.lon for c in candidates])
    cos_lat = math.cos(math.radians(float(lat.mean())))
    free = np.ones(len(candidates), dtype=bool)
    with_birth_year = [p.birth_year for p in plan.passengers if p.birth_year is not None]
    existing = {p.passenger_id for p in plan.passengers}
    new: list[Passenger] = []
    for pid in new_ids(plan, change.id_prefix, change.num_passengers, existing):
        template = templates[int(rng.integers(len(templates)))]
        metres = np.hypot(
            (lat - template.home.lat) * 111_195.0,
            (lon - template.home.lon) * 111_195.0 * cos_lat,
        )
        metres[~free] = np.inf
        chosen = int(np.argmin(metres))
        free[chosen] = False
        birth_year = (
            with_birth_year[int(rng.integers(len(with_birth_year)))] if with_birth_year else None
        )
        new.append(
            replace(
                template,
                passenger_id=pid,
                home=candidates[chosen],
                home_exceptions={},
                birth_year=birth_year,
            )
        )
    return plan.replace(passengers=plan.passengers + tuple(new))


def describe_growth(change: Growth, before: WeekPlan, after: WeekPlan) -> str:
    """What the change did, turning ``before`` into ``after``, in one sentence."""
    old_passengers = {p.passenger_id for p in before.passengers}
    new_passengers = {p.passenger_id for p in after.passengers}
    new_ids = sorted(new_passengers - old_passengers)
    by_centre = Counter(p.centre_id for p in after.passengers if p.passenger_id in new_ids)
    where = ", ".join(f"{n} at {c}" for c, n in sorted(by_centre.items()))
    return f"{counted(len(new_ids), 'new passenger')} (seed {change.seed}): {where}."


register(
    ChangeKind(
        name="growth",
        change=Growth,
        spec=GrowthSpec,
        from_spec=growth_from_spec,
        apply=apply_growth,
        describe=describe_growth,
        # Adds passengers: a start leaving all of them out misleads the search.
        base_routes_feasible=False,
    )
)
