"""The week planner: one ``solve_week`` for the CLI, the service and scenario batches.

- :mod:`solver.week.planner`: snap every place once, build one pair of matrices, plan the
  day-directions (consistency templates, the same vehicle both ways, repairs, hints) inside
  one :class:`~solver.params.Deadline`.
- :mod:`solver.week.consistency`: templates and pins for one vehicle and pickup time a week,
  and how consistent a week came out.
- :mod:`solver.week.explain`: counterfactual hints for passengers left out.
- :mod:`solver.week.totals`: a week's totals.
"""

from solver.week.planner import (
    DayResultFn,
    GeometryFn,
    Network,
    ProgressFn,
    build_week_matrices,
    day_directions,
    default_workers,
    morning_vehicle_pins,
    morning_vehicles,
    solve_week,
    with_geometry,
    without_passengers,
)
from solver.week.totals import week_result, week_totals

__all__ = [
    "DayResultFn",
    "GeometryFn",
    "Network",
    "ProgressFn",
    "build_week_matrices",
    "day_directions",
    "default_workers",
    "morning_vehicle_pins",
    "morning_vehicles",
    "solve_week",
    "week_result",
    "week_totals",
    "with_geometry",
    "without_passengers",
]
