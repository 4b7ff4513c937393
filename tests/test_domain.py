"""Methods of the domain objects."""

from __future__ import annotations

import pytest

from solver.domain import Tariff

TARIFF = Tariff(per_km=12.0, per_hour=550.0, per_vehicle_day=900.0, per_trip=20.0)


def test_a_used_route_of_no_length_costs_the_vehicle_day() -> None:
    assert TARIFF.route_cost(0, 0) == 900.0


def test_route_cost_adds_km_and_hours_to_the_vehicle_day() -> None:
    assert TARIFF.route_cost(10_000, 3600) == pytest.approx(900.0 + 10 * 12.0 + 550.0)
    assert TARIFF.distance_cost(10_000) == pytest.approx(120.0)
    assert TARIFF.time_cost(1800) == pytest.approx(275.0)


def test_a_day_problem_takes_its_direction_as_the_enum_whatever_it_is_given() -> None:
    from solver.domain import Direction
    from tests.conftest import home, make_plan, passenger, vehicle

    plan = make_plan([passenger("P1", home(0.01))], [vehicle()])
    problem = plan.day_problem("mon", "to_centre")  # type: ignore[arg-type]
    assert problem.direction is Direction.TO_CENTRE
    with pytest.raises(ValueError):
        plan.day_problem("mon", "sideways")  # type: ignore[arg-type]
