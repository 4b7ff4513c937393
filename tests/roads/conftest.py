"""Road-graph fixtures, built once per test session into a temporary cache folder.

``drive_network``: the bundled eastern-Oslo extract under default road settings (the first
build is timed). ``drive_nx``: the osmnx graph of the same file, the oracle for matrices.
``tiny_osm``: a hand-written clipped extract (see the comment at its top).
``turn_settings``: makes road settings with turn costs (``turn_penalty_s``,
``u_turn_penalty_s``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from solver.domain import RoadSettings
from solver.roads import DEFAULT_OSM_FILE, DRIVE_PROFILE, RoadNetwork
from solver.roads.osm import build_graph

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def turn_settings() -> Callable[..., RoadSettings]:
    return RoadSettings


@pytest.fixture(scope="session")
def roads_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("roads-cache")


@pytest.fixture(scope="session")
def drive_load(roads_cache_dir: Path) -> tuple[RoadNetwork, float]:
    """The drive network built from the file (not the cache) and the seconds it took."""
    started = time.perf_counter()
    network = RoadNetwork.load(DEFAULT_OSM_FILE, RoadSettings(), roads_cache_dir)
    return network, time.perf_counter() - started


@pytest.fixture(scope="session")
def drive_network(drive_load: tuple[RoadNetwork, float]) -> RoadNetwork:
    return drive_load[0]


@pytest.fixture(scope="session")
def drive_nx() -> Any:
    return build_graph(DEFAULT_OSM_FILE, DRIVE_PROFILE)


@pytest.fixture(scope="session")
def tiny_osm() -> Path:
    return FIXTURES / "tiny_clipped.osm"


@pytest.fixture(scope="session")
def tiny_network(tiny_osm: Path, tmp_path_factory: pytest.TempPathFactory) -> RoadNetwork:
    return RoadNetwork.load(tiny_osm, RoadSettings(), tmp_path_factory.mktemp("tiny-cache"))
