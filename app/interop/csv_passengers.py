"""Passengers from a CSV file as Norwegian (and other) spreadsheets export it.

Reads what Excel, LibreOffice and Google Sheets write: semicolon-, comma- or tab-separated
(guessed from the header line), UTF-8 with or without a byte-order mark (Windows-1252 is
accepted as a fallback, as "CSV (semikolondelt)" from older Excel writes it), decimal commas
(``59,9296``), times as ``08:30`` or ``08.30``, yes/no as ``ja``/``nei``/``x``/``1``.

Columns (header names are case-insensitive; Norwegian names in brackets):

=================  =============================================  ==========================
column             meaning                                        example
=================  =============================================  ==========================
id                 passenger id (passasjer_id)                    ``P001``
centre_id          centre id (senter, dagsenter)                  ``C01``
lat, lon           home, WGS84 degrees (breddegrad, lengdegrad)   ``59,9296`` / ``10,8709``
days               weekdays attended (dager): ``mon wed fri``,    ``man,ons,fre``
                   ``man/ons/fre``, or one column per day
                   (mon..fri or man..fre) marked ``x``/``ja``/``1``
wheelchair         travels in a wheelchair (rullestol)            ``ja``
escorts            escorts, 0-3 (ledsagere)                       ``1``
max_ride_min       longest ride in minutes (maks_reisetid_min);   ``45``
                   or max_ride_s in seconds
earliest_pickup    (tidligst_henting), also latest_pickup         ``07.45``
                   (senest_henting), earliest_dropoff
                   (tidligst_levering), latest_dropoff
                   (senest_levering)
boarding_s         boarding time in seconds (påstigning_s)        ``240``
birth_year         (fødselsår)                                    ``1961``
=================  =============================================  ==========================

Every bad row is reported (code ``CSV_*``, the spreadsheet's row number as path
``rows[N].column``); cell values of coordinates are never echoed.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from solver.domain import DAYS, Day
from solver.errors import InputError, Issue
from solver.io import PassengerSchema

CSV_CODES: dict[str, str] = {
    "CSV_ENCODING": "The file is neither UTF-8 nor Windows-1252 text.",
    "CSV_EMPTY": "The file has no header line or no rows.",
    "CSV_HEADER": "A required column is missing, or a column name appears twice.",
    "CSV_VALUE": "A cell cannot be read (not a number, not a weekday, not a time...).",
    "CSV_DUPLICATE_ID": "Two rows have the same passenger id.",
}

DAY_NAMES: dict[str, Day] = {
    name: day
    for names in (
        DAYS,
        ("monday", "tuesday", "wednesday", "thursday", "friday"),
        ("man", "tir", "ons", "tor", "fre"),
        ("mandag", "tirsdag", "onsdag", "torsdag", "fredag"),
        ("må", "ti", "on", "to", "fr"),
    )
    for name, day in zip(names, DAYS, strict=True)
}
"""The weekday names a CSV cell may use (English and Norwegian, long and short), by day."""

COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "passenger_id", "passenger", "passasjer_id", "passasjer"),
    "centre_id": ("centre_id", "centre", "center_id", "center", "senter", "senter_id",
                  "dagsenter"),
    "lat": ("lat", "latitude", "breddegrad"),
    "lon": ("lon", "lng", "long", "longitude", "lengdegrad"),
    "days": ("days", "dager", "weekdays", "ukedager"),
    "wheelchair": ("wheelchair", "rullestol", "rullestolbruker"),
    "mobility": ("mobility", "mobilitet"),
    "escorts": ("escorts", "ledsagere", "ledsager"),
    "max_ride_s": ("max_ride_s", "maks_reisetid_s"),
    "max_ride_min": ("max_ride_min", "maks_reisetid_min", "maks_reisetid"),
    "boarding_s": ("boarding_s", "påstigning_s", "pastigning_s"),
    "earliest_pickup": ("earliest_pickup", "tidligst_henting"),
    "latest_pickup": ("latest_pickup", "senest_henting"),
    "earliest_dropoff": ("earliest_dropoff", "tidligst_levering"),
    "latest_dropoff": ("latest_dropoff", "senest_levering"),
    "birth_year": ("birth_year", "fødselsår", "fodselsar"),
}  # fmt: skip
REQUIRED = ("id", "centre_id", "lat", "lon")
YES = frozenset({"x", "ja", "j", "yes", "y", "1", "true", "sant"})
NO = frozenset({"", "nei", "n", "no", "0", "false", "usant", "-"})
_PRIVATE = frozenset({"lat", "lon"})


def decode(data: bytes) -> str:
    """The file's text: UTF-8 (BOM or not), else Windows-1252; InputError if neither."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise InputError(
            [
                Issue(
                    "CSV_ENCODING",
                    "The file is not UTF-8 or Windows-1252 text.",
                    "Save it as 'CSV UTF-8' from the spreadsheet.",
                )
            ]
        ) from None


