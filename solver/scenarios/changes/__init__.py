"""What-if changes: small frozen dataclasses, each applied by a pure function WeekPlan -> WeekPlan.

A scenario is an ordered list of changes applied to a copy of the base week
(:func:`apply_changes`); the base is never modified (``WeekPlan`` is immutable). Every apply
function is deterministic: randomness (growth, sampling) comes from the change's own seed.

Unknown ids raise :class:`ChangeError` naming the id; :func:`apply_changes` turns it into an
:class:`~solver.errors.InputError` whose issue names the scenario as well (``SCENARIO_*``
codes, see :data:`SCENARIO_CODES`).

One module per change kind defines the change, its scenarios-file model, how it is read
(``from_spec``), applied and described, and registers itself in :mod:`.registry`; callers
dispatch through :func:`kind_of` / :func:`kind_of_spec`. Shared parts: :mod:`.base`
(context, error, selectors), :mod:`.spec_parts` (file parts), :mod:`.notes` (note helpers).

Change types (the ``type`` in SCENARIOS.json):

``cap_days``         passengers chosen by a selector keep at most ``max_days`` weekdays; the
                     dropped weekdays are given (an order of preference, e.g. Friday first) or
                     chosen by the attendance-day optimiser (:mod:`solver.scenarios.days`).
``optimise_days``    re-choose the weekdays of selected passengers (same number of days,
                     among allowed weekdays) to lower the peak vehicle need.
``age_limit``        passengers aged ``max_age`` or more in ``reference_year`` leave; passengers
                     without a birth year stay (and are counted in the notes).
``remove_passengers`` selected passengers leave (all of them, or ``count`` drawn with a seed).
``close_centre``     a centre closes; its passengers move to ``into`` (a merge) or each to the
                     nearest centre with room (road travel time when roads are given, else
                     straight line), room being places per weekday.
``centre_hours``     shift centres' windows (e.g. every second centre +30 min) or set them.
``add_vehicles``     ``count`` vehicles like an existing one, or described in full.
``remove_vehicles``  vehicles leave the fleet.
``modify_vehicles``  a seating layout, operator (own/contractor), shift or weekdays for
                     selected vehicles.
``tariff``           set or scale tariff fields (per km, hour, vehicle-day, trip, week, year,
                     distance bands) of selected vehicles.
``max_ride``         the maximum ride time rule (``min_s``, ``factor``), optionally clearing
                     passengers' own limits.
``growth``           ``num_passengers`` new passengers drawn like the existing ones (seeded;
                     homes on road-network nodes near a drawn passenger's home).
"""

from solver.scenarios.changes.add_vehicles import AddVehicles, AddVehiclesSpec
from solver.scenarios.changes.age_limit import AgeLimit, AgeLimitSpec, is_over_age
from solver.scenarios.changes.apply import Change, apply_change, apply_changes, apply_changes_steps
from solver.scenarios.changes.base import (
    SCENARIO_CODES,
    ApplyContext,
    ChangeError,
    LocationSource,
    PassengerSelector,
    TravelFn,
    VehicleSelector,
    group_home_ids,
    select_passengers,
    select_vehicles,
)
from solver.scenarios.changes.cap_days import CapDays, CapDaysSpec, naive_keep
from solver.scenarios.changes.centre_hours import CentreHoursSpec, ChangeCentreHours, chosen_centres
from solver.scenarios.changes.close_centre import CloseCentre, CloseCentreSpec
from solver.scenarios.changes.growth import Growth, GrowthSpec
from solver.scenarios.changes.max_ride import MaxRide, MaxRideSpec
from solver.scenarios.changes.modify_vehicles import ModifyVehicles, ModifyVehiclesSpec
from solver.scenarios.changes.optimise_days import OptimiseDays, OptimiseDaysSpec
from solver.scenarios.changes.registry import (
    KINDS,
    ChangeKind,
    kind_of,
    kind_of_spec,
    starts_from_base,
)
from solver.scenarios.changes.remove_passengers import RemovePassengers, RemovePassengersSpec
from solver.scenarios.changes.remove_vehicles import RemoveVehicles, RemoveVehiclesSpec
from solver.scenarios.changes.tariff import (
    TARIFF_FIELDS,
    ChangeTariff,
    ChangeTariffSpec,
    changed_tariff,
)

__all__ = [
    "KINDS",
    "SCENARIO_CODES",
    "TARIFF_FIELDS",
    "AddVehicles",
    "AddVehiclesSpec",
    "AgeLimit",
    "AgeLimitSpec",
    "ApplyContext",
    "CapDays",
    "CapDaysSpec",
    "CentreHoursSpec",
    "Change",
    "ChangeCentreHours",
    "ChangeError",
    "ChangeKind",
    "ChangeTariff",
    "ChangeTariffSpec",
    "CloseCentre",
    "CloseCentreSpec",
    "Growth",
    "GrowthSpec",
    "LocationSource",
    "MaxRide",
    "MaxRideSpec",
    "ModifyVehicles",
    "ModifyVehiclesSpec",
    "OptimiseDays",
    "OptimiseDaysSpec",
    "PassengerSelector",
    "RemovePassengers",
    "RemovePassengersSpec",
    "RemoveVehicles",
    "RemoveVehiclesSpec",
    "TravelFn",
    "VehicleSelector",
    "apply_change",
    "apply_changes",
    "apply_changes_steps",
    "changed_tariff",
    "chosen_centres",
    "group_home_ids",
    "is_over_age",
    "kind_of",
    "kind_of_spec",
    "naive_keep",
    "select_passengers",
    "select_vehicles",
    "starts_from_base",
]
