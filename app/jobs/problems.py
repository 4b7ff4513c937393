"""The problem documents a job ends with when it fails for a reason of the service's own."""

from __future__ import annotations

from typing import Any

from app.errors import SERVICE_CODES, problem_body


def internal_problem(code: str) -> dict[str, Any]:
    """A 500 ``internal`` problem for a job: ``JOB_INTERNAL``, ``JOB_TIMEOUT``..."""
    message = SERVICE_CODES[code]
    return problem_body(
        500,
        "internal",
        message,
        [
            {
                "code": code,
                "message": message,
                "hint": "Submit the plan again; if it happens again, tell the operator.",
                "path": None,
                "id": None,
            }
        ],
    )
