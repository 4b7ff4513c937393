"""Structural problems as input issues, naming the JSON path and the owner's id.

Malformed JSON becomes ``INPUT_MALFORMED_JSON``; each pydantic error an ``INPUT_SCHEMA`` issue.
"""

from __future__ import annotations

import difflib
import json
import re
import types
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from solver.errors import InputError, Issue
from solver.io.files import json_text
from solver.io.times import PLAN_TIME_PATTERN, RESULT_TIME_PATTERN

SchemaT = TypeVar("SchemaT", bound=BaseModel)

_TIME_HINT = "Write times as HH:MM or HH:MM:SS between 00:00 and 23:59:59, e.g. '08:30'."


def _malformed_json_issue(text: str, source: str, fallback: str) -> Issue:
    try:
        json.loads(text)
    except json.JSONDecodeError as error:
        detail = f"{error.msg} at line {error.lineno}, column {error.colno}"
    else:  # pydantic's parser is stricter than json's in some corner; use its words
        detail = fallback
    return Issue(
        code="INPUT_MALFORMED_JSON",
        message=f"{source} is not valid JSON: {detail}.",
        hint="Look for a missing comma, quote or bracket there; JSON allows no comments "
        "and no comma after the last item.",
    )


def validate_json(
    schema: type[SchemaT], data: bytes | str | Mapping[str, Any], source: str, noun: str
) -> SchemaT:
    """``data`` checked against ``schema``; InputError with one issue per structural problem.

    ``source`` names the input in messages; ``noun`` names the document ("The plan").
    """
    text = json_text(data, source)
    try:
        return schema.model_validate_json(text, strict=True)
    except ValidationError as error:
        errors = error.errors(include_url=False)
        invalid = [e for e in errors if e["type"] == "json_invalid"]
        if invalid:
            issue = _malformed_json_issue(text, source, str(invalid[0]["ctx"]["error"]))
            raise InputError([issue], source=source) from None
        try:
            raw: object = json.loads(text)
        except json.JSONDecodeError:  # only used to find ids; pydantic's parser accepted it
            raw = None
        issues = [_issue_from_error(e, raw, schema, noun) for e in errors]
        raise InputError(issues, source=source) from None


# The list a JSON element sits in -> (how to name it with an id, how to name it without).
_ELEMENT_NOUNS: dict[str, tuple[str, str]] = {
    "centres": ("centre {id}", "centre {n}"),
    "passengers": ("passenger {id}", "passenger {n}"),
    "vehicles": ("vehicle {id}", "vehicle {n}"),
    "layouts": ("layout {n}", "layout {n}"),
    "plans": ("the {day} {direction} plan", "day plan {n}"),
    "routes": ("the route of vehicle {id}", "route {n}"),
    "stops": ("stop {n}", "stop {n}"),
    "unassigned": ("the unassigned entry of passenger {id}", "unassigned entry {n}"),
}
_ID_KEYS = ("id", "vehicle_id", "passenger_id")

# Never echoed in messages: where people live, and how old they are.
_PRIVATE_FIELDS = frozenset({"lat", "lon", "birth_year", "coordinates"})

_TYPE_WORDS: dict[str, tuple[str, str]] = {
    "int_type": ("a whole number", "Write a whole number without quotes, e.g. 3."),
    "int_from_float": ("a whole number", "Write a whole number without a decimal point."),
    "float_type": ("a number", "Write a number without quotes, e.g. 12.5."),
    "finite_number": (
        "a finite number",
        "Write an ordinary number; NaN and Infinity are not JSON.",
    ),
    "string_type": ("text", "Write text in double quotes."),
    "bool_type": ("true or false", "Write true or false, without quotes."),
    "list_type": ("a list", "Write a list in square brackets: [ ... ]."),
    "tuple_type": ("a list", "Write a list in square brackets: [ ... ]."),
    "dict_type": ("a JSON object", "Write an object in curly braces: { ... }."),
    "model_type": ("a JSON object", "Write an object in curly braces: { ... }."),
    "model_attributes_type": ("a JSON object", "Write an object in curly braces: { ... }."),
}

_CUSTOM_HINTS: dict[str, str] = {
    "centre_override_closed": "Add the day to open_days, or remove it from days.",
    "centre_window_missing": (
        "Give the centre a usual arrival_window and departure_window, or set them for that "
        "day under days."
    ),
}

_BOUNDS: dict[str, str] = {
    "greater_than": "greater than",
    "greater_than_equal": "at least",
    "less_than": "less than",
    "less_than_equal": "at most",
}
_BOUND_KEYS = {
    "greater_than": "gt",
    "greater_than_equal": "ge",
    "less_than": "lt",
    "less_than_equal": "le",
}


