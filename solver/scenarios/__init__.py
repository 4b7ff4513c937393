"""What-if scenarios: changes to a base week, solved in batches, priced in contract terms.

::

    batch = load_scenarios(Path("SCENARIOS.json"))
    result = run_batch(plan, batch, network=network, backend=make_backend(workers=2))
    write_batch(result, Path("out/scenarios"))

See :mod:`solver.scenarios.changes` (change types), :mod:`solver.scenarios.days`
(attendance-day optimisation), :mod:`solver.scenarios.batch` (runner),
:mod:`solver.scenarios.backends` (local processes or Dask),
:mod:`solver.scenarios.report` (output files) and :mod:`solver.costs` (annual costs).
"""

from solver.scenarios.backends import DaskBackend, LocalBackend, make_backend
from solver.scenarios.batch import BatchResult, ScenarioOutcome, run_batch
from solver.scenarios.changes import SCENARIO_CODES, ApplyContext, apply_change, apply_changes
from solver.scenarios.report import write_batch
from solver.scenarios.spec import (
    Scenario,
    ScenarioBatch,
    load_scenarios,
    parse_scenarios,
    scenarios_json_schema,
)

__all__ = [
    "SCENARIO_CODES",
    "ApplyContext",
    "BatchResult",
    "DaskBackend",
    "LocalBackend",
    "Scenario",
    "ScenarioBatch",
    "ScenarioOutcome",
    "apply_change",
    "apply_changes",
    "load_scenarios",
    "make_backend",
    "parse_scenarios",
    "run_batch",
    "scenarios_json_schema",
    "write_batch",
]