def duplicate_column(key: str, index: int) -> Issue:
    """CSV_HEADER: the column ``key`` appears twice (the second at header cell ``index``)."""
    return Issue(
        "CSV_HEADER",
        f"The column {key} appears twice.",
        "Remove or rename one of them.",
        path=f"header[{index}]",
    )


def guess_delimiter(header_line: str) -> str:
    """``;``, tab or ``,``: whichever the header line uses most (``;`` wins ties)."""
    counts = {d: header_line.count(d) for d in (";", "\t", ",")}
    best = max(counts, key=lambda d: (counts[d], d == ";"))
    return best if counts[best] else ","


def _number(text: str) -> float:
    cleaned = text.strip().replace("\u00a0", "").replace(" ", "")
    if re.fullmatch(r"[-+]?\d+,\d+", cleaned):
        cleaned = cleaned.replace(",", ".")
    return float(cleaned)


def _whole(text: str) -> int:
    value = _number(text)
    if not value.is_integer():
        raise ValueError("not a whole number")
    return int(value)


def _time(text: str) -> str:
    cleaned = text.strip().replace(".", ":")
    match = re.fullmatch(r"(\d{1,2}):(\d{2})(?::(\d{2}))?", cleaned)
    if not match:
        raise ValueError("not a time")
    hours, minutes, seconds = int(match[1]), int(match[2]), int(match[3] or 0)
    if hours > 23 or minutes > 59 or seconds > 59:
        raise ValueError("not a time")
    return f"{hours:02d}:{minutes:02d}" + (f":{seconds:02d}" if match[3] else "")


