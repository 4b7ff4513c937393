"""Contract pricing and annual figures on a hand-made week (no solving)."""

from __future__ import annotations

import pytest

from solver.costs import Costing, band_price, figures, price_week, weekday_slots
from solver.domain import (
    DayResult,
    Direction,
    DistanceBand,
    Kpis,
    LatLon,
    Route,
    Stop,
    StopKind,
    Tariff,
    WeekResult,
)
from tests.conftest import CENTRE_A, DEPOT, hm, home, make_plan, passenger, vehicle

HOME_1 = home(0.01)
HOME_2 = home(0.02)
CONTRACT = Tariff(
    per_km=10.0,
    per_hour=600.0,
    per_vehicle_day=1000.0,
    per_trip=20.0,
    per_week=100.0,
    per_year=5000.0,
    distance_bands=(DistanceBand(None, 90.0), DistanceBand(2000, 50.0)),
)
OWN = Tariff(per_km=5.0, per_hour=400.0, per_vehicle_day=300.0, per_year=80_000.0)
NO_KPIS = Kpis(0, 0, 0, 0, 0, 0.0, 0.0, 0, 0.0)


class FixedDistances:
    """Direct distances: 1 500 m from home 1, 2 500 m from home 2 (either way)."""

    def distance_m(self, a: LatLon, b: LatLon) -> int:
        far = {a, b} - {CENTRE_A}
        return 1500 if far == {HOME_1} else 2500


def stop(kind: StopKind, at: LatLon, t: int, **kwargs: object) -> Stop:
    return Stop(kind, at, t, t, **kwargs)  # type: ignore[arg-type]


def route(vehicle_id: str, pickups: tuple[str, ...], distance_m: int, duration_s: int) -> Route:
    return Route(
        vehicle_id,
        (
            stop(StopKind.DEPOT, DEPOT, hm(8)),
            stop(StopKind.HOME, HOME_1, hm(8, 10), pickups=pickups),
            stop(StopKind.CENTRE, CENTRE_A, hm(8, 40), dropoffs=pickups, centre_id="A"),
        ),
        distance_m,
        duration_s,
        cost=0.0,
    )


def week() -> tuple[object, WeekResult]:
    """P1 and P2 attend Mon (+ P1 Tue). V1 (contractor) drives both ways on Monday (one
    vehicle-day), V2 (own) drives Tuesday morning. V3 (contractor) is never used."""
    plan = make_plan(
        [
            passenger("P1", HOME_1, days=frozenset({"mon", "tue"})),
            passenger("P2", HOME_2, days=frozenset({"mon"})),
        ],
        [
            vehicle("V1", tariff=CONTRACT),
            vehicle("V2", tariff=OWN, operator="own"),
            vehicle("V3", tariff=CONTRACT),
        ],
    )
    mon_to = DayResult(
        "mon", Direction.TO_CENTRE, (route("V1", ("P1", "P2"), 12_000, 3600),), (), NO_KPIS
    )
    mon_from = DayResult(
        "mon", Direction.FROM_CENTRE, (route("V1", ("P1", "P2"), 8_000, 1800),), (), NO_KPIS
    )
    tue_to = DayResult(
        "tue", Direction.TO_CENTRE, (route("V2", ("P1",), 4_000, 1200),), (), NO_KPIS
    )
    return plan, WeekResult((mon_to, mon_from, tue_to))


def test_bands_pick_the_first_band_not_exceeded() -> None:
    bands = (DistanceBand(2000, 50.0), DistanceBand(10_000, 70.0))
    assert band_price(bands, 2000) == 50.0
    assert band_price(bands, 2001) == 70.0
    assert band_price(bands, 50_000) == 70.0  # beyond every band: the last one
    assert band_price((), 5000) == 0.0


def test_week_priced_per_operator_in_contract_terms() -> None:
    plan, result = week()
    costs = price_week(plan, result, FixedDistances())  # type: ignore[arg-type]
    contractor = costs.by_operator["contractor"]
    own = costs.by_operator["own"]
    assert contractor.distance_cost == pytest.approx(10.0 * 20.0)  # 20 km
    assert contractor.time_cost == pytest.approx(600.0 * 1.5)  # 1.5 h
    assert contractor.vehicle_day_cost == pytest.approx(1000.0)  # Monday once
    assert contractor.trip_cost == pytest.approx(4 * 20.0)
    assert contractor.band_cost == pytest.approx(2 * 50.0 + 2 * 90.0)  # P1 1.5 km, P2 2.5 km
    assert contractor.fixed_week_cost == pytest.approx(2 * 100.0)  # V1 and V3 in the fleet
    assert contractor.fixed_year_cost == pytest.approx(2 * 5000.0)
    assert (contractor.num_vehicles_used, contractor.vehicle_days, contractor.num_trips) == (
        1,
        1,
        4,
    )
    assert own.weekly_cost == pytest.approx(5.0 * 4 + 400.0 / 3 + 300.0)
    assert own.fixed_year_cost == 80_000.0
    costing = Costing(operating_weeks=46)
    weekly = contractor.weekly_cost + own.weekly_cost
    assert costs.annual_cost(costing) == pytest.approx(weekly * 46 + 10_000 + 80_000)


def test_figures_sum_the_routes_and_give_bergens_unit() -> None:
    plan, result = week()
    costs = price_week(plan, result, FixedDistances())  # type: ignore[arg-type]
    f = figures(costs, Costing(operating_weeks=40))
    assert weekday_slots(plan) == 3  # P1 Mon + Tue, P2 Mon
    assert f["trips"] == 5
    assert f["km"] == pytest.approx(24.0)
    assert f["vehicle_hours"] == pytest.approx(6600 / 3600, abs=1e-4)
    assert f["peak_vehicles"] == 1
    assert f["vehicle_days"] == 2
    assert f["annual_cost"] == pytest.approx(costs.weekly_cost * 40 + 90_000, abs=0.01)
    assert f["cost_per_slot_year"] == pytest.approx(f["annual_cost"] / 3, abs=0.01)
    assert f["annual_cost_contractor"] + f["annual_cost_own"] == pytest.approx(f["annual_cost"])
    assert f["route_cost_week"] + f["contract_extras_week"] == pytest.approx(f["weekly_cost"])
    assert f["mean_ride_min"] == pytest.approx(30.0)
