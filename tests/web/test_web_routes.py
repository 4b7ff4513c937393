"""The page's routes over HTTP: the public page and files, the road layer, the timeline.

No browser here (see test_dispatcher_page.py): the app under TestClient, and a worker thread
for the one test that needs a solved job.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from servicekit import Service, ThreadWorker, service_settings, tiny_plan

from app.main import create_app
from app.settings import tile_source
from app.web.roads_layer import LABEL_SPACING_M, ROAD_CLASSES, road_class, simplify
from app.web.timeline import vehicle_timeline
from solver.io import parse_hhmm

LEAFLET = Path(__file__).resolve().parents[2] / "app" / "web" / "static" / "vendor" / "leaflet"


def csp(header: str) -> dict[str, str]:
    """A Content-Security-Policy header as directive -> sources."""
    directives = [part.strip().split(" ", 1) for part in header.split(";") if part.strip()]
    return {name: rest for name, rest in directives}


# ------------------------------------------------------------------------ page and files


def test_the_page_is_public_and_may_reach_only_this_service(service: Service) -> None:
    page = service.client.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    policy = csp(page.headers["content-security-policy"])
    assert policy["default-src"] == "'none'"
    for directive in ("script-src", "style-src", "connect-src"):
        assert policy[directive] == "'self'"
    assert policy["img-src"] == "'self' data:"
    assert policy["frame-ancestors"] == "'none'" and policy["base-uri"] == "'none'"
    assert page.headers["x-content-type-options"] == "nosniff"
    assert '<meta name="dagrute-tile-url" content="">' in page.text
    assert '<html lang="nb">' in page.text
    links = re.findall(r'(?:src|href)="([^"]*)"', page.text)
    assert links and all(link.startswith(("/static/", "#")) for link in links), links
    assert "dgr_" not in page.text.replace("dgr_…", "")  # no key in the page
    for link in links:
        if link.startswith("/static/"):
            assert service.client.get(link).status_code == 200, link


def test_only_the_shipped_files_are_served_with_their_types(service: Service) -> None:
    script = service.client.get("/static/vendor/leaflet/leaflet.js")
    assert script.status_code == 200
    assert script.headers["content-type"].startswith("text/javascript")
    assert 't.version="1.9.4"' in script.text
    assert script.headers["content-encoding"] == "gzip"  # TestClient accepts gzip
    again = service.client.get(
        "/static/vendor/leaflet/leaflet.js", headers={"If-None-Match": script.headers["etag"]}
    )
    assert again.status_code == 304 and not again.content
    css = service.client.get("/static/dispatcher.css")
    assert css.headers["content-type"].startswith("text/css")
    image = service.client.get("/static/vendor/leaflet/images/layers.png")
    assert image.headers["content-type"] == "image/png"
    licence = service.client.get("/static/vendor/leaflet/LICENSE")
    assert licence.status_code == 200 and "BSD 2-Clause" in licence.text
    for path in (
        "/static/nothing.js",
        "/static/../page.html",
        "/static/%2e%2e/router.py",
        "/static/..%2f..%2fsettings.py",
        "/static/vendor/leaflet/leaflet.js.map",
    ):
        missing = service.client.get(path)
        assert missing.status_code == 404, path
        assert missing.headers["content-type"].startswith("application/problem+json")


def test_the_vendored_leaflet_is_the_one_its_readme_names() -> None:
    readme = (LEAFLET / "README.txt").read_text()
    import hashlib

    for name in ("leaflet.js", "leaflet.css"):
        digest = hashlib.sha256((LEAFLET / name).read_bytes()).hexdigest()
        assert f"{digest}  {name}" in readme
    assert "leaflet@1.9.4" in readme


def test_a_tile_url_adds_only_its_host_to_the_images_the_page_may_load(sqlite_url: str) -> None:
    url = "https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png"
    app = create_app(service_settings(sqlite_url, tile_url=url))
    page = TestClient(app).get("/")
    policy = csp(page.headers["content-security-policy"])
    assert policy["img-src"] == "'self' data: https://*.tile.openstreetmap.org"
    assert policy["connect-src"] == "'self'" and policy["script-src"] == "'self'"
    assert f'<meta name="dagrute-tile-url" content="{url}">' in page.text
    app.state.database.dispose()
    assert tile_source("http://tiles.example:8080/{z}/{x}/{y}.png") == "http://tiles.example:8080"


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)//{z}/{x}/{y}",
        "ftp://tiles.example/{z}/{x}/{y}.png",
        "https://tiles.example/{z}/{x}.png",
        "https://tiles.example/{z}/{x}/{y}.png; script-src *",
        "https://tiles.example/{z}/{x}/{y}.png' unsafe-inline",
        "https://tiles.example/{z}/{x}/{y}.png,https://evil.example",
        'https://tiles.example/{z}/{x}/{y}.png"><script>',
        "https://a{s}.tiles.example/{z}/{x}/{y}.png",
        "https://user@tiles.example/{z}/{x}/{y}.png",
        "https:///{z}/{x}/{y}.png",
    ],
)
def test_a_tile_url_that_could_widen_the_policy_is_refused(url: str) -> None:
    with pytest.raises(ValidationError, match="DAGRUTE_TILE_URL"):
        service_settings("sqlite://", tile_url=url)


# ----------------------------------------------------------------------------- roads layer


def test_the_roads_layer_draws_the_extract_simplified_for_route_readers(service: Service) -> None:
    assert service.client.get("/v1/roads").status_code == 401
    assert service.get("/v1/roads", role="analyst").status_code == 403
    response = service.get("/v1/roads", role="dispatcher")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/geo+json"
    assert response.headers["content-encoding"] == "gzip"
    assert (
        service.get(
            "/v1/roads", role="dispatcher", headers={"If-None-Match": response.headers["etag"]}
        ).status_code
        == 304
    )
    layer = response.json()
    assert layer["type"] == "FeatureCollection"
    assert "OpenStreetMap" in layer["attribution"]
    lines = [f for f in layer["features"] if f["properties"]["class"] != "label"]
    assert [f["properties"]["class"] for f in lines] == [n for n, _ in ROAD_CLASSES]
    west, south, east, north = layer["bbox"]
    network = service.client.app.state.roads.get()  # type: ignore[attr-defined]
    graph = network.graph
    streets = [line for f in lines for line in f["geometry"]["coordinates"]]
    # Two-way streets once: between half and all of the directed edges.
    assert graph.num_edges / 2 <= len(streets) <= graph.num_edges
    assert sum(f["properties"]["num_streets"] for f in lines) == len(streets)
    # Street names: real OSM names of the graph, inside the extract, upright.
    labels = [f for f in layer["features"] if f["properties"]["class"] == "label"]
    assert labels and {f["properties"]["name"] for f in labels} <= set(graph.street_names.tolist())
    for label in labels:
        lon, lat = label["geometry"]["coordinates"]
        assert west <= lon <= east and south <= lat <= north
        assert -90 <= label["properties"]["angle_deg"] <= 90
    by_name: dict[str, list[tuple[float, float]]] = {}
    for label in labels:
        by_name.setdefault(label["properties"]["name"], []).append(label["geometry"]["coordinates"])
    for places in by_name.values():  # one street's labels stand LABEL_SPACING_M apart
        for i, (lon1, lat1) in enumerate(places):
            for lon2, lat2 in places[i + 1 :]:
                x_m = (lon2 - lon1) * 111_195 * math.cos(math.radians(lat1))
                assert math.hypot(x_m, (lat2 - lat1) * 111_195) >= LABEL_SPACING_M - 5
    points = [point for line in streets for point in line]
    assert len(points) < len(graph.geom_lon) / 2, "simplified"
    for lon, lat in points:
        assert west <= lon <= east and south <= lat <= north
        assert round(lon, 5) == lon and round(lat, 5) == lat
    assert all(len(line) >= 2 for line in streets)


def test_streets_are_classed_by_their_free_flow_speed() -> None:
    assert [road_class(kph) for kph in (80, 60, 50, 40, 30, 8)] == [
        "major",
        "major",
        "main",
        "main",
        "minor",
        "minor",
    ]


def _distance_to_polyline(px: float, py: float, xs: list[float], ys: list[float]) -> float:
    best = math.inf
    for i in range(len(xs) - 1):
        dx, dy = xs[i + 1] - xs[i], ys[i + 1] - ys[i]
        length_sq = dx * dx + dy * dy
        t = (
            0.0
            if length_sq == 0
            else max(0.0, min(1.0, ((px - xs[i]) * dx + (py - ys[i]) * dy) / length_sq))
        )
        best = min(best, math.hypot(px - xs[i] - t * dx, py - ys[i] - t * dy))
    return best


@settings(max_examples=60, deadline=None, database=None)
@given(
    st.lists(st.tuples(st.floats(-500, 500), st.floats(-500, 500)), min_size=2, max_size=40),
    st.floats(0.5, 50),
)
def test_simplifying_keeps_the_ends_and_stays_within_the_tolerance(
    points: list[tuple[float, float]], tolerance_m: float
) -> None:
    import numpy as np

    xs = np.array([p[0] for p in points])
    ys = np.array([p[1] for p in points])
    kept = simplify(xs, ys, tolerance_m)
    assert kept[0] == 0 and kept[-1] == len(points) - 1 and kept == sorted(set(kept))
    kx, ky = [float(xs[i]) for i in kept], [float(ys[i]) for i in kept]
    for x, y in points:
        assert _distance_to_polyline(x, y, kx, ky) <= tolerance_m + 1e-6


def test_simplifying_drops_a_straight_street_s_inner_points_and_keeps_a_corner() -> None:
    import numpy as np

    straight = simplify(np.array([0.0, 10, 20, 30]), np.array([0.0, 0.5, -0.5, 0]), 4.0)
    assert straight == [0, 3]
    corner = simplify(np.array([0.0, 50, 50]), np.array([0.0, 0, 50]), 4.0)
    assert corner == [0, 1, 2]


# -------------------------------------------------------------------------------- timeline


def test_the_timeline_drives_for_the_road_travel_time_and_waits_for_the_rest(
    service: Service, sqlite_url: str, start_thread_worker: Callable[..., ThreadWorker]
) -> None:
    submitted = service.post("/v1/plans", json=tiny_plan(num_passengers=6), params={"day": "mon"})
    assert submitted.status_code == 202, submitted.text
    job_id = submitted.json()["id"]
    path = f"/v1/jobs/{job_id}/days/mon/to_centre/timeline"
    early = service.get(path, role="dispatcher")
    assert early.status_code == 409 and early.json()["errors"][0]["code"] == "JOB_DAY_NOT_SOLVED"
    start_thread_worker(service_settings(sqlite_url))
    job = service.wait_for(job_id)
    assert job["status"] == "succeeded" and job["num_violations"] == 0, job
    assert service.get(f"/v1/jobs/{job_id}/days/tue/to_centre/timeline").status_code == 404
    assert service.get("/v1/jobs/nope/days/mon/to_centre/timeline").status_code == 404
    for direction in ("to_centre", "from_centre"):
        day = service.get(f"/v1/jobs/{job_id}/days/mon/{direction}", role="dispatcher").json()
        response = service.get(
            f"/v1/jobs/{job_id}/days/mon/{direction}/timeline", role="dispatcher"
        )
        assert response.status_code == 200, response.text
        timeline = response.json()
        assert (timeline["job_id"], timeline["day"], timeline["direction"]) == (
            job_id,
            "mon",
            direction,
        )
        assert [v["vehicle_id"] for v in timeline["vehicles"]] == [
            r["vehicle_id"] for r in day["routes"]
        ]
        for route, vehicle in zip(day["routes"], timeline["vehicles"], strict=True):
            stops = route["stops"]
            points = [s["location"] for s in stops]
            matrix = service.post("/v1/matrix", json={"points": points}).json()["durations_s"]
            segments = vehicle["segments"]
            # Back to back, from leaving the first stop to the end of the last.
            assert segments[0]["start_s"] == parse_hhmm(stops[0]["departure"])
            for before, after in itertools.pairwise(segments):
                assert before["end_s"] == after["start_s"] and before["end_s"] > before["start_s"]
            assert vehicle["drive_s"] + vehicle["wait_s"] + vehicle["stop_s"] == (
                segments[-1]["end_s"] - segments[0]["start_s"]
            )
            for index in range(1, len(stops)):
                gap_s = parse_hhmm(stops[index]["arrival"]) - parse_hhmm(
                    stops[index - 1]["departure"]
                )
                drive_s = min(gap_s, matrix[index - 1][index])
                mine = {
                    s["kind"]: s["end_s"] - s["start_s"]
                    for s in segments
                    if s["stop"] == index and s["kind"] != "stop"
                }
                assert mine.get("drive", 0) == drive_s
                assert mine.get("wait", 0) == gap_s - drive_s
            for index, stop in enumerate(stops):
                served = [s for s in segments if s["stop"] == index and s["kind"] == "stop"]
                service_s = parse_hhmm(stop["departure"]) - parse_hhmm(stop["arrival"])
                assert sum(s["end_s"] - s["start_s"] for s in served) == service_s


def stop(lat: float, lon: float, arrival: str, departure: str) -> dict[str, object]:
    return {"location": {"lat": lat, "lon": lon}, "arrival": arrival, "departure": departure}


def test_a_vehicle_early_at_a_stop_waits_there_until_service_starts() -> None:
    """Depot, a home 10 minutes away reached 25 minutes after leaving, then the centre."""
    route = {
        "vehicle_id": "V1",
        "stops": [
            stop(59.90, 10.70, "07:00:00", "07:00:00"),
            stop(59.91, 10.71, "07:25:00", "07:27:00"),
            stop(59.92, 10.72, "07:40:00", "07:41:00"),
        ],
    }
    minutes = {((59.90, 10.70), (59.91, 10.71)): 10, ((59.91, 10.71), (59.92, 10.72)): 20}
    timeline = vehicle_timeline(route, lambda a, b: minutes[(a, b)] * 60)
    shape = [(s.kind, s.stop, s.end_s - s.start_s) for s in timeline.segments]
    assert shape == [
        ("drive", 1, 600),
        ("wait", 1, 900),
        ("stop", 1, 120),
        ("drive", 2, 780),  # 20 min of road, but the stop says 13: the stop's times win
        ("stop", 2, 60),
    ]
    assert (timeline.drive_s, timeline.wait_s, timeline.stop_s) == (1380, 900, 180)
    assert json.loads(timeline.model_dump_json())["num_stops"] == 3