def _yes_no(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in YES:
        return True
    if lowered in NO:
        return False
    raise ValueError("not yes or no")


def _days(text: str) -> list[str]:
    parts = [p for p in re.split(r"[\s,;/+&]+", text.strip().lower()) if p]
    days: list[str] = []
    for part in parts:
        day = DAY_NAMES.get(part.rstrip("."))
        if day is None:
            raise ValueError("not a weekday")
        if day not in days:
            days.append(day)
    if not days:
        raise ValueError("no weekday")
    return sorted(days, key=DAYS.index)


def _map_header(names: list[str]) -> tuple[dict[str, int], dict[str, int], list[Issue]]:
    """Column -> index, weekday -> index (one-column-per-day layout), issues."""
    lookup = {alias: key for key, aliases in COLUMN_ALIASES.items() for alias in aliases}
    columns: dict[str, int] = {}
    day_columns: dict[str, int] = {}
    issues: list[Issue] = []
    for index, raw in enumerate(names):
        name = raw.strip().lower().replace(" ", "_")
        key = lookup.get(name)
        if key is None and name in DAY_NAMES and len(name) <= 7:
            day = DAY_NAMES[name]
            if day in day_columns:
                issues.append(
                    Issue(
                        "CSV_HEADER",
                        f"The weekday {day} has two columns.",
                        "Keep one column per weekday.",
                        path=f"header[{index}]",
                    )
                )
            day_columns[day] = index
            continue
        if key is None:
            continue  # other columns (names, notes) are ignored: never copied
        if key in columns:
            issues.append(duplicate_column(key, index))
        columns[key] = index
    for key in REQUIRED:
        if key not in columns:
            issues.append(
                Issue(
                    "CSV_HEADER",
                    f"The file has no column {key}.",
                    f"Add a column named one of: {', '.join(COLUMN_ALIASES[key])}.",
                    path="header",
                )
            )
    if "days" not in columns and not day_columns:
        issues.append(
            Issue(
                "CSV_HEADER",
                "The file has no days column and no weekday columns.",
                "Add a column 'days' (e.g. 'man ons fre') or columns man..fre marked x.",
                path="header",
            )
        )
    return columns, day_columns, issues


_CONVERTERS: dict[str, tuple[Callable[[str], Any], str]] = {
    "lat": (_number, "a number of degrees, e.g. 59,9296"),
    "lon": (_number, "a number of degrees, e.g. 10,8709"),
    "escorts": (_whole, "a whole number 0 to 3"),
    "max_ride_s": (_whole, "whole seconds, e.g. 2700"),
    "max_ride_min": (_number, "minutes, e.g. 45"),
    "boarding_s": (_whole, "whole seconds, e.g. 240"),
    "birth_year": (_whole, "a year, e.g. 1961"),
    "earliest_pickup": (_time, "a time such as 07:45 or 07.45"),
    "latest_pickup": (_time, "a time such as 08:15"),
    "earliest_dropoff": (_time, "a time such as 15:30"),
    "latest_dropoff": (_time, "a time such as 16:15"),
    "wheelchair": (_yes_no, "ja or nei (yes/no, x, 1/0)"),
    "days": (_days, "weekdays such as 'man ons fre' or 'mon,wed,fri'"),
}


def read_table(data: bytes | str) -> tuple[list[list[str]], int]:
    """The file's rows (cells as text) and the index of its header row; CSV_EMPTY if none.

    Decoded as :func:`decode` reads it, split with the delimiter the header line uses most.
    """
    text = decode(data) if isinstance(data, bytes) else data.lstrip("\ufeff")
    header_line = next((line for line in text.splitlines() if line.strip()), "")
    if not header_line:
        raise InputError(
            [
                Issue(
                    "CSV_EMPTY",
                    "The file is empty.",
                    "Send a header line and one row per passenger.",
                )
            ]
        )
    rows = list(csv.reader(io.StringIO(text), delimiter=guess_delimiter(header_line)))
    header_index = next(i for i, row in enumerate(rows) if any(cell.strip() for cell in row))
    return rows, header_index


def passengers_from_csv(data: bytes | str) -> list[dict[str, Any]]:
    """Every row as a plan passenger (JSON-ready dict); InputError listing every bad row."""
    rows, header_index = read_table(data)
    columns, day_columns, issues = _map_header(rows[header_index])
    if issues:
        raise InputError(issues)
    passengers: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for offset, row in enumerate(rows[header_index + 1 :], start=header_index + 2):
        if not any(cell.strip() for cell in row):
            continue
        passenger, row_issues = _read_row(row, offset, columns, day_columns)
        issues.extend(row_issues)
        if passenger is None:
            continue
        ident = passenger["id"]
        if ident in seen:
            issues.append(
                Issue(
                    "CSV_DUPLICATE_ID",
                    f"Row {offset} repeats passenger {ident} (first on row {seen[ident]}).",
                    "Give every passenger their own id.",
                    path=f"rows[{offset}].id",
                    id=ident,
                )
            )
            continue
        seen[ident] = offset
        passengers.append(passenger)
    if not passengers and not issues:
        issues.append(
            Issue("CSV_EMPTY", "The file has a header but no rows.", "Add one row per passenger.")
        )
    if issues:
        raise InputError(issues)
    return passengers


def _read_row(
    row: list[str], line: int, columns: dict[str, int], day_columns: dict[str, int]
) -> tuple[dict[str, Any] | None, list[Issue]]:
    issues: list[Issue] = []

    def cell(key: str) -> str:
        index = columns.get(key)
        return row[index].strip() if index is not None and index < len(row) else ""

    ident = cell("id") or None
    values: dict[str, Any] = {}
    for key in columns:
        raw = cell(key)
        if key in ("id", "centre_id", "mobility"):
            values[key] = raw
            continue
        if raw == "" and key != "wheelchair":
            continue
        converter, wanted = _CONVERTERS[key]
        try:
            values[key] = converter(raw)
        except ValueError:
            shown = "" if key in _PRIVATE else f" {raw[:30]!r}"
            issues.append(
                Issue(
                    "CSV_VALUE",
                    f"Row {line} has {key}{shown}, which is not {wanted}.",
                    f"Write {wanted}.",
                    path=f"rows[{line}].{key}",
                    id=ident,
                )
            )
    if day_columns:
        marked = []
        for day, index in day_columns.items():
            raw = row[index].strip() if index < len(row) else ""
            try:
                if _yes_no(raw):
                    marked.append(day)
            except ValueError:
                issues.append(
                    Issue(
                        "CSV_VALUE",
                        f"Row {line} has {raw[:30]!r} under {day}.",
                        "Mark attended days with x (or ja/1) and leave others empty.",
                        path=f"rows[{line}].{day}",
                        id=ident,
                    )
                )
        values.setdefault("days", [])
        values["days"] = sorted(set(values["days"]) | set(marked), key=DAYS.index)
    for key in REQUIRED:
        if not values.get(key) and values.get(key) != 0:
            issues.append(
                Issue(
                    "CSV_VALUE",
                    f"Row {line} has no {key}.",
                    f"Fill in {key}.",
                    path=f"rows[{line}].{key}",
                    id=ident,
                )
            )
    if not values.get("days") and "days" not in {i.path.split(".")[-1] for i in issues if i.path}:
        issues.append(
            Issue(
                "CSV_VALUE",
                f"Row {line} attends on no weekday.",
                "Fill in days (e.g. 'man ons fre') or mark the weekday columns.",
                path=f"rows[{line}].days",
                id=ident,
            )
        )
    if issues:
        return None, issues
    passenger: dict[str, Any] = {
        "id": values["id"],
        "home": {"lat": values["lat"], "lon": values["lon"]},
        "centre_id": values["centre_id"],
        "days": values.get("days", []),
    }
    mobility = str(values.get("mobility", "")).lower()
    if values.get("wheelchair") or mobility in ("wheelchair", "rullestol"):
        passenger["mobility"] = "wheelchair"
    for key in (
        "escorts",
        "boarding_s",
        "max_ride_s",
        "birth_year",
        "earliest_pickup",
        "latest_pickup",
        "earliest_dropoff",
        "latest_dropoff",
    ):
        if key in values:
            passenger[key] = values[key]
    if "max_ride_min" in values and "max_ride_s" not in values:
        passenger["max_ride_s"] = round(values["max_ride_min"] * 60)
    try:
        PassengerSchema.model_validate_json(json.dumps(passenger))
    except ValidationError as error:
        for detail in error.errors():
            field = ".".join(str(part) for part in detail["loc"])
            private = any(part in ("lat", "lon", "home") for part in map(str, detail["loc"]))
            message = f"Row {line} has a bad {field}: {detail['msg'].lower()}."
            if private:
                message = f"Row {line} has {field} out of range."
            issues.append(
                Issue(
                    "CSV_VALUE",
                    message,
                    "Check lat/lon are not swapped." if private else f"Fix {field}.",
                    path=f"rows[{line}].{field}",
                    id=ident,
                )
            )
        return None, issues
    return passenger, issues
