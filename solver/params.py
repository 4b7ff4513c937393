"""Solve tuning and the one clock of a solve: :class:`SolveParams` and :class:`Deadline`.

A plan's ``settings.time_limit_s`` and ``seed`` only seed :class:`SolveParams`; the CLI's
options, the service's job and a benchmark may override them. A :class:`Deadline` starts when
the command does (loading roads and building matrices count against it, as VROOM subtracts
loading time from its timeout) and is the only place the budget is cut: every phase of a
week's planning asks it for a share of what is left, and never gets more than is left.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Protocol

MIN_SOLVE_S = 1.0
"""The least one day-direction's search is given, even past the deadline: below it OR-Tools
often has no first solution for a 50-passenger day (a week overruns by at most this a round)."""

MIN_OPTIONAL_S_PER_PASSENGER = 0.006
"""Least time per passenger a phase that may be left out must get to start: building a Bergen
day's model and its quickest first solution take about 1.6 s for 256 passengers. At the
floor instead, a strict Bergen week's second unpinning round ran 57 s into 60 s and served 7
of 258 (the command ended at 60.3 s where it ended at 57.05 s without that round); a small
day (a few passengers) is served well within the floor."""

FINISH_RESERVE_SHARE = 0.10
FINISH_RESERVE_S = 2.0
"""Share of the whole limit and seconds kept back from the searches for what follows them
(``Deadline.reserve_s``): the last unpinning round at its floor, drawing geometry, the
totals, writing the result and checking it (measured on the strict Bergen week at 60 s,
2026-12-07: the command ended about 9 s after its searches' planned end, 4.5 s past its
limit, with 0.06 and 1 s kept; about 6 s from the last search to the end)."""

PLAIN_FINISH_RESERVE_SHARE = 0.03
"""The share kept where no round of repairs follows the searches (``Deadline.plain``):
consistency off or soft, no same vehicle both ways. Measured on the Bergen week with
consistency off at 60 s (2026-12-07): the command ended at 48.4 s with the full reserve,
about 1 s after its last search, leaving a fifth of the limit unused."""


def process_started() -> float:
    """The ``time.perf_counter()`` value at which this process started.

    A command's clock starts here, so Python's own start and the imports (OR-Tools, numba,
    about 2-4 s), which no clock inside the program sees, count against the limit too. Read
    from Linux's ``/proc/self/stat`` (start time in clock ticks after boot); elsewhere, or if
    that cannot be read, now. No library exposes this without a dependency (psutil) for one
    number.
    """
    now = time.perf_counter()
    try:
        with open("/proc/self/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        started_after_boot_s = int(fields[19]) / os.sysconf("SC_CLK_TCK")
        age_s = time.clock_gettime(time.CLOCK_BOOTTIME) - started_after_boot_s
    except (OSError, ValueError, IndexError, AttributeError):
        return now
    return now - max(0.0, age_s)


class _Settings(Protocol):
    @property
    def time_limit_s(self) -> float: ...

    @property
    def seed(self) -> int: ...

    @property
    def max_solutions(self) -> int | None: ...


@dataclass(frozen=True, slots=True)
class SolveParams:
    """How long and how a solve runs: wall time, seed, processes and a work limit.

    ``time_limit_s`` includes loading roads and building matrices. ``max_solutions`` is a
    deterministic work limit on each search: where it binds before the clock, the same plan
    and seed give the same routes on any machine. ``workers``: processes solving
    day-directions at once (None: one per core, at most 4).
    """

    time_limit_s: float
    seed: int = 1
    workers: int | None = None
    max_solutions: int | None = None

    @classmethod
    def from_settings(cls, settings: _Settings, **overrides: object) -> SolveParams:
        """The plan's own limits and seed, with ``overrides`` (None values ignored)."""
        params = cls(
            time_limit_s=settings.time_limit_s,
            seed=settings.seed,
            max_solutions=settings.max_solutions,
        )
        given = {key: value for key, value in overrides.items() if value is not None}
        return replace(params, **given)  # type: ignore[arg-type]

    def deadline(self, started: float | None = None) -> Deadline:
        """A deadline ``time_limit_s`` after ``started`` (a ``time.perf_counter()`` value)."""
        return Deadline(self.time_limit_s, started)


