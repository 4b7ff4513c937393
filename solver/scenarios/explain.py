"""One sentence per applied change, saying what it did to the week (for reports).

Computed from the plan before and after the change, so a note can never disagree with the
week that was solved. Each change kind writes its own note (its ``describe``, see
:mod:`solver.scenarios.changes.registry`).
"""

from __future__ import annotations

from collections.abc import Sequence

from solver.domain import WeekPlan
from solver.scenarios.changes import Change, kind_of
from solver.scenarios.changes.notes import added_days, dropped_days

__all__ = ["added_days", "dropped_days", "explain_all", "explain_change"]


def explain_change(change: Change, before: WeekPlan, after: WeekPlan) -> str:
    """What ``change`` did, turning ``before`` into ``after``, in one sentence."""
    note: str = kind_of(change).describe(change, before, after)
    return note


def explain_all(plans: Sequence[WeekPlan], changes: Sequence[Change]) -> list[str]:
    """One note per change; ``plans`` holds the week before each change and after the last."""
    return [explain_change(change, plans[i], plans[i + 1]) for i, change in enumerate(changes)]
