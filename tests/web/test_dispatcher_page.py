"""The dispatcher page in a real headless Chromium against a real `dagrute serve`.

One service (API and a worker process) per module solves a small Monday: twelve passengers
of one centre (one in a wheelchair with an escort, others with escorts) on two vehicles, so
both are needed, and one passenger whose ride limit is shorter than the direct trip, so the
unassigned table has a row. Each test opens the page in a fresh browser, pastes a key and
checks what is drawn against what the API says, then that the page asked no other host for
anything and logged no error. Screenshots land in out/web-screenshots/.
"""

from __future__ import annotations

import base64
import copy
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from pagekit import CONTRAST_SCRIPT, Browser, browser_paths, open_browser
from servicekit import ServeProcess, WorkerProcess, migrate, service_env, tiny_plan, wait_for_job

from app.api.keys import create_key
from app.db.session import Database

RIDE_LIMITED = "P-RIDE-LIMIT"
ROLES = ("planner", "dispatcher", "analyst")
MAX_TABS = 60


@dataclass
class Served:
    """The running service, its keys and the solved job as the API shows it."""

    serve: ServeProcess
    keys: dict[str, str]
    job_id: str
    plan_id: str
    days: dict[str, dict[str, Any]] = field(default_factory=dict)
    timelines: dict[str, dict[str, Any]] = field(default_factory=dict)
    manifests: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def base(self) -> str:
        return self.serve.base

    def routes(self, direction: str) -> list[dict[str, Any]]:
        routes: list[dict[str, Any]] = self.days[direction]["routes"]
        return routes

    def home_stops(self, direction: str) -> set[tuple[str, int]]:
        return {
            (route["vehicle_id"], index)
            for route in self.routes(direction)
            for index, stop in enumerate(route["stops"])
            if stop["kind"] == "home"
        }

    def manifest_stops(self, direction: str) -> dict[tuple[str, int], list[dict[str, Any]]]:
        """(vehicle, stop) -> the people boarding or alighting there."""
        people = {}
        for vehicle_id, manifest in self.manifests.items():
            for route in manifest["routes"]:
                if route["direction"] != direction:
                    continue
                for stop in route["stops"]:
                    key = (vehicle_id, stop["sequence"])
                    people[key] = stop["boarding"] + stop["alighting"]
        return people


def ride_limited_plan() -> dict[str, Any]:
    plan = tiny_plan(num_passengers=12, time_limit_s=4.0, name="web page week")
    limited = copy.deepcopy(plan["passengers"][1])
    limited["id"] = RIDE_LIMITED
    limited["max_ride_s"] = 60
    plan["passengers"].append(limited)
    return plan


@pytest.fixture(scope="module")
def browser_binaries() -> tuple[str, str]:
    """Checked before the service starts: skip (or fail in CI) without a browser."""
    return browser_paths()


