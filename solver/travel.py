"""The one travel-time protocol: what routing, the week planner and the checker ask of roads.

Two implementations: :class:`solver.roads.RoadMatrices` (OpenStreetMap roads, contraction
hierarchies) and :class:`solver.straight.StraightMatrices` (straight lines, for tiny fixtures
and benchmark instances that come with their own coordinates).
"""

from __future__ import annotations

from typing import Protocol

import numpy as np
import numpy.typing as npt

from solver.domain import LatLon


class TravelTimes(Protocol):
    """Integer travel times (s) and distances (m) between the points of a plan.

    ``durations_s[i, j]`` / ``distances_m[i, j]`` go from point ``i`` to point ``j`` (the row
    :meth:`index_of` gives, a model's ``node``); :meth:`duration_s` and :meth:`distance_m`
    answer the same for two points themselves (the checker asks that way).
    """

    @property
    def durations_s(self) -> npt.NDArray[np.integer]:
        """Seconds from each point to each other, row by row."""
        ...

    @property
    def distances_m(self) -> npt.NDArray[np.integer]:
        """Metres from each point to each other, row by row."""
        ...

    def index_of(self, point: LatLon) -> int:
        """The row of ``point`` in the matrices."""
        ...

    def duration_s(self, a: LatLon, b: LatLon) -> int:
        """Seconds to drive from ``a`` to ``b``."""
        ...

    def distance_m(self, a: LatLon, b: LatLon) -> int:
        """Metres driven from ``a`` to ``b``."""
        ...


__all__ = ["TravelTimes"]
