"""The dispatcher's day: record the day's changes on a planned week and re-plan in seconds.

- :mod:`solver.dispatch.changes`: absences, extra trips, another address, a vehicle broken
  down or late, a centre opening late; checked against the plan and applied to a copy of it.
- :mod:`solver.dispatch.replan`: one day-direction re-planned after them, every unaffected
  passenger kept on their vehicle and near their published pickup unless that is impossible.
- :mod:`solver.dispatch.diff`: what changed for whom, and which drivers need a new manifest.
- :mod:`solver.dispatch.edits`: hand moves made at once, re-timed and checked, not stored.
"""

from solver.dispatch.changes import (
    CHANGE_CODES,
    Absence,
    Address,
    Assign,
    CentreLate,
    DayChange,
    DayChanges,
    ExtraTrip,
    LockRoute,
    VehicleLate,
    VehicleUnavailable,
    changed_plan,
    check_changes,
)
from solver.dispatch.diff import DayDiff, TripChange, Why, diff_days, published_trips
from solver.dispatch.edits import EditPreview, Move, preview_moves
from solver.dispatch.replan import DEFAULT_REPLAN_S, DEFAULT_TOLERANCE_S, Replan, replan_day

__all__ = [
    "CHANGE_CODES",
    "DEFAULT_REPLAN_S",
    "DEFAULT_TOLERANCE_S",
    "Absence",
    "Address",
    "Assign",
    "CentreLate",
    "DayChange",
    "DayChanges",
    "DayDiff",
    "EditPreview",
    "ExtraTrip",
    "LockRoute",
    "Move",
    "Replan",
    "TripChange",
    "VehicleLate",
    "VehicleUnavailable",
    "Why",
    "changed_plan",
    "check_changes",
    "diff_days",
    "preview_moves",
    "published_trips",
    "replan_day",
]
