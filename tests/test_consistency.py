"""Weekly consistency: pins (strict and soft), template weeks, measurement and churn."""

from __future__ import annotations

from dataclasses import replace

from solver.check import check_day, check_week
from solver.domain import (
    CentreHours,
    Direction,
    Pin,
    Settings,
    Tariff,
    TimeWindow,
    WeekResult,
)
from solver.generate import generate_week
from solver.routing.search import SearchParams, solve_day
from solver.week import solve_week
from solver.week.consistency import (
    Consistency,
    Template,
    churn,
    measure,
    pinned_problems,
    pins_for,
    share_vehicles,
    template_problem,
)
from tests.conftest import (
    CENTRE_A,
    CENTRE_B,
    StraightNetwork,
    centre,
    hm,
    home,
    make_plan,
    passenger,
    plan_matrices,
    route_of,
    vehicle,
)

CHEAP = Tariff(per_km=5, per_hour=300, per_vehicle_day=100)
DEAR = Tariff(per_km=15, per_hour=900, per_vehicle_day=2000)


def solve_pinned(plan, pins):  # type: ignore[no-untyped-def]
    problem = replace(plan.day_problem("mon", Direction.TO_CENTRE), pins=pins)
    matrices = plan_matrices(plan)
    result = solve_day(problem, matrices, SearchParams(time_limit_s=1))
    assert check_day(problem, result, matrices) == []
    return result


def two_vehicle_plan():  # type: ignore[no-untyped-def]
    return make_plan(
        [passenger("P1", home(0.01))],
        [vehicle("CHEAP", tariff=CHEAP), vehicle("DEAR", tariff=DEAR)],
    )


def test_unpinned_passenger_takes_the_cheap_vehicle() -> None:
    assert route_of(solve_pinned(two_vehicle_plan(), {}), "P1") == "CHEAP"


def test_strict_vehicle_pin_binds() -> None:
    pins = {"P1": Pin("DEAR", None, 600, is_strict=True)}
    assert route_of(solve_pinned(two_vehicle_plan(), pins), "P1") == "DEAR"


def test_soft_vehicle_pin_wins_when_the_difference_is_small() -> None:
    plan = make_plan(
        [passenger("P1", home(0.01))],
        [vehicle("A", tariff=CHEAP), vehicle("B", tariff=replace(CHEAP, per_vehicle_day=150))],
    )
    pins = {"P1": Pin("B", None, 600, is_strict=False)}
    assert route_of(solve_pinned(plan, pins), "P1") == "B"


def test_strict_time_pin_holds_pickup_within_tolerance() -> None:
    pins = {"P1": Pin(None, hm(8, 5), 120, is_strict=True)}
    result = solve_pinned(two_vehicle_plan(), pins)
    pickup = next(s for s in result.routes[0].stops if s.pickups)
    assert hm(8, 3) <= pickup.arrival_s <= hm(8, 7)


def test_strict_pin_to_a_vehicle_that_is_off_today_is_dropped() -> None:
    plan = make_plan(
        [passenger("P1", home(0.01))], [vehicle("A"), vehicle("B", days=frozenset({"tue"}))]
    )
    problem = plan.day_problem("mon", Direction.TO_CENTRE)
    pins = pins_for(problem, {"P1": Template("B", hm(8))}, Consistency.STRICT)
    assert pins == {}
    soft = pins_for(problem, {"P1": Template("B", hm(8))}, Consistency.SOFT)
    assert soft["P1"].vehicle_id is None and soft["P1"].pickup_s == hm(8)


def test_only_the_vehicle_is_pinned_on_a_day_with_another_address() -> None:
    plan = make_plan(
        [passenger("P1", home(0.01), home_exceptions={"mon": home(0.2)})], [vehicle("A")]
    )
    template = {"P1": Template("A", hm(8))}
    monday = plan.day_problem("mon", Direction.TO_CENTRE)
    tuesday = plan.day_problem("tue", Direction.TO_CENTRE)
    monday_pin = pins_for(monday, template, Consistency.STRICT)["P1"]
    assert (monday_pin.vehicle_id, monday_pin.pickup_s) == ("A", None)
    tuesday_pin = pins_for(tuesday, template, Consistency.STRICT)["P1"]
    assert (tuesday_pin.vehicle_id, tuesday_pin.pickup_s) == ("A", hm(8))


