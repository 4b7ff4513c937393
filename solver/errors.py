"""Bad input, reported as a list of issues: every problem at once, each with a fix.

An :class:`Issue` is one problem with the input: a stable code (``INPUT_*``), one sentence
naming the offending object's id, a hint on how to fix it, and where it is (a JSON path such
as ``passengers[3].escorts``). :class:`InputError` carries one or more issues; it is the only
exception raised for bad input, so callers (CLI, API) never show a traceback for it.

The codes are stable: scripts and the web page may match on them. :data:`INPUT_CODES` lists
every code with what it means (the README's table is built from it).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

INPUT_CODES: dict[str, str] = {
    "INPUT_FILE": "The plan or result file cannot be read (missing, a folder, no permission).",
    "INPUT_MALFORMED_JSON": (
        "The file is not valid JSON (or not UTF-8 text); the message names line and column."
    ),
    "INPUT_SCHEMA": (
        "The JSON does not fit the file format: a missing or unknown field, a wrong type, "
        "a number out of range or a badly written time."
    ),
    "INPUT_DUPLICATE_ID": "Two centres, two passengers or two vehicles share an id.",
    "INPUT_UNKNOWN_CENTRE": "A passenger's centre_id names no centre of the plan.",
    "INPUT_EMPTY_WINDOW": "A centre's arrival or departure window ends before it starts.",
    "INPUT_CENTRE_CLOSED": "A passenger attends on a weekday their centre is closed.",
    "INPUT_NO_DAYS": "A passenger attends on no day at all.",
    "INPUT_SHIFT": "A vehicle's shift does not end after it starts.",
    "INPUT_NO_VEHICLES": "The plan has no vehicles.",
    "INPUT_BAD_LAYOUT": (
        "A vehicle lists seating layouts, but its seats and wheelchair places are not one of them."
    ),
    "INPUT_TIME_LIMIT": "settings.time_limit_s is not a positive number of seconds.",
    "INPUT_ESCORTS": "A passenger has fewer than 0 or more than 3 escorts.",
    "INPUT_PASSENGER_WINDOW": (
        "A passenger's pickup or drop-off window (own earliest/latest times, cut by the "
        "centre's window) is empty, or the pickup cannot start before the drop-off must (e.g. "
        "earliest pickup after the centre's arrival window ends), on a day they attend."
    ),
    "INPUT_VALUE": (
        "A value outside what it may be in a plan built in code (negative seats, a latitude "
        "beyond 90, a time past 23:59:59, an unknown weekday or operator); plan files get "
        "INPUT_SCHEMA for these instead."
    ),
    "INPUT_UNKNOWN_VEHICLE": (
        "A passenger's allowed_vehicles or excluded_vehicles names no vehicle of the plan."
    ),
    "INPUT_NO_ALLOWED_VEHICLE": (
        "Every vehicle in a passenger's allowed_vehicles is also in their excluded_vehicles."
    ),
    "INPUT_UNKNOWN_PASSENGER": "An incompatible pair names a passenger who is not in the plan.",
    "INPUT_BAD_PAIR": "An incompatible pair names the same passenger twice (or not two ids).",
    "INPUT_OFF_ROAD": "A home, centre or depot lies farther from the road network than allowed.",
}


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem with the input.

    ``code``: a key of :data:`INPUT_CODES`. ``message``: one sentence naming the offending
    object's id. ``hint``: how to fix it. ``path``: where in the plan (result) JSON, such as
    ``passengers[3].escorts``, or ``None`` for the file as a whole. ``id``: the offending
    centre's, passenger's or vehicle's id, where there is one.
    """

    code: str
    message: str
    hint: str
    path: str | None = None
    id: str | None = None

    def __str__(self) -> str:
        """One line: ``CODE at path (id): message Hint: hint``."""
        where = f" at {self.path}" if self.path else ""
        who = f" ({self.id})" if self.id is not None else ""
        return f"{self.code}{where}{who}: {self.message} Hint: {self.hint}"


class InputError(Exception):
    """The input is bad; ``issues`` says every way in which, each with a hint.

    ``source`` names where the input came from (a file name, ``"plan"``) for messages.
    """

    issues: tuple[Issue, ...]
    source: str | None

    def __init__(self, issues: Iterable[Issue], source: str | None = None) -> None:
        self.issues = tuple(issues)
        if not self.issues:
            raise ValueError("an InputError needs at least one issue")
        self.source = source
        super().__init__(str(self))

    def __reduce__(self) -> tuple[type[InputError], tuple[tuple[Issue, ...], str | None]]:
        """Pickle by issues and source, so the error crosses process boundaries (job workers)."""
        return (InputError, (self.issues, self.source))

    @property
    def codes(self) -> tuple[str, ...]:
        """The issues' codes, in order (handy in tests and logs)."""
        return tuple(issue.code for issue in self.issues)

    def __str__(self) -> str:
        """One line per issue, each prefixed by the source when there is one."""
        prefix = f"{self.source}: " if self.source else ""
        return "\n".join(f"{prefix}{issue}" for issue in self.issues)
