"""Passenger details for drivers' manifests: name, address, phone and notes, as JSON or CSV.

These are display fields only. The solver never reads them, so the service keeps them
apart from the plan (table ``passenger_details``), shows them only to roles with
``details:read`` and erases them with the plan. Nothing here echoes a value in an error:
every issue names the passenger id (the plan's pseudonymous key), the field and the row,
never the name, address, phone or note.

JSON: ``{"passengers": [{"passenger_id": "P001", "name": "...", "address": "...",
"phone": "...", "notes": "..."}]}``. CSV (as :mod:`app.interop.csv_passengers` reads it:
``;``, ``,`` or tab, UTF-8 or Windows-1252), header names case-insensitive, Norwegian in
brackets: ``passenger_id`` (id, passasjer_id), ``name`` (navn), ``address`` (adresse),
``phone`` (telefon, mobil, tlf), ``notes`` (merknad, merknader, notat). Other columns are
ignored and never stored. A row with no field besides the id stores nothing.

Codes (:data:`DETAILS_CODES`): ``DETAILS_MALFORMED`` (not JSON, or not the documented shape),
``DETAILS_TOO_LONG``, ``DETAILS_PHONE``, ``DETAILS_DUPLICATE_ID``,
``DETAILS_UNKNOWN_PASSENGER``, and the CSV file's own ``CSV_*``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any, Final

from app.interop.csv_passengers import duplicate_column, read_table
from solver.errors import InputError, Issue

DETAILS_CODES: Final[dict[str, str]] = {
    "DETAILS_MALFORMED": "The document is not JSON, or not shaped as documented.",
    "DETAILS_TOO_LONG": "A field is longer than its limit.",
    "DETAILS_PHONE": "A phone number holds something else than digits, spaces, + ( ) . -.",
    "DETAILS_DUPLICATE_ID": "Two entries name the same passenger.",
    "DETAILS_UNKNOWN_PASSENGER": "An entry names a passenger who is not in the plan.",
}

MAX_CHARS: Final[dict[str, int]] = {"name": 200, "address": 300, "phone": 40, "notes": 1000}
"""Longest text of each field, in characters."""

MAX_PASSENGERS: Final = 20_000
"""Most entries one document may hold."""

PHONE_PATTERN: Final = re.compile(r"^[0-9+() .\-]*[0-9][0-9+() .\-]*$")

COLUMN_ALIASES: Final[dict[str, tuple[str, ...]]] = {
    "passenger_id": ("passenger_id", "id", "passenger", "passasjer_id", "passasjer"),
    "name": ("name", "navn", "full_name", "fullt_navn"),
    "address": ("address", "adresse", "home_address", "hjemmeadresse"),
    "phone": ("phone", "telefon", "mobil", "tlf", "telephone", "mobile"),
    "notes": ("notes", "note", "merknad", "merknader", "notat", "notater"),
}


@dataclass(frozen=True, slots=True)
class PassengerDetails:
    """One passenger's display fields (None: not given)."""

    passenger_id: str
    name: str | None = None
    address: str | None = None
    phone: str | None = None
    notes: str | None = None

    def is_empty(self) -> bool:
        """Whether no field besides the id is given."""
        return not any((self.name, self.address, self.phone, self.notes))


FIELDS: Final = tuple(f.name for f in fields(PassengerDetails) if f.name != "passenger_id")


def _clean(value: object) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split()) if not isinstance(value, str) else value.strip()
    return text or None


def _entry_issues(entry: PassengerDetails, where: str) -> list[Issue]:
    """Too long fields and a phone that is not a phone number (never echoing a value)."""
    issues = []
    for name in FIELDS:
        value = getattr(entry, name)
        if value is not None and len(value) > MAX_CHARS[name]:
            issues.append(
                Issue(
                    "DETAILS_TOO_LONG",
                    f"The {name} of passenger {entry.passenger_id} has {len(value)} "
                    f"characters; at most {MAX_CHARS[name]} are kept.",
                    f"Shorten the {name}.",
                    path=f"{where}.{name}",
                    id=entry.passenger_id,
                )
            )
    if entry.phone is not None and not PHONE_PATTERN.match(entry.phone):
        issues.append(
            Issue(
                "DETAILS_PHONE",
                f"The phone of passenger {entry.passenger_id} is not a phone number.",
                "Write digits, spaces and + ( ) . - only, e.g. +47 912 34 567; put "
                "anything else in notes.",
                path=f"{where}.phone",
                id=entry.passenger_id,
            )
        )
    return issues


def _malformed(message: str, hint: str, path: str | None = None) -> Issue:
    return Issue("DETAILS_MALFORMED", message, hint, path=path)