def week_of(consistency: str):  # type: ignore[no-untyped-def]
    """A generated week of 24 passengers at 2 centres, straight-line roads, 12 s budget."""
    import numpy as np

    class Source:
        def random_node_locations(self, n, rng):  # type: ignore[no-untyped-def]
            lat = 59.88 + 0.05 * rng.random(n)
            lon = 10.72 + 0.09 * rng.random(n)
            from solver.domain import LatLon

            return [
                LatLon(round(float(a), 6), round(float(b), 6))
                for a, b in zip(lat, lon, strict=True)
            ]

    del np
    plan = generate_week(Source(), num_passengers=24, num_centres=2, seed=5)
    settings = replace(plan.settings, time_limit_s=14, consistency=consistency)
    return plan.replace(settings=settings)


def test_strict_week_is_more_consistent_than_independent_days_and_passes_the_checker() -> None:
    network = StraightNetwork()
    off_plan = week_of("off")
    strict_plan = week_of("strict")
    off, matrices = solve_week(off_plan, network, workers=1)
    strict, _ = solve_week(strict_plan, network, workers=1)
    assert check_week(strict_plan, strict, matrices) == []
    assert check_week(off_plan, off, matrices) == []
    assert strict.totals["unassigned_trips"] == 0
    strict_report, off_report = measure(strict, plan=strict_plan), measure(off, plan=off_plan)
    assert strict_report.share_single_vehicle >= 0.85  # 14 s for 12 solves: a small budget
    assert strict_report.share_consistent >= off_report.share_consistent
    assert strict.totals["consistency_share_consistent"] == round(strict_report.share_consistent, 4)


def test_previous_week_keeps_churn_low() -> None:
    network = StraightNetwork()
    plan = week_of("off")
    first, _ = solve_week(plan, network, workers=1)
    stable_plan = plan.replace(settings=replace(plan.settings, consistency="strict"))
    second, matrices = solve_week(stable_plan, network, workers=1, previous=first)
    assert check_week(stable_plan, second, matrices) == []
    assert "stability_churn_share" in second.totals
    assert churn(first, first).num_vehicle_changed == 0


def test_measure_counts_vehicles_and_spread() -> None:
    plan = make_plan(
        [passenger("P1", home(0.01), days=frozenset({"mon", "tue"}))],
        [vehicle("A")],
        settings=Settings(),
    )
    matrices = plan_matrices(plan)
    results = []
    for day in ("mon", "tue"):
        problem = plan.day_problem(day, Direction.TO_CENTRE)  # type: ignore[arg-type]
        results.append(solve_day(problem, matrices, SearchParams(time_limit_s=1)))
    from solver.domain import WeekResult

    report = measure(WeekResult(tuple(results)))
    (row,) = report.passengers
    assert row.num_days == 2 and row.num_vehicles == 1
    assert report.share_single_vehicle == 1.0


def test_measure_compares_pickup_times_only_among_days_with_the_same_centre_window() -> None:
    """A centre closing 30 min earlier on Fridays moves Friday's afternoon pickup by design."""
    base = centre()
    friday = CentreHours(base.hours["fri"].arrival, TimeWindow(hm(14, 30), hm(14, 30)))
    early_friday = replace(base, hours={**base.hours, "fri": friday})
    late = CentreHours(base.hours["mon"].arrival, TimeWindow(hm(15), hm(15)))
    early_friday = replace(early_friday, hours={**early_friday.hours, "mon": late, "tue": late})
    plan = make_plan(
        [passenger("P1", home(0.01), days=frozenset({"mon", "tue", "fri"}))],
        [vehicle("A")],
        [early_friday],
    )
    matrices = plan_matrices(plan)
    results = [
        solve_day(plan.day_problem(day, Direction.FROM_CENTRE), matrices, SearchParams(1))
        for day in ("mon", "tue", "fri")
    ]
    week = WeekResult(tuple(results))
    (row,) = measure(week, plan=plan).passengers
    assert row.pickup_spread_all_days_s == 30 * 60
    assert row.pickup_spread_s == 0
    (unaware,) = measure(week).passengers
    assert unaware.pickup_spread_s == 30 * 60


