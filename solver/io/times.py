"""Times of day at the edges: "HH:MM" or "HH:MM:SS" <-> integer seconds after midnight.

Inside the solver a time of day is always ``int`` seconds after midnight; these strings
exist only in files and messages.
"""

from __future__ import annotations

import re

SECONDS_PER_DAY = 24 * 60 * 60

PLAN_TIME_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"
"""A time of day in a plan: ``HH:MM`` or ``HH:MM:SS``, 00:00 to 23:59:59."""

RESULT_TIME_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]$"
"""A time of day in a result: always ``HH:MM:SS``."""


def parse_hhmm(text: str) -> int:
    """Seconds after midnight of a time written ``HH:MM`` or ``HH:MM:SS`` (00:00 to 23:59:59).

    Raises ``ValueError`` for anything else.
    """
    if not re.fullmatch(PLAN_TIME_PATTERN, text):
        raise ValueError(f"{text!r} is not a time of day written HH:MM or HH:MM:SS")
    hours, minutes, *seconds = (int(part) for part in text.split(":"))
    return hours * 3600 + minutes * 60 + (seconds[0] if seconds else 0)


def _check_time_of_day(t_s: int) -> None:
    if not 0 <= t_s < SECONDS_PER_DAY:
        raise ValueError(f"{t_s} s is not a time of day (0 to {SECONDS_PER_DAY - 1} s)")


def format_hms(t_s: int) -> str:
    """``HH:MM:SS`` for ``t_s`` seconds after midnight (0 to 86 399; ``ValueError`` otherwise)."""
    _check_time_of_day(t_s)
    return f"{t_s // 3600:02d}:{t_s % 3600 // 60:02d}:{t_s % 60:02d}"


def format_hhmm(t_s: int) -> str:
    """``HH:MM`` for ``t_s`` seconds after midnight, ``HH:MM:SS`` when the seconds are not 0."""
    text = format_hms(t_s)
    return text[:5] if t_s % 60 == 0 else text
