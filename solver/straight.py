"""Straight-line travel times: a road-free stand-in for matrices.

Used by tests (tiny fixtures need no road graph) and by benchmark adapters whose instances
come with their own coordinates. Distances are great-circle metres times a detour factor;
times are distance over a constant speed, both rounded to whole units.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from solver.domain import LatLon

EARTH_RADIUS_M = 6_371_000.0


def haversine_m(points: Sequence[LatLon]) -> npt.NDArray[np.float64]:
    """All-pairs great-circle distances in metres."""
    lat = np.radians(np.array([p.lat for p in points], dtype=np.float64))
    lon = np.radians(np.array([p.lon for p in points], dtype=np.float64))
    dlat = lat[:, None] - lat[None, :]
    dlon = lon[:, None] - lon[None, :]
    a = np.sin(dlat / 2) ** 2 + np.cos(lat[:, None]) * np.cos(lat[None, :]) * np.sin(dlon / 2) ** 2
    result: npt.NDArray[np.float64] = 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0, 1)))
    return result


@dataclass(frozen=True)
class StraightMatrices:
    """Integer travel-time and distance matrices over a list of distinct points."""

    points: tuple[LatLon, ...]
    durations_s: npt.NDArray[np.int64]
    distances_m: npt.NDArray[np.int64]
    _rows: dict[LatLon, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_rows", {p: i for i, p in enumerate(self.points)})

    def index_of(self, point: LatLon) -> int:
        """Row of ``point`` (KeyError if it is not one of the points)."""
        return self._rows[point]

    def duration_s(self, a: LatLon, b: LatLon) -> int:
        """Travel time from a to b, seconds."""
        return int(self.durations_s[self._rows[a], self._rows[b]])

    def distance_m(self, a: LatLon, b: LatLon) -> int:
        """Travel distance from a to b, metres."""
        return int(self.distances_m[self._rows[a], self._rows[b]])


def straight_matrices(
    points: Sequence[LatLon], speed_kph: float = 30.0, detour: float = 1.3
) -> StraightMatrices:
    """Matrices over the distinct ``points`` at a constant speed along detoured straight lines."""
    unique = tuple(dict.fromkeys(points))
    metres = haversine_m(unique) * detour
    seconds = metres / (speed_kph / 3.6)
    return StraightMatrices(
        unique, np.rint(seconds).astype(np.int64), np.rint(metres).astype(np.int64)
    )
