"""How a day-direction's search is set up: first solution by size, limit by its phase."""

from __future__ import annotations

from solver.params import MIN_SOLVE_S
from solver.routing.search import (
    LARGE_DAY_NEIGHBORS_RATIO,
    LARGE_DAY_PASSENGERS,
    SearchParams,
    limit_at_start,
    search_parameters,
    sized_for,
)


def test_a_large_day_inserts_among_near_neighbours_only() -> None:
    params = SearchParams(time_limit_s=10)
    large = sized_for(params, LARGE_DAY_PASSENGERS + 1)
    assert large.insertion_neighbors_ratio == LARGE_DAY_NEIGHBORS_RATIO
    proto = search_parameters(large).global_cheapest_insertion_first_solution_parameters
    assert proto.neighbors_ratio == LARGE_DAY_NEIGHBORS_RATIO


def test_a_day_up_to_the_size_keeps_every_insertion() -> None:
    params = SearchParams(time_limit_s=10)
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
