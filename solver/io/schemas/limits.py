"""Range limits that both the file schemas and :mod:`solver.validate` enforce.

The schemas reject a file out of range (``INPUT_SCHEMA``); :mod:`solver.validate` checks a
plan built in code against the same numbers (``INPUT_VALUE``, ``INPUT_ESCORTS``). One
constant per limit, so the two can never disagree. The settings' lower bounds are stated
in their schemas alone and read from there (``lower_bound``).
"""

from __future__ import annotations

import annotated_types
from pydantic import BaseModel

MAX_ESCORTS = 3
"""Most escorts a passenger travels with (3:1 staffing)."""

MAX_LATITUDE_DEG = 90
"""Largest latitude in WGS84 degrees, north or south (a location lies within -90..90)."""

MAX_LONGITUDE_DEG = 180
"""Largest longitude in WGS84 degrees, east or west (a location lies within -180..180)."""


def lower_bound(schema: type[BaseModel], field: str) -> tuple[float, bool]:
    """A schema field's own lower bound: (bound, whether the bound itself is allowed).

    The schemas state each setting's range once (``Field(ge=...)`` or ``Field(gt=...)``);
    :mod:`solver.validate` reads it from there for plans built in code, so the two can
    never disagree. ``LookupError`` if the field has no lower bound.
    """
    for rule in schema.model_fields[field].metadata:
        if isinstance(rule, annotated_types.Ge | annotated_types.Gt):
            bound = rule.ge if isinstance(rule, annotated_types.Ge) else rule.gt
            assert isinstance(bound, int | float), f"{schema.__name__}.{field}: {bound!r}"
            return float(bound), isinstance(rule, annotated_types.Ge)
    raise LookupError(f"{schema.__name__}.{field} has no lower bound")
