"""dagrute's solver: plain Python and OR-Tools, usable from a script or notebook.

The public face, in the order data flows::

    from solver import load_plan, validate, RoadNetwork, solve_week, check_week

    plan = load_plan(Path("week.json"))
    issues = validate(plan)                      # every problem at once, each naming its id
    network = RoadNetwork.load(DEFAULT_OSM_FILE)  # OpenStreetMap roads, cached
    result, matrices = solve_week(plan, network, params=SolveParams(time_limit_s=60))
    violations = check_week(plan, result, matrices)  # the independent re-check

The packages behind it, by concern: ``domain`` (the frozen types), ``params`` (time limit,
seed and the one deadline), ``io`` (JSON in and out), ``validate``, ``roads`` (OSM to
matrices), ``routing`` (one day-direction in OR-Tools), ``week`` (the week planner),
``check`` (the checker), ``scenarios`` (what-ifs) and ``cli``.

Names load on first use (PEP 562), so importing one submodule stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_PUBLIC: dict[str, str] = {
    "load_plan": "solver.io",
    "parse_plan": "solver.io",
    "load_result": "solver.io",
    "dump_result": "solver.io",
    "validate": "solver.validate",
    "raise_if_invalid": "solver.validate",
    "RoadNetwork": "solver.roads",
    "DEFAULT_OSM_FILE": "solver.roads",
    "SolveParams": "solver.params",
    "Deadline": "solver.params",
    "solve_week": "solver.week",
    "week_result": "solver.week",
    "check_week": "solver.check",
    "check_day": "solver.check",
    "Violation": "solver.check",
    "InputError": "solver.errors",
    "Issue": "solver.errors",
    **{
        name: "solver.domain"
        for name in (
            "DAYS",
            "DIRECTIONS",
            "Day",
            "Direction",
            "LatLon",
            "TimeWindow",
            "Centre",
            "Passenger",
            "Vehicle",
            "Tariff",
            "Settings",
            "WeekPlan",
            "DayProblem",
            "Stop",
            "Route",
            "Unassigned",
            "DayResult",
            "WeekResult",
        )
    },
}

__all__ = [
    "DAYS",
    "DEFAULT_OSM_FILE",
    "DIRECTIONS",
    "Centre",
    "Day",
    "DayProblem",
    "DayResult",
    "Deadline",
    "Direction",
    "InputError",
    "Issue",
    "LatLon",
    "Passenger",
    "RoadNetwork",
    "Route",
    "Settings",
    "SolveParams",
    "Stop",
    "Tariff",
    "TimeWindow",
    "Unassigned",
    "Vehicle",
    "Violation",
    "WeekPlan",
    "WeekResult",
    "check_day",
    "check_week",
    "dump_result",
    "load_plan",
    "load_result",
    "parse_plan",
    "raise_if_invalid",
    "solve_week",
    "validate",
    "week_result",
]


def __getattr__(name: str) -> Any:
    """Load a public name from the module that defines it, on first use."""
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'solver' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


if TYPE_CHECKING:  # for type checkers and editors: the same names, eagerly
    from solver.check import Violation, check_day, check_week
    from solver.domain import (
        DAYS,
        DIRECTIONS,
        Centre,
        Day,
        DayProblem,
        DayResult,
        Direction,
        LatLon,
        Passenger,
        Route,
        Settings,
        Stop,
        Tariff,
        TimeWindow,
        Unassigned,
        Vehicle,
        WeekPlan,
        WeekResult,
    )
    from solver.errors import InputError, Issue
    from solver.io import dump_result, load_plan, load_result, parse_plan
    from solver.params import Deadline, SolveParams
    from solver.roads import DEFAULT_OSM_FILE, RoadNetwork
    from solver.validate import raise_if_invalid, validate
    from solver.week import solve_week, week_result