@pytest.fixture(scope="module")
def served(
    browser_binaries: tuple[str, str],
    roads_cache: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("web-service")
    url = f"sqlite:///{folder / 'dagrute.db'}"
    migrate(url)
    database = Database(url)
    keys = {role: create_key(database, role, role).token for role in ROLES}
    database.dispose()
    serve = ServeProcess(url, folder / "serve.log", workers=1)
    try:
        planner = {"Authorization": f"Bearer {keys['planner']}"}
        response = serve.client.post(
            "/v1/plans", json=ride_limited_plan(), params={"day": "mon"}, headers=planner
        )
        assert response.status_code == 202, response.text
        job_id, plan_id = response.json()["id"], response.json()["plan_id"]
        dispatcher = {"Authorization": f"Bearer {keys['dispatcher']}"}

        def get(path: str) -> Any:
            return serve.client.get(path, headers=dispatcher)

        job = wait_for_job(get, job_id, timeout_s=180)
        assert job["status"] == "succeeded", (job, serve.output()[-3000:])
        assert job["num_violations"] == 0
        served = Served(serve, keys, job_id, plan_id)
        for direction in ("to_centre", "from_centre"):
            served.days[direction] = get(f"/v1/jobs/{job_id}/days/mon/{direction}").json()
            timeline = get(f"/v1/jobs/{job_id}/days/mon/{direction}/timeline")
            assert timeline.status_code == 200, timeline.text
            served.timelines[direction] = timeline.json()
        vehicles = {r["vehicle_id"] for d in served.days.values() for r in d["routes"]}
        for vehicle_id in vehicles:
            served.manifests[vehicle_id] = get(
                f"/v1/jobs/{job_id}/manifests/mon/{vehicle_id}"
            ).json()
        # The premises of the tests below: two vehicles drive, one passenger is unassigned.
        assert len(served.routes("to_centre")) >= 2
        assert [u["passenger_id"] for u in served.days["to_centre"]["unassigned"]] == [RIDE_LIMITED]
        yield served
    finally:
        serve.stop()


@pytest.fixture
def browser(browser_binaries: tuple[str, str]) -> Iterator[Browser]:
    with open_browser() as opened:
        yield opened


# ------------------------------------------------------------------------------ helpers


def open_page(browser: Browser, served: Served, fragment: str = "") -> None:
    browser.driver.get(f"{served.base}/{fragment}")
    browser.wait_for("return document.body.dataset.ready === 'true'")


def paste_key(browser: Browser, key: str) -> None:
    from selenium.webdriver.common.by import By

    browser.driver.find_element(By.ID, "api-key").send_keys(key)
    browser.driver.find_element(By.CSS_SELECTOR, "#key-form button[type=submit]").click()


def show(browser: Browser, served: Served, direction: str = "to_centre", ident: str = "") -> None:
    """Enter the job (or ``ident``, e.g. the plan id), Monday and ``direction``; show it."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    job_field = browser.driver.find_element(By.ID, "job-id")
    job_field.clear()
    job_field.send_keys(ident or served.job_id)
    Select(browser.driver.find_element(By.ID, "day")).select_by_value("mon")
    Select(browser.driver.find_element(By.ID, "direction")).select_by_value(direction)
    browser.driver.find_element(By.ID, "show").click()
    wait_loaded(browser, served, direction)


def wait_loaded(browser: Browser, served: Served, direction: str) -> None:
    browser.wait_for(
        "return document.body.dataset.loaded === arguments[0]",
        f"{served.job_id} mon {direction}",
    )


def assert_clean(browser: Browser, served: Served) -> None:
    """Nothing was asked of another host; no script error, CSP violation or failed load."""
    assert browser.foreign_requests(served.base) == []
    assert any(url.endswith("/static/vendor/leaflet/leaflet.js") for url in browser.requests)
    assert browser.console_errors() == []


def marker_stops(browser: Browser, kind: str = "") -> set[tuple[str, int]]:
    pairs = browser.js(
        "return [...document.querySelectorAll('.leaflet-marker-pane .dgr-stop' + arguments[0])]"
        ".map(n => [n.dataset.vehicle, +n.dataset.stop, n.querySelector('.dgr-num').textContent])",
        kind,
    )
    assert all(str(stop) == number for _, stop, number in pairs), "stops are numbered"
    return {(vehicle, stop) for vehicle, stop, _ in pairs}


# -------------------------------------------------------------------------------- tests


def test_the_dispatcher_sees_every_route_its_stops_the_timeline_and_the_key_figures(
    browser: Browser, served: Served
) -> None:
    open_page(browser, served)
    browser.collect()
    assert not [url for url in browser.requests if "/v1/" in url], "no data before a key"
    assert browser.js("return document.getElementById('key-form').hidden") is False
    paste_key(browser, served.keys["dispatcher"])
    show(browser, served)
    routes = served.routes("to_centre")
    kpis = served.days["to_centre"]["kpis"]

    # One line per vehicle used, in its own colour.
    lines = browser.js(
        "return [...document.querySelectorAll('path.dgr-route')]"
        ".map(p => [p.dataset.vehicle, p.getAttribute('stroke')])"
    )
    assert len(lines) == len(routes) == kpis["vehicles"]
    assert {vehicle for vehicle, _ in lines} == {r["vehicle_id"] for r in routes}
    assert len({colour for _, colour in lines}) == len(lines)
    # Every home stop numbered; mornings are pick-ups; wheelchairs and escorts marked.
    assert marker_stops(browser) == served.home_stops("to_centre")
    assert marker_stops(browser, ".dgr-pickup") == served.home_stops("to_centre")
    people = served.manifest_stops("to_centre")
    wheelchair_stops = {
        key
        for key in served.home_stops("to_centre")
        if any(p["mobility"] == "wheelchair" for p in people[key])
    }
    escort_stops = {
        key: sum(p["escorts"] for p in people[key])
        for key in served.home_stops("to_centre")
        if any(p["escorts"] for p in people[key])
    }
    assert wheelchair_stops and escort_stops
    assert (
        set(
            map(
                tuple,
                browser.js(
                    "return [...document.querySelectorAll('.dgr-stop .dgr-wc')]"
                    ".map(b => [b.parentElement.dataset.vehicle, +b.parentElement.dataset.stop])"
                ),
            )
        )
        == wheelchair_stops
    )
    shown_escorts = browser.js(
        "return [...document.querySelectorAll('.dgr-stop .dgr-esc')]"
        ".map(b => [b.parentElement.dataset.vehicle, +b.parentElement.dataset.stop, b.textContent])"
    )
    assert {(v, s): text for v, s, text in shown_escorts} == {
        key: f"+{count}" for key, count in escort_stops.items()
    }
    assert browser.js("return document.querySelectorAll('.leaflet-marker-pane .dgr-centre').length")
    numbers = browser.js(CONTRAST_SCRIPT, [".dgr-pickup .dgr-num"])
    assert numbers and all(ratio >= 4.5 for _, ratio in numbers), numbers
    # The offline base layer: the service's own roads, with the OpenStreetMap attribution.
    browser.collect()
    assert any(url.endswith("/v1/roads") for url in browser.requests)
    # The canvas comes once the roads' response is drawn, a moment after the request.
    assert browser.wait_for(
        "return document.querySelectorAll('.leaflet-overlay-pane canvas').length"
    )
    attribution = browser.js(
        "return document.querySelector('.leaflet-control-attribution').textContent"
    )
    assert "OpenStreetMap" in attribution and "ODbL" in attribution

    # The timeline: one row per vehicle, a bar per segment the API lists.
    timeline = {v["vehicle_id"]: v for v in served.timelines["to_centre"]["vehicles"]}
    rows = browser.js(
        "return [...document.querySelectorAll('.tl-row')].map(r => [r.dataset.vehicle, "
        "[...r.querySelectorAll('.tl-seg')].map(s => s.dataset.kind + ':' + s.dataset.stop)])"
    )
    assert {vehicle for vehicle, _ in rows} == set(timeline)
    for vehicle, bars in rows:
        expected = [f"{s['kind']}:{s['stop']}" for s in timeline[vehicle]["segments"]]
        assert bars == expected
        assert any(bar.startswith("drive:") for bar in bars)

    # Key figures and the unassigned passenger with reason and hint.
    figures = dict(
        browser.js(
            "return [...document.querySelectorAll('#kpis [data-kpi]')]"
            ".map(d => [d.dataset.kpi, d.querySelector('dd').textContent])"
        )
    )
    assert figures["vehicles"] == str(kpis["vehicles"])
    assert figures["passengers"] == str(kpis["passengers"])
    assert figures["unassigned"] == "1"
    unassigned = browser.js(
        "return [...document.querySelectorAll('#unassigned tbody tr')]"
        ".map(r => [r.dataset.reason, ...[...r.cells].map(c => c.textContent)])"
    )
    hint = served.days["to_centre"]["unassigned"][0]["hint"]
    assert len(unassigned) == 1
    reason, passenger, reason_text, hint_text = unassigned[0]
    assert reason == "UNASSIGNED_RIDE_TIME_TOO_SHORT" and passenger == RIDE_LIMITED
    assert reason in reason_text and hint_text == hint

    # The key lives in this tab's sessionStorage only.
    assert (
        browser.js("return sessionStorage.getItem('dagrute.apiKey')") == served.keys["dispatcher"]
    )
    assert served.keys["dispatcher"] not in str(browser.js("return JSON.stringify(localStorage)"))
    browser.screenshot("dispatcher-map")
    browser.js("document.getElementById('timeline-section').scrollIntoView()")
    browser.screenshot("dispatcher-timeline")
    assert_clean(browser, served)


def test_a_manifest_opens_from_the_keyboard_and_prints_one_page_per_vehicle(
    browser: Browser, served: Served
) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    open_page(browser, served, f"#job={served.job_id}&day=mon&direction=to_centre")
    paste_key(browser, served.keys["dispatcher"])
    wait_loaded(browser, served, "to_centre")  # the key and the link's job are enough

    # Tab from the "show" button to the first vehicle: reachable, with a visible focus ring.
    browser.js("document.getElementById('show').focus()")
    for _ in range(MAX_TABS):
        ActionChains(browser.driver).send_keys(Keys.TAB).perform()
        if browser.js("return document.activeElement.classList.contains('vehicle-btn')"):
            break
    else:
        pytest.fail("no vehicle button within reach of the Tab key")
    outline = browser.js(
        "const s = getComputedStyle(document.activeElement); return [s.outlineStyle, "
        "parseFloat(s.outlineWidth)]"
    )
    assert outline[0] == "solid" and outline[1] >= 2
    vehicle_id = browser.js("return document.activeElement.dataset.vehicle")
    ActionChains(browser.driver).send_keys(Keys.ENTER).perform()
    browser.wait_for("return !document.getElementById('manifest').hidden")
    assert browser.js("return document.activeElement.id") == "manifest-heading"
    assert vehicle_id in browser.js("return document.activeElement.textContent")
    expected = next(
        r for r in served.manifests[vehicle_id]["routes"] if r["direction"] == "to_centre"
    )
    rows = browser.js(
        "return [...document.querySelectorAll('#manifest-body tbody tr')]"
        ".map(r => [...r.cells].map(c => c.textContent))"
    )
    assert [int(row[0]) for row in rows] == [s["sequence"] for s in expected["stops"]]
    for row, stop in zip(rows, expected["stops"], strict=True):
        assert row[1] == stop["arrival"][:5] and row[2] == stop["departure"][:5]
        for person in stop["boarding"]:
            assert person["passenger_id"] in row[4]
            if person["mobility"] == "wheelchair":
                assert "rullestol" in row[4]
    # Only this vehicle's route stands out on the map.
    dimmed = browser.js(
        "return [...document.querySelectorAll('path.dgr-route.dgr-dim')]"
        ".map(p => p.dataset.vehicle)"
    )
    assert vehicle_id not in dimmed and len(dimmed) == len(served.routes("to_centre")) - 1
    browser.screenshot("dispatcher-manifest")
    # "Print this manifest" prints this vehicle's page only, then the page is whole again.
    # Headless Chromium (156) fires "beforeprint", returns from window.print() at once and
    # then keeps that print open for ever (there is no dialog to confirm), which blocks the
    # real print below ("Page is already being printed"). So the print dialog a person
    # confirms is played here: "beforeprint", then "afterprint", when the page prints.
    browser.js(
        "window.dgrPrinted = []; window.dgrAfterPrint = [];"
        "window.addEventListener('beforeprint', () => window.dgrPrinted"
        ".push([...document.querySelectorAll('.print-page')].map(p => p.dataset.vehicle)));"
        "window.addEventListener('afterprint', () => setTimeout(() => window.dgrAfterPrint"
        ".push(document.querySelectorAll('.print-page').length)));"
        "window.print = () => { window.dispatchEvent(new Event('beforeprint'));"
        " setTimeout(() => window.dispatchEvent(new Event('afterprint')), 50); };"
    )
    browser.driver.find_element(By.ID, "manifest-print").click()
    browser.wait_for("return window.dgrAfterPrint.length >= 1")
    assert browser.js("return window.dgrPrinted") == [[vehicle_id]]
    # The page restores every vehicle's page when the print is done, not before.
    assert browser.js("return window.dgrAfterPrint") == [len(served.routes("to_centre"))]
    assert browser.js("return document.querySelectorAll('.print-page').length") == len(
        served.routes("to_centre")
    )
    browser.js("document.getElementById('manifest-heading').focus()")
    ActionChains(browser.driver).send_keys(Keys.ESCAPE).perform()
    browser.wait_for("return document.getElementById('manifest').hidden")
    assert browser.js("return document.activeElement.dataset.vehicle") == vehicle_id

    # The print view: one page per vehicle (Chrome's own PDF), nothing else of the page.
    pdf = base64.b64decode(browser.driver.print_page())
    pages = re.findall(rb"/Type\s*/Page(?![s\w])", pdf)
    assert len(pages) == len(served.routes("to_centre"))
    browser.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    printed = browser.js(
        "return [...document.querySelectorAll('.print-page')].map(p => "
        "[p.dataset.vehicle, getComputedStyle(p).breakAfter])"
    )
    assert [vehicle for vehicle, _ in printed] == [
        r["vehicle_id"] for r in served.routes("to_centre")
    ]
    assert [b for _, b in printed[:-1]] == ["page"] * (len(printed) - 1)
    assert browser.js("return getComputedStyle(document.querySelector('main')).display") == "none"
    browser.screenshot("dispatcher-print")
    browser.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    assert_clean(browser, served)


def test_afternoons_show_drop_offs_and_the_page_speaks_english_with_readable_contrast(
    browser: Browser, served: Served
) -> None:
    from selenium.webdriver.common.by import By

    open_page(browser, served)
    assert browser.js("return document.documentElement.lang") == "nb"
    paste_key(browser, served.keys["dispatcher"])
    show(browser, served, "from_centre")
    assert marker_stops(browser) == served.home_stops("from_centre")
    assert marker_stops(browser, ".dgr-dropoff") == served.home_stops("from_centre")
    assert len(browser.js("return document.querySelectorAll('path.dgr-route')")) == len(
        served.routes("from_centre")
    )
    assert browser.js("return document.getElementById('timeline-heading').textContent") == (
        "Tidslinje"
    )

    browser.driver.find_element(By.CSS_SELECTOR, "[data-lang=en]").click()
    assert browser.js("return document.documentElement.lang") == "en"
    assert browser.js("return document.getElementById('timeline-heading').textContent") == (
        "Timeline"
    )
    assert browser.js("return document.getElementById('status').textContent").startswith(
        "Showing Monday"
    )
    assert browser.js("return document.querySelector('[data-kpi=vehicles] dt').textContent") == (
        "Vehicles used"
    )
    # Both languages label the same things.
    assert browser.js(
        "const t = window.DAGRUTE_I18N; return JSON.stringify(Object.keys(t.nb).sort()) === "
        "JSON.stringify(Object.keys(t.en).sort())"
    )
    browser.screenshot("dispatcher-english")

    # Text meets WCAG AA (4.5:1) against its background, vehicle colours included.
    ratios = browser.js(
        CONTRAST_SCRIPT,
        [
            "h1",
            "h2",
            "label",
            ".help",
            "#status",
            ".kpis dt",
            ".kpis dd",
            ".vehicle-btn .name",
            ".vehicle-btn .meta",
            "button",
            "#unassigned td",
            ".dgr-dropoff .dgr-num",
            ".leaflet-control-attribution a",
        ],
    )
    assert ratios and all(ratio >= 4.5 for _, ratio in ratios), [r for r in ratios if r[1] < 4.5]
    browser.driver.find_element(By.CSS_SELECTOR, "[data-lang=nb]").click()
    assert browser.js("return document.documentElement.lang") == "nb"
    assert_clean(browser, served)


def test_a_key_without_the_dispatcher_permission_is_refused_and_can_be_forgotten(
    browser: Browser, served: Served
) -> None:
    from selenium.webdriver.common.by import By

    open_page(browser, served, f"#job={served.job_id}&day=mon&direction=to_centre")
    paste_key(browser, served.keys["analyst"])  # may read jobs, not routes
    browser.wait_for("return !document.getElementById('error').hidden")
    assert "lacks the permission routes:read" in browser.js(
        "return document.getElementById('error').textContent"
    )
    assert browser.js("return document.querySelectorAll('path.dgr-route').length") == 0
    browser.driver.find_element(By.ID, "key-forget").click()
    assert browser.js("return sessionStorage.getItem('dagrute.apiKey')") is None
    assert browser.js("return document.getElementById('key-form').hidden") is False
    assert browser.foreign_requests(served.base) == []
    # The refused requests are the only errors the browser logged.
    refused = browser.console_errors(
        allowed=lambda entry: entry["source"] == "network" and "403" in entry["message"]
    )
    assert refused == []
    assert browser.console_errors(), "the 403 answers were logged"


def test_a_dispatcher_picks_the_job_from_the_organisation_s_list(
    browser: Browser, served: Served
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    open_page(browser, served)
    paste_key(browser, served.keys["dispatcher"])
    browser.wait_for("return document.querySelectorAll('#job-pick option').length > 1")
    pick = Select(browser.driver.find_element(By.ID, "job-pick"))
    labels = {o.get_attribute("value"): o.text for o in pick.options}
    assert served.job_id in labels  # no id to paste
    assert "mandag" in labels[served.job_id] and "ferdig" in labels[served.job_id]
    pick.select_by_value(served.job_id)
    wait_loaded(browser, served, "to_centre")
    assert browser.js("return document.getElementById('job-id').value") == served.job_id
    assert len(browser.js("return document.querySelectorAll('path.dgr-route')")) == len(
        served.routes("to_centre")
    )
    assert_clean(browser, served)  # collects the requests too
    assert any("/v1/jobs?kind=solve" in url for url in browser.requests)


def test_a_plan_id_opens_the_plan_s_newest_job(browser: Browser, served: Served) -> None:
    open_page(browser, served)
    paste_key(browser, served.keys["dispatcher"])
    show(browser, served, "to_centre", ident=served.plan_id)
    assert browser.js("return document.getElementById('job-id').value") == served.job_id
    assert browser.js("return location.hash") == (
        f"#job={served.job_id}&day=mon&direction=to_centre"
    )
    assert len(browser.js("return document.querySelectorAll('path.dgr-route')")) == len(
        served.routes("to_centre")
    )
    assert browser.foreign_requests(served.base) == []
    # The page first asks for a job of that id: the one 404 is the only error logged.
    missed = [url for url in browser.requests if url.endswith(f"/v1/jobs/{served.plan_id}")]
    assert len(missed) == 1
    assert (
        browser.console_errors(
            allowed=lambda entry: entry["source"] == "network" and "404" in entry["message"]
        )
        == []
    )


def test_the_page_waits_for_a_queued_job_and_draws_it_once_solved(
    browser: Browser, tmp_path: Path, roads_cache: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'dagrute.db'}"
    migrate(url)
    database = Database(url)
    keys = {role: create_key(database, role, role).token for role in ("planner", "dispatcher")}
    database.dispose()
    serve = ServeProcess(url, tmp_path / "serve.log", workers=0)  # nothing solves yet
    worker: WorkerProcess | None = None
    try:
        submitted = serve.client.post(
            "/v1/plans",
            json=tiny_plan(num_passengers=4),
            params={"day": "mon"},
            headers={"Authorization": f"Bearer {keys['planner']}"},
        )
        assert submitted.status_code == 202, submitted.text
        job_id = submitted.json()["id"]
        browser.driver.get(f"{serve.base}/#job={job_id}&day=mon&direction=to_centre")
        browser.wait_for("return document.body.dataset.ready === 'true'")
        paste_key(browser, keys["dispatcher"])
        browser.wait_for("return document.getElementById('status').textContent.includes('i kø')")
        assert browser.js("return document.querySelectorAll('path.dgr-route').length") == 0
        worker = WorkerProcess(service_env(url), tmp_path / "worker.log")
        browser.wait_for(  # the page polls the job; nobody presses anything
            "return document.body.dataset.loaded === arguments[0]", f"{job_id} mon to_centre"
        )
        day = serve.client.get(
            f"/v1/jobs/{job_id}/days/mon/to_centre",
            headers={"Authorization": f"Bearer {keys['dispatcher']}"},
        ).json()
        assert browser.js("return document.querySelectorAll('path.dgr-route').length") == len(
            day["routes"]
        )
        assert browser.foreign_requests(serve.base) == []
        # Asking for the day-direction before it was solved answered 409; nothing else failed.
        assert (
            browser.console_errors(
                allowed=lambda entry: entry["source"] == "network" and "409" in entry["message"]
            )
            == []
        )
    finally:
        if worker is not None:
            worker.stop()
        serve.stop()


def test_a_dispatcher_records_an_absence_replans_reads_the_diff_and_prints_the_changed_manifests(
    browser: Browser, served: Served
) -> None:
    """The morning flow on a week of its own (the other tests' week stays as solved)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    planner = {"Authorization": f"Bearer {served.keys['planner']}"}
    dispatcher = {"Authorization": f"Bearer {served.keys['dispatcher']}"}
    plan = tiny_plan(num_passengers=8, time_limit_s=3.0, name="changes week")
    response = served.serve.client.post(
        "/v1/plans", json=plan, params={"day": "mon"}, headers=planner
    )
    assert response.status_code == 202, response.text
    job_id = response.json()["id"]

    def get(path: str) -> Any:
        return served.serve.client.get(path, headers=dispatcher)

    assert wait_for_job(get, job_id, timeout_s=180)["status"] == "succeeded"
    morning = get(f"/v1/jobs/{job_id}/days/mon/to_centre").json()
    absent = next(p for r in morning["routes"] for s in r["stops"] for p in s.get("pickups", []))

    open_page(browser, served, f"#job={job_id}&day=mon&direction=to_centre")
    paste_key(browser, served.keys["dispatcher"])
    browser.wait_for(
        "return document.body.dataset.loaded === arguments[0]", f"{job_id} mon to_centre"
    )
    browser.wait_for("return document.querySelectorAll('#versions tbody tr').length === 1")
    # Record the absence: kind, passenger (offered from the day's list), a note; add; re-plan.
    Select(browser.driver.find_element(By.ID, "change-kind")).select_by_value("absence")
    assert browser.js("return document.querySelector('[data-needs=vehicle]').hidden")
    offered = browser.js(
        "return [...document.querySelectorAll('#day-passengers option')].map(o => o.value)"
    )
    assert absent in offered
    browser.driver.find_element(By.ID, "change-passenger").send_keys(absent)
    browser.driver.find_element(By.ID, "change-note").send_keys("ill")
    browser.driver.find_element(By.CSS_SELECTOR, "#change-form button[type=submit]").click()
    assert absent in browser.js("return document.getElementById('change-list').textContent")
    browser.driver.find_element(By.ID, "replan").click()
    browser.wait_for("return document.body.dataset.replanned === '1'")
    version = get(f"/v1/jobs/{job_id}/days/mon/versions/1").json()
    assert version["status"] == "succeeded" and version["violations"] == []
    (diff,) = [d for d in version["diffs"] if d["direction"] == "to_centre"]
    # The diff on the page is the API's: every changed trip, why, before and after.
    rows = browser.js(
        "return [...document.querySelectorAll('#diff-table tbody tr')]"
        ".map(r => [r.dataset.passenger, r.dataset.why])"
    )
    assert rows == [[t["passenger_id"], t["why"]] for t in diff["trips"]]
    assert [absent, "absent"] in rows
    assert "fravær" in browser.js("return document.getElementById('diff-table').textContent")
    assert browser.js("return document.activeElement.id") == "diff-heading"
    # The map and the manifests show the new version; the change list is empty again.
    assert browser.js("return document.getElementById('change-list').children.length") == 0
    shown = browser.js(
        "return [...document.querySelectorAll('.leaflet-marker-pane .dgr-stop')].length"
    )
    assert shown > 0
    versions = browser.js(
        "return [...document.querySelectorAll('#versions tbody tr')]"
        ".map(r => [r.dataset.version, r.dataset.current])"
    )
    assert versions == [["0", "false"], ["1", "true"]]
    browser.screenshot("dispatcher-replan")
    # "Print only the changed manifests": the pages of the drivers with a new manifest.
    browser.js(
        "window.dgrPrinted = [];"
        "window.addEventListener('beforeprint', () => window.dgrPrinted"
        ".push([...document.querySelectorAll('.print-page')].map(p => p.dataset.vehicle)));"
        "window.print = () => { window.dispatchEvent(new Event('beforeprint'));"
        " setTimeout(() => window.dispatchEvent(new Event('afterprint')), 50); };"
    )
    browser.driver.find_element(By.ID, "print-changed").click()
    browser.wait_for("return window.dgrPrinted.length >= 1")
    changed = set(diff["new_manifests"])
    driving = {r["vehicle_id"] for r in version["plans"][0]["routes"] if r["stops"]}
    assert set(browser.js("return window.dgrPrinted[0]")) == changed & driving != set()
    # The absence is in force; taking it back re-plans the day with the passenger again.
    in_force = browser.js("return document.getElementById('in-force').textContent")
    assert absent in in_force and "ill" in in_force
    browser.driver.find_element(By.CSS_SELECTOR, ".in-force-withdraw[data-index='0']").click()
    browser.wait_for("return document.body.dataset.replanned === '2'")
    taken_back = get(f"/v1/jobs/{job_id}/days/mon/versions/2").json()
    assert taken_back["in_force"] == [] and len(taken_back["withdrawn"]) == 1
    assert absent in {p for r in taken_back["plans"][0]["routes"] for s in r["stops"]
                      for p in s.get("pickups", [])}  # fmt: skip
    assert [absent, "withdrawn"] in browser.js(
        "return [...document.querySelectorAll('#diff-table tbody tr')]"
        ".map(r => [r.dataset.passenger, r.dataset.why])"
    )
    assert browser.js("return document.querySelectorAll('.in-force-withdraw').length") == 0
    # Restore the day as solved, from the versions table.
    browser.driver.find_element(By.CSS_SELECTOR, ".version-restore[data-version='0']").click()
    browser.wait_for("return document.body.dataset.replanned === '3'")
    assert get(f"/v1/jobs/{job_id}/days/mon/to_centre").json() == morning
    assert browser.js("return document.querySelectorAll('#versions tbody tr').length") == 4
    assert_clean(browser, served)


def test_a_dispatcher_sees_names_addresses_phones_and_notes_a_planner_sees_ids(
    browser: Browser, served: Served
) -> None:
    from selenium.webdriver.common.by import By

    client = served.serve.client
    planner = {"Authorization": f"Bearer {served.keys['planner']}"}
    route = served.routes("to_centre")[0]
    vehicle_id = route["vehicle_id"]
    riders = [p for s in route["stops"] for p in s.get("pickups", [])]
    details = {
        "passengers": [
            {"passenger_id": pid, "name": f"Navn {i}", "address": f"Gate {i}, 0190 Oslo"}
            for i, pid in enumerate([*riders, RIDE_LIMITED])
        ]
    }
    details["passengers"][0] |= {"phone": "+47 912 34 567", "notes": "Hjelp med setebeltet"}
    path = f"/v1/plans/{served.plan_id}/details"
    assert client.put(path, json=details, headers=planner).status_code == 200
    try:
        open_page(browser, served, f"#job={served.job_id}&day=mon&direction=to_centre")
        paste_key(browser, served.keys["dispatcher"])
        wait_loaded(browser, served, "to_centre")
        browser.driver.find_element(
            By.CSS_SELECTOR, f".vehicle-btn[data-vehicle='{vehicle_id}']"
        ).click()
        browser.wait_for("return !document.getElementById('manifest').hidden")
        rows = browser.js(
            "return [...document.querySelectorAll('#manifest-body tbody tr')]"
            ".map(r => [...r.cells].map(c => c.textContent))"
        )
        for i, pid in enumerate(riders):
            row = next(r for r in rows if pid in r[4])
            assert f"Navn {i}" in row[4]
            # A stop shared by several shows the address of the first who lives there.
            assert any(
                f"Gate {j}, 0190 Oslo" in row[3] for j, q in enumerate(riders) if q in row[4]
            )
        first = next(r for r in rows if riders[0] in r[4])
        assert "+47 912 34 567" in first[4] and "Hjelp med setebeltet" in first[4]
        assert (
            browser.js("return document.querySelector('#unassigned tbody td').textContent")
            == f"Navn {len(riders)} ({RIDE_LIMITED})"
        )
        labels = browser.js(
            "return Object.fromEntries([...document.querySelectorAll('#day-passengers option')]"
            ".map(o => [o.value, o.label]))"
        )
        assert labels[riders[0]] == "Navn 0"
        browser.screenshot("dispatcher-details")
        assert_clean(browser, served)
        # A planner's key: the same page, ids only, and no refused request for the details.
        browser.driver.find_element(By.ID, "key-forget").click()
        paste_key(browser, served.keys["planner"])
        browser.driver.find_element(By.ID, "show").click()
        wait_loaded(browser, served, "to_centre")
        browser.driver.find_element(
            By.CSS_SELECTOR, f".vehicle-btn[data-vehicle='{vehicle_id}']"
        ).click()
        browser.wait_for("return !document.getElementById('manifest').hidden")
        text = browser.js("return document.body.textContent")
        assert "Navn 0" not in text and "Gate 0" not in text and "setebeltet" not in text
        assert_clean(browser, served)
    finally:
        assert client.delete(path, headers=planner).status_code == 204


def test_the_base_map_names_main_roads_from_zoom_14_and_every_street_from_16(
    browser: Browser, served: Served
) -> None:
    from selenium.webdriver.common.by import By

    dispatcher = {"Authorization": f"Bearer {served.keys['dispatcher']}"}
    roads = served.serve.client.get("/v1/roads", headers=dispatcher).json()
    labels = [f for f in roads["features"] if f["properties"]["class"] == "label"]
    assert labels and all(f["geometry"]["type"] == "Point" for f in labels)
    assert {f["properties"]["road"] for f in labels} == {"major", "main", "minor"}
    open_page(browser, served, f"#job={served.job_id}&day=mon&direction=to_centre")
    paste_key(browser, served.keys["dispatcher"])
    wait_loaded(browser, served, "to_centre")
    browser.wait_for("return document.querySelectorAll('.dgr-road-label').length > 0")
    drawn = browser.js(
        "return [...document.querySelectorAll('.dgr-road-label')].map(n => n.textContent)"
    )
    assert sorted(drawn) == sorted(f["properties"]["name"] for f in labels)
    # Below routes and stops (Leaflet's overlay pane is 400, markers 600), above the roads.
    assert (
        browser.js("return getComputedStyle(document.querySelector('.leaflet-labels-pane')).zIndex")
        == "350"
    )
    shown = (
        "return [...document.querySelectorAll('.dgr-road-label')]"
        ".filter(n => getComputedStyle(n).display !== 'none')"
        ".map(n => n.classList.contains('dgr-road-minor') ? 'minor' : 'main')"
    )
    seen = {}
    for _ in range(12):
        level = browser.js("return document.getElementById('map').dataset.labels")
        seen[level] = sorted(set(browser.js(shown)))
        if level == "all":
            break
        before = browser.js("return document.getElementById('map').dataset.zoom")
        browser.driver.find_element(By.CSS_SELECTOR, ".leaflet-control-zoom-in").click()
        browser.wait_for(
            "return document.getElementById('map').dataset.zoom !== arguments[0]", before
        )
    assert seen.get("none", []) == [] and seen["main"] == ["main"]
    assert seen["all"] == ["main", "minor"]
    browser.screenshot("dispatcher-street-names")
    assert_clean(browser, served)


DRAG_SCRIPT = """
const [source, target] = arguments;
const data = new DataTransfer();
const event = (kind) => new DragEvent(kind, {bubbles: true, cancelable: true, dataTransfer: data});
source.dispatchEvent(event('dragstart'));
target.dispatchEvent(event('dragover'));
target.dispatchEvent(event('drop'));
source.dispatchEvent(event('dragend'));
"""


def test_a_dispatcher_drags_a_passenger_onto_another_vehicle_and_sees_at_once_whether_it_holds(
    browser: Browser, served: Served
) -> None:
    """Moves are tried, not stored: the served week stays as solved."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    # The vehicle with fewer passengers takes one of the other's.
    second, first = (
        r["vehicle_id"]
        for r in sorted(served.routes("to_centre")[:2], key=lambda r: len(r["stops"]))
    )
    riders = [
        p for r in served.routes("to_centre") if r["vehicle_id"] == first
        for s in r["stops"] for p in s.get("pickups", [])
    ]  # fmt: skip
    dispatcher = {"Authorization": f"Bearer {served.keys['dispatcher']}"}

    def tried(pid: str) -> dict[str, Any]:
        body = {"direction": "to_centre", "moves": [{"passenger_id": pid, "vehicle_id": second}]}
        answer: dict[str, Any] = served.serve.client.post(
            f"/v1/jobs/{served.job_id}/days/mon/moves", json=body, headers=dispatcher
        ).json()
        return answer

    # The premise: some passenger of the first vehicle fits on the second.
    mover = next(p for p in riders if tried(p)["violations"] == [])
    open_page(browser, served, f"#job={served.job_id}&day=mon&direction=to_centre")
    paste_key(browser, served.keys["dispatcher"])
    wait_loaded(browser, served, "to_centre")
    browser.driver.find_element(By.CSS_SELECTOR, f".vehicle-btn[data-vehicle='{first}']").click()
    browser.wait_for("return !document.getElementById('manifest').hidden")
    person = browser.driver.find_element(
        By.CSS_SELECTOR, f"#manifest-body [draggable][data-passenger='{mover}']"
    )
    target = browser.driver.find_element(By.CSS_SELECTOR, f".vehicle-btn[data-vehicle='{second}']")
    browser.js(DRAG_SCRIPT, person, target)
    browser.wait_for("return !document.getElementById('move-preview').hidden")
    assert browser.js("return document.activeElement.id") == "move-heading"
    summary = browser.js("return document.getElementById('move-summary').textContent")
    assert mover in summary and second in summary
    assert browser.js("return document.getElementById('move-preview').dataset.ok") == "true"
    drawn = browser.js(
        "return [...document.querySelectorAll('path.dgr-preview')].map(p => p.dataset.vehicle)"
    )
    assert sorted(drawn) == sorted({first, second})  # both changed routes, dashed
    browser.driver.find_element(By.ID, "move-keep").click()
    assert (
        browser.js("return document.querySelectorAll('path.dgr-preview').length") == 0
    )  # an assign lock joins the changes
    listed = browser.js("return document.getElementById('change-list').textContent")
    assert mover in listed and second in listed
    assert browser.js("return document.getElementById('move-preview').hidden")
    # The move dialog (keyboard): the passenger left out onto a vehicle breaks their ride
    # limit, and the page says so beside the move and will not keep it.
    Select(browser.driver.find_element(By.ID, "change-kind")).select_by_value("assign")
    browser.driver.find_element(By.ID, "change-passenger").send_keys(RIDE_LIMITED)
    Select(browser.driver.find_element(By.ID, "change-vehicle")).select_by_value(first)
    browser.driver.find_element(By.ID, "change-position").send_keys("1")
    browser.driver.find_element(By.ID, "change-try").click()
    browser.wait_for(
        "return document.getElementById('move-preview').dataset.ok === 'false' && "
        "document.getElementById('move-summary').textContent.includes(arguments[0])",
        RIDE_LIMITED,
    )
    codes = browser.js(
        "return [...document.querySelectorAll('#move-violations .violation')]"
        ".map(v => v.dataset.code)"
    )
    assert "CHECK_MAX_RIDE" in codes or any("RIDE" in c for c in codes), codes
    assert browser.js("return document.getElementById('move-keep').disabled")
    browser.screenshot("dispatcher-move")
    browser.driver.find_element(By.ID, "move-discard").click()
    assert browser.js("return document.getElementById('move-preview').hidden")
    # Nothing was stored: the day is still as solved.
    versions = served.serve.client.get(
        f"/v1/jobs/{served.job_id}/days/mon/versions", headers=dispatcher
    ).json()
    assert versions["current"] == 0
    assert_clean(browser, served)
