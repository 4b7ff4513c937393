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
