"""The one exception kind of the roads package: a road or routing problem."""

from __future__ import annotations


class RoadsError(Exception):
    """A road-network problem the caller can act on.

    ``code`` is a stable ``ROADS_*`` code (documented in the README), ``message`` one sentence
    naming what is wrong, ``hint`` how to fix it. Messages never contain personal data
    (no coordinates of homes, no passenger ids).

    Codes raised by this package:

    - ``ROADS_FILE_NOT_FOUND``: the OSM file does not exist.
    - ``ROADS_FILE_UNREADABLE``: the OSM file is empty, not a file, or not valid OSM data.
    - ``ROADS_NO_NETWORK``: the file holds no drivable roads.
    - ``ROADS_INVALID_SETTINGS``: a road setting is out of range (e.g. a speed of zero).
    - ``ROADS_INVALID_POINT``: a point to snap has a non-finite or out-of-range coordinate.
    - ``ROADS_UNREACHABLE`` / ``ROADS_INTERNAL``: a route or shortest-path tree is missing
      (cannot happen on a graph built here, which is strongly connected; a damaged cache).
    """

    def __init__(self, code: str, message: str, hint: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.hint = hint

    def __reduce__(self) -> tuple[type[RoadsError], tuple[str, str, str]]:
        # Keeps the exception picklable (it may cross a worker-process boundary).
        return (type(self), (self.code, self.message, self.hint))
