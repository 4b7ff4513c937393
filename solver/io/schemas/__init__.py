"""The plan and result file models (pydantic), and their JSON Schemas.

They check structure only (types, ranges, time strings, no unknown fields) and are never used
as domain objects; :mod:`solver.io.plan` and :mod:`solver.io.result` convert them.
"""

from solver.io.schemas.common import (
    OPERATORS,
    JsonDict,
    LayoutSchema,
    LocationSchema,
    Operator,
    WindowSchema,
)
from solver.io.schemas.json_schema import (
    PLAN_SCHEMA_FILE,
    RESULT_SCHEMA_FILE,
    plan_json_schema,
    result_json_schema,
    schema_files,
)
from solver.io.schemas.limits import MAX_ESCORTS, MAX_LATITUDE_DEG, MAX_LONGITUDE_DEG
from solver.io.schemas.plan import (
    BreakRuleSchema,
    CentreDaySchema,
    CentreSchema,
    MaxRideSchema,
    PassengerSchema,
    PlanSchema,
    RoadsSchema,
    ServiceSchema,
    SettingsSchema,
    TariffSchema,
    VehicleSchema,
)
from solver.io.schemas.result import (
    BreakSchema,
    CounterfactualSchema,
    DayPlanSchema,
    GeometrySchema,
    KpisSchema,
    LoadSchema,
    ResultSchema,
    RouteSchema,
    StopSchema,
    UnassignedSchema,
)

__all__ = [
    "MAX_ESCORTS",
    "MAX_LATITUDE_DEG",
    "MAX_LONGITUDE_DEG",
    "OPERATORS",
    "PLAN_SCHEMA_FILE",
    "RESULT_SCHEMA_FILE",
    "BreakRuleSchema",
    "BreakSchema",
    "CentreDaySchema",
    "CentreSchema",
    "CounterfactualSchema",
    "DayPlanSchema",
    "GeometrySchema",
    "JsonDict",
    "KpisSchema",
    "LayoutSchema",
    "LoadSchema",
    "LocationSchema",
    "MaxRideSchema",
    "Operator",
    "PassengerSchema",
    "PlanSchema",
    "ResultSchema",
    "RoadsSchema",
    "RouteSchema",
    "ServiceSchema",
    "SettingsSchema",
    "StopSchema",
    "TariffSchema",
    "UnassignedSchema",
    "VehicleSchema",
    "WindowSchema",
    "plan_json_schema",
    "result_json_schema",
    "schema_files",
]
