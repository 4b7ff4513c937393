"""The one clock of a solve: the plan seeds the params, the deadline hands out what is left."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest

from solver.domain import Settings
from solver.params import MIN_SOLVE_S, Deadline, SolveParams, capped_limits, process_started


def test_the_plan_seeds_the_params_and_given_options_win() -> None:
    settings = replace(Settings(), time_limit_s=45, seed=7)
    assert SolveParams.from_settings(settings) == SolveParams(time_limit_s=45, seed=7)
    given = SolveParams.from_settings(settings, time_limit_s=10, seed=None, workers=2)
    assert given == SolveParams(time_limit_s=10, seed=7, workers=2)


def test_a_deadline_counts_what_happened_before_the_solve() -> None:
    loaded_for_s = 50.0
    deadline = SolveParams(time_limit_s=60).deadline(time.perf_counter() - loaded_for_s)
    assert 9.0 < deadline.left_s() <= 10.0
    # The finishing reserve is kept back: 10 % of the whole limit and 2 s, however late.
    assert deadline.search_s() == pytest.approx(deadline.left_s() - 8.0, abs=0.01)
    assert deadline.share_s(0.5) == pytest.approx(deadline.search_s() / 2, rel=0.01)
    past = Deadline(30, time.perf_counter() - 31)
    assert past.left_s() == 0.0 and past.search_s() == 0.0 and past.share_s(1.0) == 0.0


def test_a_plain_deadline_keeps_less_for_finishing_and_ends_at_the_same_time() -> None:
    started = time.perf_counter() - 10
    full = Deadline(60, started)
    plain = full.plain()
    assert plain.ends_at == full.ends_at and plain.started == full.started
    # 3 % of 60 s and 2 s, against 10 % and 2 s: 4.2 s more to search.
    assert plain.reserve_s() == pytest.approx(3.8)
    assert plain.search_s() == pytest.approx(full.search_s() + 4.2, abs=0.01)


def test_limits_share_by_passengers_and_never_exceed_what_is_left() -> None:
    # Ten days on two workers in 20 s: five rounds of two, 4 s each when alike.
    assert capped_limits([50] * 10, 2, 20.0, cap_s=60.0) == pytest.approx([4.0] * 10)
    # A day with twice the passengers gets twice the time.
    small, large = capped_limits([50, 100], 1, 30.0, cap_s=60.0)
    assert large == pytest.approx(2 * small) and small + large == pytest.approx(30.0)
    # Three days on two workers: the second round runs one day, so each gets less.
    assert capped_limits([50] * 3, 2, 10.0, cap_s=60.0) == pytest.approx([5.0] * 3)
    # Never more than the searching time left, never less than the floor.
    assert capped_limits([50], 1, 100.0, cap_s=8.0) == [8.0]
    assert capped_limits([50] * 40, 1, 2.0, cap_s=8.0) == [MIN_SOLVE_S] * 40
    assert capped_limits([], 2, 10.0, cap_s=8.0) == []


def test_a_phase_that_may_be_left_out_never_starts_past_the_deadline() -> None:
    plenty = Deadline(600)
    assert plenty.optional_limits([50] * 4, 2, 20.0) == pytest.approx([10.0] * 4)
    # Searching time left, less than the phase's share: its solves get the floor, as the
    # main searches would (small days serve everyone at it: bringing a stranded passenger
    # home in tests/test_rules.py).
    some = Deadline(60, time.perf_counter() - 10)  # 50 s left, 8 s of it the reserve
    assert some.reserve_s() == pytest.approx(8.0)
    assert some.optional_limits([50] * 2, 2, 3.0) == pytest.approx([3.0] * 2)
    assert some.optional_limits([50] * 2, 2, 0.5) == [MIN_SOLVE_S] * 2
    # Too little for each passenger of two Bergen-sized days: not started.
    assert some.optional_limits([256] * 2, 2, 0.5) is None
    assert some.optional_limits([256] * 2, 2, 4.0) == pytest.approx([4.0] * 2)
    # No searching time left: not started, where the main searches would get the floor.
    past = Deadline(30, time.perf_counter() - 25)  # 5 s left: the finishing reserve
    assert past.optional_limits([50], 1, 100.0) is None
    assert past.limits([50], 1, 100.0) == [MIN_SOLVE_S]
    assert plenty.optional_limits([], 2, 10.0) is None


def test_a_command_clock_starts_with_its_process() -> None:
    # pytest imported a good deal before this test ran: the process is older than now.
    age_s = time.perf_counter() - process_started()
    assert 0.0 < age_s < 24 * 3600
    assert SolveParams(time_limit_s=1e6).deadline(process_started()).elapsed_s() >= age_s


def test_a_plan_can_set_a_work_limit_and_the_options_override_it() -> None:
    settings = replace(Settings(), time_limit_s=45, seed=7, max_solutions=300)
    assert SolveParams.from_settings(settings).max_solutions == 300
    assert SolveParams.from_settings(settings, max_solutions=20).max_solutions == 20
    assert SolveParams.from_settings(Settings()).max_solutions is None