class Deadline:
    """The end of a solve's time, and the shares of what is left that phases may use.

    Phases ask in turn: a phase given ``fraction`` of what is left gets that fraction of the
    searching time left now (the finishing reserve kept back), so time one phase did not use
    goes to the next, and time it overran is taken from the next, never added to the end.
    """

    def __init__(
        self,
        time_limit_s: float,
        started: float | None = None,
        reserve_share: float = FINISH_RESERVE_SHARE,
    ) -> None:
        self.time_limit_s = time_limit_s
        self.started = time.perf_counter() if started is None else started
        self.ends_at = self.started + time_limit_s
        self.reserve_share = reserve_share

    def plain(self) -> Deadline:
        """The same deadline for a solve no round of repairs follows: a smaller reserve.

        Rounds of repairs (strict consistency's unpinning, bringing stranded passengers home)
        may each overrun their share by the floor of a search, which the full reserve
        absorbs; without them the finishing (geometry, totals, writing) needs about a second
        (``PLAIN_FINISH_RESERVE_SHARE``).
        """
        return Deadline(self.time_limit_s, self.started, PLAIN_FINISH_RESERVE_SHARE)

    def elapsed_s(self) -> float:
        """Seconds since the solve started."""
        return time.perf_counter() - self.started

    def left_s(self) -> float:
        """Seconds left until the end (0 when past it)."""
        return max(0.0, self.ends_at - time.perf_counter())

    def reserve_s(self) -> float:
        """Seconds kept at the end for finishing: a share of the whole limit and a constant.

        Fixed for the solve, not a share of what is left: a phase that starts late must not
        eat into the time the finishing needs (measured on the strict Bergen week at 60 s,
        2026-12-07: with the reserve a share of what was left, the last unpinning round
        started 57 s in, with 2.4 s kept, and the command ended at 63.3 s).
        """
        return self.reserve_share * self.time_limit_s + FINISH_RESERVE_S

    def search_s(self) -> float:
        """Seconds left for searching: what is left less the finishing reserve."""
        return max(0.0, self.left_s() - self.reserve_s())

    def share_s(self, fraction: float) -> float:
        """``fraction`` of the searching time left now."""
        return max(0.0, fraction) * self.search_s()

    def limits(self, weights: Sequence[int], workers: int, seconds: float) -> list[float]:
        """Per-solve time limits for a batch of solves to take about ``seconds`` of wall time.

        Shared in proportion to ``weights`` (passengers) over ``workers`` processes, less as
        much as the last round of workers would stand partly idle; each at least
        ``MIN_SOLVE_S`` and never more than the searching time left.
        """
        return capped_limits(weights, workers, seconds, self.search_s())

    def optional_limits(
        self, weights: Sequence[int], workers: int, seconds: float
    ) -> list[float] | None:
        """:meth:`limits` for a phase that may be left out (repairs, unpinning, hints).

        None once the searching time is used up, or where its share gives each passenger less
        than ``MIN_OPTIONAL_S_PER_PASSENGER``: the floor (``MIN_SOLVE_S``) that keeps the
        main searches going past the deadline would only make such a phase overrun (measured
        on a loaded machine: a strict Bergen week's unpinning rounds ran 43 s past a 60 s
        limit, most solves ending without a first solution). With some time left the phase
        runs, its solves floored as the main searches are.
        """
        if not weights or self.search_s() <= 0:
            return None
        per_passenger_s = (
            seconds * min(max(1, workers), len(weights)) / sum(max(1, w) for w in weights)
        )
        if per_passenger_s < MIN_OPTIONAL_S_PER_PASSENGER:
            return None
        return self.limits(weights, workers, seconds)


def capped_limits(
    weights: Sequence[int], workers: int, seconds: float, cap_s: float
) -> list[float]:
    """:meth:`Deadline.limits` for a given cap (the searching time left)."""
    if not weights:
        return []
    workers = max(1, workers)
    rounds = -(-len(weights) // workers)
    scale = min(1.0, len(weights) / workers / rounds)
    total_weight = sum(max(1, w) for w in weights)
    floor = min(MIN_SOLVE_S, cap_s) if cap_s > 0 else MIN_SOLVE_S
    return [
        min(max(floor, cap_s), max(floor, seconds * workers * scale * max(1, w) / total_weight))
        for w in weights
    ]


__all__ = [
    "FINISH_RESERVE_S",
    "FINISH_RESERVE_SHARE",
    "MIN_SOLVE_S",
    "PLAIN_FINISH_RESERVE_SHARE",
    "Deadline",
    "SolveParams",
    "process_started",
]
