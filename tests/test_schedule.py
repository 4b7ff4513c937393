"""Timing a fixed route: windows, legs and ride limits, with the least duration then ride."""

from __future__ import annotations

from solver.routing.schedule import BreakSlot, RideLimit, schedule_route, schedule_route_with_breaks


def test_waits_before_boarding_rather_than_with_passengers_aboard() -> None:
    """Depot -> pickup -> drop-off -> centre pickup opening at 1000: wait at the end, empty."""
    windows = [(0, 2000), (0, 2000), (0, 2000), (1000, 1100), (0, 2000)]
    legs = [100, 100, 100, 100]
    times = schedule_route(windows, legs, [RideLimit(1, 2, 150)])
    assert times is not None
    assert times[2] - times[1] <= 150
    assert times[3] == 1000
    assert times[0] == 700  # leave as late as possible: shortest route


def test_ride_limit_binds_and_is_met() -> None:
    """Two pickups then the drop-offs; the first passenger's limit forces a late first pickup."""
    windows = [(0, 5000), (0, 5000), (0, 5000), (900, 1000), (900, 1000), (0, 5000)]
    legs = [50, 60, 300, 0, 50]
    times = schedule_route(windows, legs, [RideLimit(1, 3, 400), RideLimit(2, 4, 400)])
    assert times is not None
    assert times[3] - times[1] <= 400
    assert all(times[i + 1] - times[i] >= leg for i, leg in enumerate(legs))


def test_impossible_route_gives_none() -> None:
    windows = [(0, 100), (500, 600)]
    assert schedule_route(windows, [1000], []) is None
    assert (
        schedule_route([(0, 100), (0, 1000), (0, 1000)], [10, 500], [RideLimit(1, 2, 100)]) is None
    )


def test_empty_route() -> None:
    assert schedule_route([], [], []) == []


def test_max_span_holds_at_the_shortest_possible_route() -> None:
    """Depot -> pickup (window 500-600) -> drop-off (window from 1500) -> depot: 1100 s at least."""
    windows = [(0, 5000), (500, 600), (1500, 1600), (0, 5000)]
    legs = [100, 100, 100]
    times = schedule_route(windows, legs, [], max_span_s=1100)
    assert times is not None
    assert times[-1] - times[0] == 1100


def test_max_span_binds_one_second_less_is_impossible() -> None:
    windows = [(0, 5000), (500, 600), (1500, 1600), (0, 5000)]
    assert schedule_route(windows, [100, 100, 100], [], max_span_s=1099) is None


def test_a_break_on_its_leg_keeps_every_stretch_of_work_short_enough() -> None:
    """Depot -> A -> B -> depot, 300 s of work at least: a 50 s break after A splits it."""
    windows = [(0, 5000)] * 4
    legs, service = [100, 100, 100], [0, 30, 30, 0]
    assert schedule_route_with_breaks(windows, legs, [], service_s=service, max_work_s=200) is None
    timed = schedule_route_with_breaks(
        windows, legs, [], service_s=service, breaks=[BreakSlot(1, 50)], max_work_s=200
    )
    assert timed is not None
    times, (start,) = timed
    assert times[1] + service[1] <= start and start + 50 <= times[2]
    assert times[2] - times[1] >= legs[1] + 50
    assert start - times[0] <= 200 and times[3] - (start + 50) <= 200


def test_a_break_that_cannot_split_the_work_evenly_enough_gives_none() -> None:
    """300 s of work around a break after A: 150 s on each side at best, so 149 fails."""
    windows = [(0, 5000)] * 4
    legs, service = [100, 100, 100], [0, 30, 30, 0]
    timed = schedule_route_with_breaks(
        windows, legs, [], service_s=service, breaks=[BreakSlot(1, 50)], max_work_s=149
    )
    assert timed is None