def test_warm_start_keeps_served_passengers_and_inserts_the_new_one() -> None:
    """Start from a solution of two passengers; a third joins and is inserted."""
    two = make_plan([passenger("P1", home(0.01)), passenger("P2", home(0.012))], [vehicle()])
    matrices_two = plan_matrices(two)
    problem_two = two.day_problem("mon", Direction.TO_CENTRE)
    first = solve_day(problem_two, matrices_two, SearchParams(time_limit_s=1))
    three = make_plan(
        [passenger("P1", home(0.01)), passenger("P2", home(0.012)), passenger("P3", home(0.02))],
        [vehicle()],
    )
    problem = three.day_problem("mon", Direction.TO_CENTRE)
    matrices = plan_matrices(three)
    result = solve_day(problem, matrices, SearchParams(time_limit_s=1), warm_start=first)
    assert check_day(problem, result, matrices) == []
    assert result.kpis.num_passengers == 3


def test_warm_start_that_breaks_a_pin_falls_back_to_a_cold_start() -> None:
    plan = two_vehicle_plan()
    free = solve_pinned(plan, {})
    pins = {"P1": Pin("DEAR", None, 600, is_strict=True)}
    problem = replace(plan.day_problem("mon", Direction.TO_CENTRE), pins=pins)
    matrices = plan_matrices(plan)
    result = solve_day(problem, matrices, SearchParams(time_limit_s=1), warm_start=free)
    assert route_of(result, "P1") == "DEAR"


def early_friday_centre(centre_id: str = "A", location=CENTRE_A):  # type: ignore[no-untyped-def]
    """A centre whose afternoon window is 15:00-15:30, but 14:30-15:00 on Fridays."""
    base = centre(centre_id, location=location)
    hours = CentreHours(base.hours["fri"].arrival, TimeWindow(hm(14, 30), hm(15)))
    return replace(base, hours={**base.hours, "fri": hours})


def visit_order(result) -> list[str]:  # type: ignore[no-untyped-def]
    """Passenger ids in the order of their visits (pickups, then drop-offs, stop by stop)."""
    (route,) = result.routes
    return [pid for stop in route.stops for pid in (*stop.pickups, *stop.dropoffs)]


def test_template_ranks_the_centres_that_move_earlier_first() -> None:
    """A closes 30 min earlier on Fridays, B does not: A's passengers rank first, afternoons."""
    centres = [early_friday_centre("A"), centre("B", location=CENTRE_B)]
    plan = make_plan(
        [passenger("P1", home(0.01), "A"), passenger("P2", home(0.02), "B")],
        [vehicle("V1")],
        centres,
    )
    assert template_problem(plan, Direction.FROM_CENTRE).route_ranks == {"P1": 0, "P2": 1}
    assert template_problem(plan, Direction.TO_CENTRE).route_ranks == {}


def test_route_ranks_hold_a_route_to_lower_ranks_first() -> None:
    """Whichever passenger the free route visits first, ranking it last reverses the order."""
    plan = make_plan(
        [passenger("P1", home(0.01)), passenger("P2", home(0.013))],
        [vehicle("V1")],
        centres=[centre(arrival=(hm(8), hm(9)))],
    )
    problem = plan.day_problem("mon", Direction.TO_CENTRE)
    matrices = plan_matrices(plan)
    free = solve_day(problem, matrices, SearchParams(time_limit_s=1))
    first, second = dict.fromkeys(visit_order(free))
    ranked = replace(problem, route_ranks={first: 1, second: 0})
    result = solve_day(ranked, matrices, SearchParams(time_limit_s=1))
    assert check_day(ranked, result, matrices) == []
    order = visit_order(result)
    assert order == [second, second, first, first]


