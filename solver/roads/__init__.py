"""Roads: OSM file -> cached road graph -> snapping -> travel-time/distance matrices.

Only the matrices (and route geometry for drawing) leave this package::

    network = RoadNetwork.load(DEFAULT_OSM_FILE, settings.roads)
    snap = network.snap(points)
    far = far_points(snap, settings.roads.snap_limit_m)  # caller names who lies there
    matrices = network.matrices(points)  # engine "ch" (numba) or "scipy": same integers
    matrices.duration_s(a, b), matrices.distance_m(a, b), matrices.path_geometry(a, b)

Profiles: ``DRIVE_PROFILE`` (default), ``DRIVE_MAIN_PROFILE``, ``ALL_PROFILE`` (every highway,
a stand-in for a municipality-sized graph). Turn costs (``turn_penalty_s``,
``u_turn_penalty_s``) route on the edge-based graph (:mod:`solver.roads.turns`).

Units: times in seconds, distances in metres, speeds in km/h, coordinates WGS84 degrees;
geometry is ``(lon, lat)`` pairs. Road data: © OpenStreetMap contributors, ODbL 1.0.
"""

from solver.roads.errors import RoadsError
from solver.roads.files import check_osm_file, find_default_osm_file
from solver.roads.graph import RoadGraph
from solver.roads.matrices import RoadMatrices, build_matrices
from solver.roads.network import Bounds, RoadNetwork
from solver.roads.profile import ALL_PROFILE, DRIVE_MAIN_PROFILE, DRIVE_PROFILE, RoadProfile
from solver.roads.routing import ENGINES, Engine, default_engine
from solver.roads.snapping import SnapResult, far_points

DEFAULT_OSM_FILE = find_default_osm_file()
"""The bundled extract of eastern Oslo (data/osm/oslo-east.osm.pbf)."""

OSM_ATTRIBUTION = "© OpenStreetMap contributors, ODbL 1.0"
"""The attribution any product showing or shipping the road data must carry."""

__all__ = [
    "ALL_PROFILE",
    "DEFAULT_OSM_FILE",
    "DRIVE_MAIN_PROFILE",
    "DRIVE_PROFILE",
    "ENGINES",
    "OSM_ATTRIBUTION",
    "Bounds",
    "Engine",
    "RoadGraph",
    "RoadMatrices",
    "RoadNetwork",
    "RoadProfile",
    "RoadsError",
    "SnapResult",
    "build_matrices",
    "check_osm_file",
    "default_engine",
    "far_points",
]
