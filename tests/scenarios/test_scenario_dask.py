"""The Dask path: the same batch on a local Dask cluster (in-process; CI has no cluster)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from solver.config import get_config
from solver.scenarios.backends import DaskBackend, make_backend
from solver.scenarios.batch import run_batch
from solver.scenarios.changes import ChangeTariff, CloseCentre
from solver.scenarios.spec import Scenario
from tests.scenarios.tiny import batch_of, monday_week

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def cluster_client() -> Iterator[object]:
    """A Dask cluster of one in-process worker with two threads, and a client."""
    cluster = distributed.LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
    )
    client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()


def test_batch_runs_on_a_dask_cluster_through_the_same_path(cluster_client: object) -> None:
    merge = Scenario("merge", "Centre A merged into B", (CloseCentre("A", into="B"),))
    done: list[int] = []
    result = run_batch(
        monday_week(),
        batch_of(merge, time_limit_s=2.0),
        backend=DaskBackend(client=cluster_client),
        progress=lambda what, n, total: done.append(n),
    )
    assert result.backend == "dask"
    assert result.workers == 2
    assert done == [0, 1, 2]
    for outcome in result.outcomes:
        assert outcome.violations == ()
        assert outcome.figures["trips"] == 10  # 5 passengers, Monday, both ways
        assert outcome.figures["unassigned_trips"] == 0
    monday_morning = result.outcome("merge").result.plans[0]
    assert {s.centre_id for r in monday_morning.routes for s in r.stops} == {None, "B"}


def test_dagrute_dask_address_selects_the_cluster(
    cluster_client: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The CLI's path: DAGRUTE_DASK_ADDRESS -> config -> make_backend -> DaskBackend."""
    address = cluster_client.scheduler.address  # type: ignore[attr-defined]
    monkeypatch.setenv("DAGRUTE_DASK_ADDRESS", address)
    get_config.cache_clear()
    try:
        backend = make_backend(4, get_config().dask_address)
        price = Scenario("price", "Per-trip price", (ChangeTariff(set={"per_trip": 10.0}),))
        with backend:
            result = run_batch(monday_week(), batch_of(price, time_limit_s=2.0), backend=backend)
    finally:
        get_config.cache_clear()
    assert result.backend == "dask"
    assert result.num_solves == 1  # the per-trip price does not change routes
    assert result.outcome("price").figures["contract_extras_week"] == pytest.approx(100.0)
