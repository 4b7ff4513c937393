"""Tiny named weeks for the scenario tests (straight-line travel, no road graph)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from solver.domain import (
    DAYS,
    Day,
    LatLon,
    Mobility,
    SeatingLayout,
    Tariff,
    WeekPlan,
    WeekResult,
)
from solver.scenarios.spec import Scenario, ScenarioBatch
from solver.week import solve_week
from tests.conftest import (
    CENTRE_A,
    CENTRE_B,
    StraightNetwork,
    centre,
    home,
    make_plan,
    passenger,
    vehicle,
)

CENTRE_C = LatLon(59.920, 10.800)
GROUP_HOME = home(0.004, 0.002)
FIVE: frozenset[Day] = frozenset(DAYS)
CONTRACTOR_TARIFF = Tariff(per_km=12.0, per_hour=600.0, per_vehicle_day=1000.0)
OWN_TARIFF = Tariff(per_km=9.0, per_hour=420.0, per_vehicle_day=350.0)


def tiny_week() -> WeekPlan:
    """Two centres, five passengers, three vehicles.

    Centre A: P1 and P2 live together in a group home and attend 5 days (P1 born 1950,
    P2 1990); P3 lives alone, attends Mon/Wed/Fri, birth year unknown.
    Centre B: P4 (wheelchair, 5 days, born 1970); P5 (Tue/Thu, born 1962).
    Vehicles: V1 contractor minibus (8 seats), V2 own minibus 4+2 at centre A (flip seats),
    V3 contractor van 3+2.
    """
    return make_plan(
        [
            passenger("P1", GROUP_HOME, "A", birth_year=1950),
            passenger("P2", GROUP_HOME, "A", birth_year=1990),
            passenger("P3", home(-0.006, 0.004), "A", days=frozenset({"mon", "wed", "fri"})),
            passenger("P4", home(0.010, 0.012), "B", mobility=Mobility.WHEELCHAIR, birth_year=1970),
            passenger(
                "P5", home(0.012, 0.006), "B", days=frozenset({"tue", "thu"}), birth_year=1962
            ),
        ],
        [
            vehicle("V1", seats=8, tariff=CONTRACTOR_TARIFF),
            vehicle(
                "V2",
                seats=4,
                wheelchair_places=2,
                depot=CENTRE_A,
                tariff=OWN_TARIFF,
                operator="own",
                layouts=(SeatingLayout(8, 0), SeatingLayout(6, 1), SeatingLayout(4, 2)),
            ),
            vehicle("V3", seats=3, wheelchair_places=2, tariff=CONTRACTOR_TARIFF),
        ],
        centres=[centre("A", CENTRE_A), centre("B", CENTRE_B)],
        name="tiny week",
    )


def monday_week() -> WeekPlan:
    """The tiny week with everyone attending Monday only (so a week routes in seconds)."""
    plan = tiny_week()
    mon: frozenset[Day] = frozenset({"mon"})
    return plan.replace(
        passengers=tuple(replace(p, days=mon) for p in plan.passengers),
        vehicles=tuple(v for v in plan.vehicles if v.vehicle_id != "V3"),
    )


WEEK_SECONDS = 2.0
"""Time limit of the weeks ``routed`` plans."""


def routed(plan: WeekPlan, fleet: tuple[str, ...]) -> WeekResult:
    """``plan`` routed with only the vehicles ``fleet`` (valid routes for the whole fleet)."""
    only = plan.replace(
        vehicles=tuple(v for v in plan.vehicles if v.vehicle_id in fleet),
        settings=replace(plan.settings, time_limit_s=WEEK_SECONDS),
    )
    result, _ = solve_week(only, StraightNetwork(), workers=1)
    return replace(result, name=plan.name)


def batch_of(*scenarios: Scenario, time_limit_s: float = 2.0) -> ScenarioBatch:
    return ScenarioBatch(scenarios=scenarios, name="tiny batch", time_limit_s=time_limit_s)


class GridNodes:
    """A fake road network's nodes: a 20 × 20 grid around centre A (seeded draws)."""

    def __init__(self) -> None:
        self.nodes = [
            LatLon(
                round(CENTRE_A.lat - 0.02 + 0.002 * i, 6), round(CENTRE_A.lon - 0.02 + 0.002 * j, 6)
            )
            for i in range(20)
            for j in range(20)
        ]

    def random_node_locations(self, n: int, rng: np.random.Generator) -> list[LatLon]:
        picks = rng.choice(len(self.nodes), size=min(n, len(self.nodes)), replace=False)
        return [self.nodes[int(i)] for i in picks]


__all__ = [
    "CENTRE_A",
    "CENTRE_B",
    "CENTRE_C",
    "FIVE",
    "GROUP_HOME",
    "GridNodes",
    "batch_of",
    "monday_week",
    "tiny_week",
]