def _json_path(loc: Sequence[int | str]) -> str:
    """``passengers[3].home.lat`` for the location ``('passengers', 3, 'home', 'lat')``."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif re.fullmatch(r"[A-Za-z_$][A-Za-z0-9_]*", part):
            path += f".{part}" if path else part
        else:
            path += f"[{json.dumps(part)}]"
    return path


def _element_id(element: Mapping[str, Any]) -> str | None:
    for key in _ID_KEYS:
        value = element.get(key)
        if isinstance(value, str) and value:
            return value
    return None


def _describe_element(list_key: str, index: int, element: Mapping[str, Any]) -> tuple[str, bool]:
    """How to name a list element in a sentence, and whether that name stands on its own."""
    with_id, without_id = _ELEMENT_NOUNS.get(list_key, ("{id}", f"{list_key} item {{n}}"))
    ident = _element_id(element)
    day, direction = element.get("day"), element.get("direction")
    fields = {"id": ident, "n": index + 1, "day": day, "direction": direction}
    if list_key == "plans":
        has_name = isinstance(day, str) and isinstance(direction, str)
    else:
        has_name = ident is not None and "{id}" in with_id
    return (with_id if has_name else without_id).format(**fields), has_name


def _owner(data: object, loc: Sequence[int | str], noun: str) -> tuple[str, str | None, int]:
    """Who an error is about: (subject for the sentence, their id, depth of loc they span).

    Walks the raw JSON along ``loc``; the innermost list element that is an object is the
    owner ("Passenger P003"); without an id of its own, it is named within its parent
    ("Stop 3 of the route of vehicle V1").
    """
    owners: list[tuple[str, bool, str | None, int]] = []
    node = data
    for depth, part in enumerate(loc):
        if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            element = node[part]
            parent_key = loc[depth - 1] if depth > 0 else ""
            if isinstance(element, dict):
                description, has_name = _describe_element(str(parent_key), part, element)
                owners.append((description, has_name, _element_id(element), depth + 1))
            node = element
        elif isinstance(node, dict) and isinstance(part, str) and part in node:
            node = node[part]
        else:
            break
    if not owners:
        return noun, None, 0
    subject, has_name, _, depth = owners[-1]
    if not has_name and len(owners) > 1:
        subject = f"{subject} of {owners[-2][0]}"
    ids = [owner_id for *_, owner_id, _ in owners if owner_id is not None]
    return subject[0].upper() + subject[1:], (ids[-1] if ids else None), depth


def _annotation_at(annotation: object, parts: Sequence[int | str]) -> object:
    """Return the type the schema expects at ``parts`` below ``annotation`` (None if unknown)."""
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        options = [a for a in get_args(annotation) if a is not type(None)]
        return _annotation_at(options[0], parts) if len(options) == 1 else None
    if not parts:
        return annotation
    head, rest = parts[0], parts[1:]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        for name, field in annotation.model_fields.items():
            if head in (name, field.alias):
                return _annotation_at(field.annotation, rest)
        return None
    if origin in (list, tuple):
        return _annotation_at(get_args(annotation)[0], rest)
    if origin is dict:
        return _annotation_at(get_args(annotation)[1], rest)
    return None


def _field_names(model: object) -> list[str]:
    if isinstance(model, type) and issubclass(model, BaseModel):
        return [field.alias or name for name, field in model.model_fields.items()]
    return []


def _number(value: object) -> str:
    """Write a bound as people do: ``3``, not ``3.0``."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _shown(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _issue_from_error(error: ErrorDetails, data: object, root: type[BaseModel], noun: str) -> Issue:
    """One pydantic error as an ``INPUT_SCHEMA`` issue naming the path and the owner's id."""
    kind = error["type"]
    loc = tuple(error["loc"])
    is_key = bool(loc) and loc[-1] == "[key]"
    if is_key:
        loc = loc[:-1]
    path = _json_path(loc) or None
    subject, ident, depth = _owner(data, loc, noun)
    field = _json_path(loc[depth:-1] if is_key else loc[depth:])
    last = loc[-1] if loc else ""
    private = any(part in _PRIVATE_FIELDS for part in loc if isinstance(part, str))
    value = error.get("input")
    ctx = error.get("ctx", {})
    message: str
    hint: str
    if kind == "missing":
        message = f"{subject} lacks the required field '{field}'."
        hint = f"Add '{last}'; the format is in docs/schema/."
    elif kind == "extra_forbidden":
        allowed = _field_names(_annotation_at(root, loc[:-1]))
        close = difflib.get_close_matches(str(last), allowed, n=1)
        message = f"{subject} has an unknown field '{field}'."
        hint = (
            f"Did you mean '{close[0]}'?"
            if close
            else f"Remove it; allowed here: {', '.join(allowed)}."
            if allowed
            else "Remove it."
        )
    elif kind in _CUSTOM_HINTS:
        message = error["msg"]
        hint = _CUSTOM_HINTS[kind]
    elif kind == "string_pattern_mismatch" and ctx.get("pattern") in (
        PLAN_TIME_PATTERN,
        RESULT_TIME_PATTERN,
    ):
        message = f"{subject} has {field} {_shown(value)}, which is not a time of day."
        hint = (
            _TIME_HINT
            if ctx.get("pattern") == PLAN_TIME_PATTERN
            else "Write result times as HH:MM:SS between 00:00:00 and 23:59:59."
        )
    elif kind in ("literal_error", "enum"):
        where = f"the key {_shown(value)} in {field}" if is_key else f"{field} {_shown(value)}"
        message = f"{subject} has {where}, which is not allowed."
        hint = f"Use one of {ctx.get('expected', 'the values in docs/schema/')}."
    elif kind in _BOUNDS:
        bound = f"{_BOUNDS[kind]} {_number(ctx.get(_BOUND_KEYS[kind]))}"
        if private:
            message = f"{subject} has {field} out of range."
            hint = f"It must be {bound}" + (
                "; check that lat and lon are not swapped." if last in ("lat", "lon") else "."
            )
        else:
            message = f"{subject} has {field} {_shown(value)}, but it must be {bound}."
            hint = f"Set {field} to a number {bound}."
    elif kind in _TYPE_WORDS:
        expected, hint = _TYPE_WORDS[kind]
        message = (
            f"{subject} has {field} that is not {expected}."
            if field
            else f"{subject} is not {expected}."
        )
    elif kind == "string_too_short":
        message = f"{subject} has an empty {field or 'value'}."
        hint = "Give it a value."
    else:
        shown_msg = error["msg"].rstrip(".")
        message = (
            f"{subject} has an invalid {field or 'value'}: {shown_msg[0].lower()}{shown_msg[1:]}."
        )
        hint = f"{shown_msg}."
    return Issue(code="INPUT_SCHEMA", message=message, hint=hint, path=path, id=ident)