def test_pins_stay_hard_on_a_day_when_only_a_routes_first_part_moves_earlier() -> None:
    """Friday: A (first on the route) moves 30 min earlier, B stays. Reversed, B would have to
    squeeze in earlier behind A: the times then move and are only preferred."""
    centres = [early_friday_centre("A"), centre("B", location=CENTRE_B)]
    plan = make_plan(
        [passenger("P1", home(0.01), "A"), passenger("P2", home(0.02), "B")],
        [vehicle("V1")],
        centres,
    )
    window = TimeWindow(hm(15), hm(15, 30))
    in_order = {"P1": Template("V1", hm(15), window), "P2": Template("V1", hm(15, 20), window)}
    reversed_ = {"P1": Template("V1", hm(15, 20), window), "P2": Template("V1", hm(15), window)}
    days = [plan.day_problem(d, Direction.FROM_CENTRE) for d in ("mon", "fri")]
    for templates, hard_on_friday in ((in_order, True), (reversed_, False)):
        keyed = {(None, Direction.FROM_CENTRE): templates}
        monday, friday = pinned_problems(days, keyed, Consistency.STRICT, 600, "mon")
        assert monday.pins["P1"].holds_time and monday.pins["P2"].holds_time
        assert friday.pins["P1"].pickup_s == templates["P1"].pickup_s - 30 * 60
        assert friday.pins["P2"].pickup_s == templates["P2"].pickup_s
        assert friday.pins["P1"].holds_time is hard_on_friday


def test_strict_week_with_an_early_friday_keeps_one_vehicle_a_passenger() -> None:
    """Two centres, one closing 30 min earlier on Fridays; one vehicle may serve both."""
    centres = [early_friday_centre("A"), centre("B", location=CENTRE_B)]
    passengers = [
        passenger("P1", home(0.01), "A"),
        passenger("P2", home(0.015), "A", days=frozenset({"mon", "wed", "fri"})),
        passenger("P3", home(0.025), "B"),
        passenger("P4", home(0.035), "B", days=frozenset({"tue", "fri"})),
    ]
    plan = make_plan(passengers, [vehicle("V1"), vehicle("V2")], centres)
    plan = plan.replace(settings=replace(plan.settings, time_limit_s=8, consistency="strict"))
    result, matrices = solve_week(
        plan, StraightNetwork(), workers=1, directions=[Direction.FROM_CENTRE]
    )
    assert check_week(plan, result, matrices) == []
    assert result.totals["unassigned_trips"] == 0
    assert measure(result, plan=plan).share_consistent == 1.0


def test_identical_vehicles_are_shared_between_templates() -> None:
    """The afternoon template's route moves to the morning's identical vehicle, not elsewhere."""
    plan = make_plan(
        [passenger("P1", home(0.01)), passenger("P2", home(0.02), excluded_vehicles={"V1"})],
        [vehicle("V1"), vehicle("V2"), vehicle("V3"), vehicle("CAR", seats=4)],
    )
    matrices = plan_matrices(plan)
    morning = plan.day_problem("mon", Direction.TO_CENTRE)
    afternoon = plan.day_problem("mon", Direction.FROM_CENTRE)
    one = replace(morning, passengers=morning.passengers[:1], vehicles=plan.vehicles[:1])
    first = solve_day(one, matrices, SearchParams(time_limit_s=1))
    for vehicles, moved in (((plan.vehicles[1],), "V1"), ((plan.vehicles[3],), "CAR")):
        alone = replace(afternoon, passengers=afternoon.passengers[:1], vehicles=vehicles)
        second = solve_day(alone, matrices, SearchParams(time_limit_s=1))
        _, shared = share_vehicles([first, second], plan)
        assert [r.vehicle_id for r in shared.routes] == [moved]
    barred = replace(afternoon, passengers=afternoon.passengers[1:], vehicles=plan.vehicles[2:3])
    second = solve_day(barred, matrices, SearchParams(time_limit_s=1))
    _, shared = share_vehicles([first, second], plan)
    assert [r.vehicle_id for r in shared.routes] == ["V3"]