def details_from_json(data: bytes | str | Mapping[str, Any]) -> list[PassengerDetails]:
    """The entries of a JSON details document; InputError listing every problem."""
    if isinstance(data, Mapping):
        document: Any = data
    else:
        try:
            document = json.loads(data)
        except (ValueError, UnicodeDecodeError):
            raise InputError(
                [_malformed("The body is not JSON.", 'Send {"passengers": [...]} as JSON.')]
            ) from None
    entries = document.get("passengers") if isinstance(document, Mapping) else None
    if not isinstance(entries, list):
        raise InputError(
            [
                _malformed(
                    "The document has no list 'passengers'.",
                    'Send {"passengers": [{"passenger_id": "P001", "name": ...}]}.',
                )
            ]
        )
    extra = sorted(set(document) - {"passengers"})
    issues: list[Issue] = []
    if extra:
        issues.append(
            _malformed(
                f"The document has unknown keys: {', '.join(k[:40] for k in extra[:5])}.",
                "Keep only 'passengers'.",
            )
        )
    found: list[tuple[str, PassengerDetails]] = []
    for index, item in enumerate(entries):
        where = f"passengers[{index}]"
        if not isinstance(item, Mapping):
            issues.append(
                _malformed(f"{where} is not an object.", "Send one object per passenger.", where)
            )
            continue
        ident = item.get("passenger_id")
        if not isinstance(ident, str) or not ident.strip():
            issues.append(
                _malformed(
                    f"{where} has no passenger_id.",
                    "Give the passenger's id as in the plan.",
                    f"{where}.passenger_id",
                )
            )
            continue
        unknown = sorted(set(item) - {"passenger_id", *FIELDS})
        if unknown:
            issues.append(
                Issue(
                    "DETAILS_MALFORMED",
                    f"The entry of passenger {ident} has unknown fields: "
                    f"{', '.join(k[:40] for k in unknown[:5])}.",
                    f"Use only passenger_id, {', '.join(FIELDS)}.",
                    path=where,
                    id=ident,
                )
            )
            continue
        texts = {}
        for name in FIELDS:
            value = item.get(name)
            if value is not None and not isinstance(value, str):
                issues.append(
                    Issue(
                        "DETAILS_MALFORMED",
                        f"The {name} of passenger {ident} is not text.",
                        f"Send the {name} as a string, or leave it out.",
                        path=f"{where}.{name}",
                        id=ident,
                    )
                )
                value = None
            texts[name] = _clean(value)
        found.append((where, PassengerDetails(ident.strip(), **texts)))
    return _checked(found, issues)


def details_from_csv(data: bytes | str) -> list[PassengerDetails]:
    """The rows of a details CSV file; InputError listing every bad row.

    Paths are ``rows[N].column`` with the spreadsheet's row number N.
    """
    rows, header_index = read_table(data)
    lookup = {alias: key for key, aliases in COLUMN_ALIASES.items() for alias in aliases}
    columns: dict[str, int] = {}
    issues: list[Issue] = []
    for index, raw in enumerate(rows[header_index]):
        key = lookup.get(raw.strip().lower().replace(" ", "_"))
        if key is None:
            continue
        if key in columns:
            issues.append(duplicate_column(key, index))
        columns[key] = index
    if "passenger_id" not in columns:
        issues.append(
            Issue(
                "CSV_HEADER",
                "The file has no column passenger_id.",
                f"Add a column named one of: {', '.join(COLUMN_ALIASES['passenger_id'])}.",
                path="header",
            )
        )
    if not set(FIELDS) & set(columns):
        issues.append(
            Issue(
                "CSV_HEADER",
                "The file has no column name, address, phone or notes.",
                "Add at least one of them (navn, adresse, telefon, merknad).",
                path="header",
            )
        )
    if issues:
        raise InputError(issues)
    found: list[tuple[str, PassengerDetails]] = []
    for number, row in enumerate(rows[header_index + 1 :], start=header_index + 2):
        if not any(cell.strip() for cell in row):
            continue

        def cell(key: str, row: list[str] = row) -> str | None:
            index = columns.get(key)
            return _clean(row[index]) if index is not None and index < len(row) else None

        ident = cell("passenger_id")
        if ident is None:
            issues.append(
                Issue(
                    "CSV_VALUE",
                    f"Row {number} has no passenger id.",
                    "Give the passenger's id as in the plan, or delete the row.",
                    path=f"rows[{number}].passenger_id",
                )
            )
            continue
        found.append(
            (f"rows[{number}]", PassengerDetails(ident, **{name: cell(name) for name in FIELDS}))
        )
    if not found and not issues:
        issues.append(
            Issue("CSV_EMPTY", "The file has a header but no rows.", "Add one row per passenger.")
        )
    return _checked(found, issues)


def _checked(
    found: Sequence[tuple[str, PassengerDetails]], issues: list[Issue]
) -> list[PassengerDetails]:
    """The entries with a field, after length, phone and duplicate checks."""
    if len(found) > MAX_PASSENGERS:
        issues.append(
            _malformed(
                f"The document has {len(found)} entries; at most {MAX_PASSENGERS} are read.",
                "Send the details of one plan only.",
            )
        )
    first: dict[str, str] = {}
    kept: list[PassengerDetails] = []
    for where, entry in found:
        issues.extend(_entry_issues(entry, where))
        if entry.passenger_id in first:
            issues.append(
                Issue(
                    "DETAILS_DUPLICATE_ID",
                    f"Passenger {entry.passenger_id} is listed twice ({first[entry.passenger_id]} "
                    f"and {where}).",
                    "Keep one entry per passenger.",
                    path=where,
                    id=entry.passenger_id,
                )
            )
            continue
        first[entry.passenger_id] = where
        if not entry.is_empty():
            kept.append(entry)
    if issues:
        raise InputError(issues)
    return kept


def check_against_plan(details: Sequence[PassengerDetails], passenger_ids: Collection[str]) -> None:
    """InputError naming every entry whose passenger is not in the plan."""
    known = set(passenger_ids)
    issues = [
        Issue(
            "DETAILS_UNKNOWN_PASSENGER",
            f"Passenger {entry.passenger_id} is not in the plan.",
            "Use the passenger ids of the plan these details belong to, or remove the entry.",
            path="passengers",
            id=entry.passenger_id,
        )
        for entry in details
        if entry.passenger_id not in known
    ]
    if issues:
        raise InputError(issues)
