"""File formats: the week plan JSON and the result JSON, and their conversion to the domain.

This package is the one place where JSON and "HH:MM" strings meet the solver's domain
dataclasses (:mod:`solver.domain`). The pydantic models (``*Schema``, in :mod:`.schemas`)
describe the files and check their structure (types, ranges, time strings, no unknown
fields); they are never used as domain objects. Meaning checks (unknown centres, empty
windows...) are :func:`solver.validate.validate`'s job.

Bad input never raises a traceback: malformed JSON and structural problems become an
:class:`~solver.errors.InputError` whose issues name the JSON path (``passengers[3].escorts``)
and the offending object's id (:mod:`.issues`).

Modules by concern: :mod:`.plan` (plan file <-> ``WeekPlan``), :mod:`.result` (result file
<-> ``WeekResult``), :mod:`.geojson` (results for maps), :mod:`.times` ("HH:MM" <-> seconds),
:mod:`.issues` (pydantic errors -> input issues), :mod:`.files` (bytes in, files out),
:mod:`.schemas` (the file models and their JSON Schemas).
"""

from solver.io.geojson import result_to_geojson
from solver.io.plan import dump_plan, load_plan, parse_plan, plan_to_json, resolve_osm_file
from solver.io.result import dump_result, load_result, parse_result, result_to_json
from solver.io.schemas import (
    MAX_ESCORTS,
    MAX_LATITUDE_DEG,
    MAX_LONGITUDE_DEG,
    OPERATORS,
    Operator,
    PassengerSchema,
    PlanSchema,
    ResultSchema,
    plan_json_schema,
    result_json_schema,
    schema_files,
)
from solver.io.times import SECONDS_PER_DAY, format_hhmm, format_hms, parse_hhmm

__all__ = [
    "MAX_ESCORTS",
    "MAX_LATITUDE_DEG",
    "MAX_LONGITUDE_DEG",
    "OPERATORS",
    "SECONDS_PER_DAY",
    "Operator",
    "PassengerSchema",
    "PlanSchema",
    "ResultSchema",
    "dump_plan",
    "dump_result",
    "format_hhmm",
    "format_hms",
    "load_plan",
    "load_result",
    "parse_hhmm",
    "parse_plan",
    "parse_result",
    "plan_json_schema",
    "plan_to_json",
    "resolve_osm_file",
    "result_json_schema",
    "result_to_geojson",
    "result_to_json",
    "schema_files",
]
