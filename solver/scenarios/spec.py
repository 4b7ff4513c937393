"""The scenarios file (SCENARIOS.json): a list of what-if scenarios for one base week.

The pydantic models here describe the file and check its structure (types, ranges, unknown
fields); :func:`parse_scenarios` turns it into :class:`ScenarioBatch` of domain changes
(:mod:`solver.scenarios.changes`). Whether the ids a change names exist is checked when the
changes are applied to the base week (``SCENARIO_UNKNOWN_*``, naming scenario and id).
The JSON Schema (:func:`scenarios_json_schema`) is written to
``docs/schema/scenarios.schema.json``.

Units at the edge: times of day ``HH:MM``, shifts in minutes (``shift_min``), durations in
seconds (``_s``), distance bands in km (``max_km``), money NOK.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from solver.costs import DEFAULT_FALLBACK_FARE, DEFAULT_OPERATING_WEEKS, Costing
from solver.errors import InputError, Issue
from solver.scenarios.changes import (
    KINDS,
    AddVehiclesSpec,
    AgeLimitSpec,
    CapDaysSpec,
    CentreHoursSpec,
    Change,
    ChangeTariffSpec,
    CloseCentreSpec,
    GrowthSpec,
    MaxRideSpec,
    ModifyVehiclesSpec,
    OptimiseDaysSpec,
    RemovePassengersSpec,
    RemoveVehiclesSpec,
    kind_of,
    kind_of_spec,
)
from solver.scenarios.changes.spec_parts import SpecModel

SCENARIO_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
"""Scenario ids name output files: letters, digits, ``_``, ``.``, ``-``."""


ChangeSpec = Annotated[
    CapDaysSpec
    | OptimiseDaysSpec
    | AgeLimitSpec
    | RemovePassengersSpec
    | CloseCentreSpec
    | CentreHoursSpec
    | AddVehiclesSpec
    | RemoveVehiclesSpec
    | ModifyVehiclesSpec
    | ChangeTariffSpec
    | MaxRideSpec
    | GrowthSpec,
    Field(discriminator="type"),
]


class ScenarioSpec(SpecModel):
    """One what-if: changes applied in order to a copy of the base week."""

    model_config = ConfigDict(title="Scenario")
    id: str = Field(pattern=SCENARIO_ID_PATTERN, max_length=64, examples=["four-days"])
    name: str | None = Field(default=None, examples=["5 -> 4 days, drop Friday"])
    description: str | None = None
    changes: list[ChangeSpec] = Field(description="Applied in order; may be empty (re-solve).")


class ScenariosFileSpec(SpecModel):
    """What-if scenarios for one base week, solved in one batch and compared with the base."""

    model_config = ConfigDict(title="Scenarios")
    schema_uri: str | None = Field(default=None, alias="$schema")
    name: str = Field(default="scenarios")
    base_name: str = Field(default="Base week", description="How the base week is named.")
    operating_weeks: float = Field(
        default=DEFAULT_OPERATING_WEEKS,
        gt=0,
        le=53,
        description="Weeks a year with transport (annual = weekly × this + fixed per year).",
    )
    fallback_fare: float = Field(
        default=DEFAULT_FALLBACK_FARE,
        ge=0,
        le=100_000,
        description="NOK for each trip nobody in the fleet carries (a taxi, one passenger, "
        "one direction): weeks are compared with unassigned trips at this fare.",
    )
    time_limit_s: float | None = Field(
        default=None, gt=0, description="Seconds per scenario week (default: the plan's)."
    )
    scenarios: list[ScenarioSpec] = Field(min_length=1)


# --------------------------------------------------------------------------- domain side


@dataclass(frozen=True)
class Scenario:
    """A named, ordered list of changes to the base week."""

    scenario_id: str
    name: str
    changes: tuple[Change, ...]
    description: str = ""


@dataclass(frozen=True)
class ScenarioBatch:
    """Scenarios for one base week; ``time_limit_s`` per scenario week (None: the plan's)."""

    scenarios: tuple[Scenario, ...]
    name: str = "scenarios"
    base_name: str = "Base week"
    costing: Costing = field(default_factory=Costing)
    time_limit_s: float | None = None
    source: Mapping[str, Any] | None = None


def change_from_spec(spec: BaseModel) -> Change:
    """The domain change a change spec describes (through the change-kind registry)."""
    change: Change = kind_of_spec(spec).from_spec(spec)
    return change


def _schema_issues(error: ValidationError, source: str) -> list[Issue]:
    issues = []
    for detail in error.errors(include_url=False):
        path = "".join(
            f"[{part}]" if isinstance(part, int) else f".{part}" for part in detail["loc"]
        ).lstrip(".")
        # Discriminated unions add the tag to the path: scenarios[0].changes[1].cap_days.drop
        path = re.sub(r"\.(" + "|".join(_CHANGE_TYPES) + r")(?=\.|$)", "", path)
        issues.append(
            Issue(
                code="INPUT_SCHEMA",
                message=f"{source}: {path or 'the file'}: {detail['msg']}.",
                hint="See docs/schema/scenarios.schema.json for the file format.",
                path=path or None,
            )
        )
    return issues


_CHANGE_TYPES = tuple(KINDS)


def parse_scenarios(
    data: bytes | str | Mapping[str, Any], source: str = "scenarios"
) -> ScenarioBatch:
    """Read a scenarios file (JSON text, bytes or a parsed dict).

    Raises :class:`~solver.errors.InputError`: ``INPUT_MALFORMED_JSON``, ``INPUT_SCHEMA`` per
    structural problem (with its JSON path), ``SCENARIO_DUPLICATE_ID``.
    """
    if isinstance(data, bytes):
        data = data.decode("utf-8-sig", errors="replace")
    if isinstance(data, str):
        try:
            raw = json.loads(data)
        except json.JSONDecodeError as error:
            raise InputError(
                [
                    Issue(
                        code="INPUT_MALFORMED_JSON",
                        message=f"{source} is not valid JSON: {error.msg} at line "
                        f"{error.lineno}, column {error.colno}.",
                        hint="Look for a missing comma, quote or bracket there.",
                    )
                ],
                source=source,
            ) from None
    else:
        raw = dict(data)
    try:
        spec = ScenariosFileSpec.model_validate_json(json.dumps(raw), strict=True)
    except ValidationError as error:
        raise InputError(_schema_issues(error, source), source=source) from None
    seen: set[str] = set()
    for index, scenario in enumerate(spec.scenarios):
        if scenario.id in seen:
            raise InputError(
                [
                    Issue(
                        code="SCENARIO_DUPLICATE_ID",
                        message=f"{source}: scenario id {scenario.id} is used twice.",
                        hint="Give every scenario its own id.",
                        path=f"scenarios[{index}].id",
                        id=scenario.id,
                    )
                ],
                source=source,
            )
        seen.add(scenario.id)
    return ScenarioBatch(
        scenarios=tuple(
            Scenario(
                scenario_id=s.id,
                name=s.name or s.id,
                changes=tuple(change_from_spec(c) for c in s.changes),
                description=s.description or "",
            )
            for s in spec.scenarios
        ),
        name=spec.name,
        base_name=spec.base_name,
        costing=Costing(operating_weeks=spec.operating_weeks, fallback_fare=spec.fallback_fare),
        time_limit_s=spec.time_limit_s,
        source=raw,
    )


def load_scenarios(path: Path) -> ScenarioBatch:
    """Read the scenarios file at ``path`` (``INPUT_FILE`` if it cannot be read)."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(
            [
                Issue(
                    code="INPUT_FILE",
                    message=f"{path} cannot be read: {error.strerror or type(error).__name__}.",
                    hint="Check the file name and that the file exists and is readable.",
                )
            ],
            source=str(path),
        ) from None
    return parse_scenarios(data, source=str(path))


def scenarios_json_schema() -> dict[str, Any]:
    """The JSON Schema of the scenarios file (draft 2020-12)."""
    schema: dict[str, Any] = {"$schema": "https://json-schema.org/draft/2020-12/schema"}
    schema.update(TypeAdapter(ScenariosFileSpec).json_schema(by_alias=True))
    return schema


def scenarios_schema_text() -> str:
    """The JSON Schema as written to ``docs/schema/scenarios.schema.json``."""
    return json.dumps(scenarios_json_schema(), indent=2, ensure_ascii=False) + "\n"


def change_to_json(change: Change) -> dict[str, Any]:
    """A short JSON-ready description of a change (its type and non-default fields)."""
    from dataclasses import fields

    out: dict[str, Any] = {"type": kind_of(change).name}
    default = type(change).__dataclass_fields__
    for f in fields(change):
        value = getattr(change, f.name)
        field_default = default[f.name].default
        if value == field_default or value is None or value == {} or value == ():
            continue
        out[f.name] = _jsonable(value)
    return out


def _jsonable(value: object) -> Any:
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (frozenset, set)):
        return sorted(_jsonable(v) for v in value)
    if isinstance(value, (tuple, list)):
        return [_jsonable(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if hasattr(value, "__dataclass_fields__"):
        return {
            name: _jsonable(getattr(value, name))
            for name in value.__dataclass_fields__
            if getattr(value, name) is not None
        }
    return str(value)
