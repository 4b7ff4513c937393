"""Applying changes: one through the registry, a scenario's in order, the outcome validated."""

from __future__ import annotations

from collections.abc import Sequence

from solver.domain import WeekPlan
from solver.errors import InputError, Issue
from solver.scenarios.changes.add_vehicles import AddVehicles
from solver.scenarios.changes.age_limit import AgeLimit
from solver.scenarios.changes.base import ApplyContext, ChangeError
from solver.scenarios.changes.cap_days import CapDays
from solver.scenarios.changes.centre_hours import ChangeCentreHours
from solver.scenarios.changes.close_centre import CloseCentre
from solver.scenarios.changes.growth import Growth
from solver.scenarios.changes.max_ride import MaxRide
from solver.scenarios.changes.modify_vehicles import ModifyVehicles
from solver.scenarios.changes.optimise_days import OptimiseDays
from solver.scenarios.changes.registry import kind_of
from solver.scenarios.changes.remove_passengers import RemovePassengers
from solver.scenarios.changes.remove_vehicles import RemoveVehicles
from solver.scenarios.changes.tariff import ChangeTariff
from solver.validate import validate

Change = (
    CapDays
    | OptimiseDays
    | AgeLimit
    | RemovePassengers
    | CloseCentre
    | ChangeCentreHours
    | AddVehicles
    | RemoveVehicles
    | ModifyVehicles
    | ChangeTariff
    | MaxRide
    | Growth
)
"""Any change a scenario may hold."""


def apply_change(plan: WeekPlan, change: Change, context: ApplyContext | None = None) -> WeekPlan:
    """``plan`` with ``change`` applied (a new plan; ``plan`` itself is unchanged)."""
    context = context or ApplyContext()
    return kind_of(change).apply(plan, change, context)


def apply_changes_steps(
    plan: WeekPlan,
    changes: Sequence[Change],
    context: ApplyContext | None = None,
    *,
    scenario_id: str = "scenario",
    path: str | None = None,
) -> tuple[WeekPlan, ...]:
    """The week before each change and after the last (``len(changes) + 1`` plans).

    Changes apply in order to copies of ``plan``; the last plan is validated. Raises
    :class:`~solver.errors.InputError` naming the scenario (and the id) for a change that
    cannot be applied (``SCENARIO_*``) and for an outcome that is not a valid plan
    (``SCENARIO_INVALID_PLAN``, each validation issue in the message).
    """
    plans = [plan]
    for index, change in enumerate(changes):
        where = f"{path}.changes[{index}]" if path else f"changes[{index}]"
        try:
            plans.append(apply_change(plans[-1], change, context))
        except ChangeError as error:
            raise InputError(
                [
                    Issue(
                        code=error.code,
                        message=f"Scenario {scenario_id}: {error.message}",
                        hint=error.hint,
                        path=where,
                        id=error.ident,
                    )
                ]
            ) from None
    issues = validate(plans[-1])
    if issues:
        raise InputError(
            [
                Issue(
                    code="SCENARIO_INVALID_PLAN",
                    message=f"Scenario {scenario_id}: {issue.code}: {issue.message}",
                    hint=issue.hint,
                    path=path,
                    id=issue.id,
                )
                for issue in issues
            ]
        )
    return tuple(plans)


def apply_changes(
    plan: WeekPlan,
    changes: Sequence[Change],
    context: ApplyContext | None = None,
    *,
    scenario_id: str = "scenario",
) -> WeekPlan:
    """``plan`` with ``changes`` applied in order, validated (see :func:`apply_changes_steps`)."""
    return apply_changes_steps(plan, changes, context, scenario_id=scenario_id)[-1]
