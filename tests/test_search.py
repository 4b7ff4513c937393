"""How a day-direction's search is set up: first solution by size, limit by its phase."""

from __future__ import annotations

from solver.params import MIN_SOLVE_S
from solver.routing.search import (
    FAST_FIRST_SOLUTION,
    LARGE_DAY_NEIGHBORS_RATIO,
    LARGE_DAY_PASSENGERS,
    SearchParams,
    limit_at_start,
    search_parameters,
    sized_for,
)


def test_a_large_day_inserts_among_near_neighbours_only() -> None:
    params = SearchParams(time_limit_s=20)
    large = sized_for(params, LARGE_DAY_PASSENGERS + 1)
    assert large.insertion_neighbors_ratio == LARGE_DAY_NEIGHBORS_RATIO
    proto = search_parameters(large).global_cheapest_insertion_first_solution_parameters
    assert proto.neighbors_ratio == LARGE_DAY_NEIGHBORS_RATIO


def test_a_day_up_to_the_size_keeps_every_insertion() -> None:
    params = SearchParams(time_limit_s=20)  # 0.05 s a passenger: time enough for all
    assert sized_for(params, LARGE_DAY_PASSENGERS) == params
    proto = search_parameters(params).global_cheapest_insertion_first_solution_parameters
    assert proto.neighbors_ratio == 1.0
    # A caller's own choice is kept whatever the size.
    chosen = SearchParams(time_limit_s=10, insertion_neighbors_ratio=0.5)
    assert sized_for(chosen, LARGE_DAY_PASSENGERS * 3) == chosen


def test_a_search_that_starts_late_gets_what_is_left_of_its_phase() -> None:
    params = SearchParams(time_limit_s=10, ends_at=100.0)
    assert limit_at_start(params, now=80.0).time_limit_s == 10  # on time: its own limit
    assert limit_at_start(params, now=96.0).time_limit_s == 4.0  # late: what is left
    assert limit_at_start(params, now=99.9).time_limit_s == MIN_SOLVE_S  # never below the floor
    alone = SearchParams(time_limit_s=10)
    assert limit_at_start(alone, now=1e9) == alone  # no phase end: its own limit


def test_little_time_per_passenger_builds_the_first_solution_faster() -> None:
    # 256 passengers (a Bergen morning): 10 s keeps every insertion, 5 s inserts among near
    # neighbours, 3 s (a 30 s week's share) takes local cheapest insertion.
    assert sized_for(SearchParams(time_limit_s=10), 256) == SearchParams(time_limit_s=10)
    assert sized_for(SearchParams(time_limit_s=5), 256).insertion_neighbors_ratio == (
        LARGE_DAY_NEIGHBORS_RATIO
    )
    fast = sized_for(SearchParams(time_limit_s=3), 256)
    assert fast.first_solution == FAST_FIRST_SOLUTION
    assert fast.insertion_neighbors_ratio == 1.0
    # Small days keep the default even with a short limit.
    assert sized_for(SearchParams(time_limit_s=1), 12) == SearchParams(time_limit_s=1)
    # A chosen first solution is kept.
    chosen = SearchParams(time_limit_s=1, first_solution="SAVINGS")
    assert sized_for(chosen, 256) == chosen
