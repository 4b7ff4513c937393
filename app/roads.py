"""The API process's road network, loaded once (from the cache).

Used by /v1/matrix, /v1/check and the off-road check at submission. Solving never happens
here; workers hold their own copy.
"""

from __future__ import annotations

import threading
from pathlib import Path

import structlog

from solver.domain import RoadSettings
from solver.roads import RoadNetwork

log = structlog.get_logger("app.roads")


class RoadsHolder:
    """Loads the network on first use (or at start-up) and keeps it."""

    def __init__(self, osm_file: Path, cache_dir: Path) -> None:
        self.osm_file = osm_file
        self.cache_dir = cache_dir
        self._lock = threading.Lock()
        self._network: RoadNetwork | None = None

    @property
    def is_loaded(self) -> bool:
        """Whether the network is in memory."""
        return self._network is not None

    def get(self, settings: RoadSettings | None = None) -> RoadNetwork:
        """The network (RoadsError if it cannot be loaded), with travel times under ``settings``."""
        network = self._network
        if network is None:
            with self._lock:
                if self._network is None:
                    self._network = RoadNetwork.load(self.osm_file, RoadSettings(), self.cache_dir)
                    log.info("roads loaded", nodes=self._network.num_nodes)
                network = self._network
        if settings is None or settings == network.settings:
            return network
        return network.with_settings(settings)

    def preload(self) -> None:
        """Load now, logging (not raising) a failure: requests will report it."""
        try:
            self.get()
        except Exception as error:  # RoadsError, or a damaged cache
            log.warning("roads not loaded at start-up", error_type=type(error).__name__)
