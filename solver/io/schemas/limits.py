"""Range limits that both the file schemas and :mod:`solver.validate` enforce.

The schemas reject a file out of range (``INPUT_SCHEMA``); :mod:`solver.validate` checks a
plan built in code against the same numbers (``INPUT_VALUE``, ``INPUT_ESCORTS``). One
constant per limit, so the two can never disagree.
"""

from __future__ import annotations

MAX_ESCORTS = 3
"""Most escorts a passenger travels with (3:1 staffing)."""

MAX_LATITUDE_DEG = 90
"""Largest latitude in WGS84 degrees, north or south (a location lies within -90..90)."""

MAX_LONGITUDE_DEG = 180
"""Largest longitude in WGS84 degrees, east or west (a location lies within -180..180)."""
