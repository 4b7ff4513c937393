"""The JSON Schemas (draft 2020-12) of plan and result files, as kept in ``docs/schema/``."""

from __future__ import annotations

import json

from pydantic import BaseModel

from solver.io.schemas.common import JsonDict
from solver.io.schemas.plan import PlanSchema
from solver.io.schemas.result import ResultSchema

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"

PLAN_SCHEMA_FILE = "plan.schema.json"
RESULT_SCHEMA_FILE = "result.schema.json"


def _json_schema(schema: type[BaseModel]) -> JsonDict:
    return {"$schema": JSON_SCHEMA_DIALECT, **schema.model_json_schema(mode="validation")}


def plan_json_schema() -> JsonDict:
    """Return the JSON Schema (draft 2020-12) of plan files."""
    return _json_schema(PlanSchema)


def result_json_schema() -> JsonDict:
    """Return the JSON Schema (draft 2020-12) of result files."""
    return _json_schema(ResultSchema)


def schema_files() -> dict[str, str]:
    """Return file name -> text of the JSON Schema files kept in ``docs/schema/``."""
    return {
        PLAN_SCHEMA_FILE: json.dumps(plan_json_schema(), indent=2, ensure_ascii=False) + "\n",
        RESULT_SCHEMA_FILE: json.dumps(result_json_schema(), indent=2, ensure_ascii=False) + "\n",
    }
