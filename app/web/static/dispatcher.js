// The dispatcher page: one day-direction of a solved plan on a map, as a timeline, as key
// figures and as drivers' manifests. Plain JavaScript, no build step.
//
// Every datum comes from the dagrute API with the key the dispatcher pastes (kept in
// sessionStorage, sent as "Authorization: Bearer"). Nothing is fetched from anywhere else:
// the base map is the service's own road network (GET /v1/roads), or tiles from the host
// the operator configured (DAGRUTE_TILE_URL). Text from the API is only ever set as text,
// never parsed as HTML.
"use strict";

(function () {
  const I18N = window.DAGRUTE_I18N;
  const KEY_STORE = "dagrute.apiKey"; // sessionStorage: gone when the tab closes
  const RECENT_STORE = "dagrute.recentJobs"; // sessionStorage
  const JOB_LIST_SIZE = 50; // jobs the picker offers
  const LANG_STORE = "dagrute.lang"; // localStorage: not personal
  const MAX_RECENT = 8;
  const POLL_MS = 3000;
  const DAYS = ["mon", "tue", "wed", "thu", "fri"];
  const DIRECTIONS = ["to_centre", "from_centre"];
  // Dark enough for white numbers on them (WCAG AA), distinct from each other.
  const PALETTE = [
    "#1f5fa8", "#b8242a", "#1e7b34", "#7b3fa0", "#a85200", "#00707a",
    "#8b4513", "#b0306f", "#566500", "#2c3e91", "#7a6000", "#3d4f5c",
  ];
  const ROAD_STYLES = {
    major: { color: "#8d97a5", weight: 3.5 },
    main: { color: "#a7b0bc", weight: 2.2 },
    minor: { color: "#c6ccd5", weight: 1.2 },
  };
  const REPLAN_WAIT_MS = 180000;
  const LABELS_MAIN_ZOOM = 14;
  const LABELS_ALL_ZOOM = 16;
  const SVG_NS = "http://www.w3.org/2000/svg";
  const CENTRE_ICON_PATH = "M3 11 12 3l9 8v10h-6v-6H9v6H3z";

  const state = {
    lang: "nb",
    key: "",
    jobId: "",
    day: "mon",
    direction: "to_centre",
    job: null,
    dayPlan: null,
    timeline: null,
    manifests: new Map(),
    details: new Map(),
    movePreview: null,
    inForce: [],
    selected: null,
    pollTimer: null,
    loadToken: 0,
    map: null,
    tileUrl: "",
    roadsLoaded: false,
    layers: {},
    routeLines: new Map(),
    stopMarkers: new Map(),
    attribution: "",
    status: [],
    jobList: [],
    pending: [], // the day's changes recorded on the page, not sent yet
    versions: null, // the day's versions (GET .../versions)
    shownVersion: null, // the version whose diff is shown
  };

  const $ = (id) => document.getElementById(id);

  // ---------------------------------------------------------------------------- language

  function t(key, values) {
    const table = I18N[state.lang] || I18N.nb;
    let text = key in table ? table[key] : key in I18N.nb ? I18N.nb[key] : key;
    if (values) {
      text = text.replace(/\{(\w+)\}/g, (match, name) => (name in values ? String(values[name]) : match));
    }
    return text;
  }

  function locale() {
    return state.lang === "nb" ? "nb-NO" : "en-GB";
  }

  function number(value, digits) {
    return new Intl.NumberFormat(locale(), {
      maximumFractionDigits: digits === undefined ? 1 : digits,
      minimumFractionDigits: 0,
    }).format(value);
  }

  function applyLanguage() {
    document.documentElement.lang = state.lang;
    document.title = t("pageTitle");
    for (const node of document.querySelectorAll("[data-i18n]")) {
      node.textContent = t(node.dataset.i18n);
    }
    for (const node of document.querySelectorAll("[data-i18n-aria-label]")) {
      node.setAttribute("aria-label", t(node.dataset.i18nAriaLabel));
    }
    for (const button of document.querySelectorAll("[data-lang]")) {
      button.setAttribute("aria-pressed", String(button.dataset.lang === state.lang));
    }
    renderJobList();
    if (state.map) {
      if (state.attribution) state.map.attributionControl.removeAttribution(state.attribution);
      state.attribution = attributionHtml();
      state.map.attributionControl.addAttribution(state.attribution);
    }
    renderStatus();
    if (state.dayPlan) renderAll(false);
  }

  function attributionHtml() {
    // A constant of this file (no API text): safe as HTML.
    return `<a href="https://www.openstreetmap.org/copyright">${t("attribution")}</a>, ODbL 1.0`;
  }

  // ------------------------------------------------------------------------------ helpers

  function el(tag, props, children) {
    const node = document.createElement(tag);
    if (props) {
      for (const [name, value] of Object.entries(props)) {
        if (value === undefined || value === null || value === false) continue;
        if (name === "text") node.textContent = value;
        else if (name === "className") node.className = value;
        else if (name === "dataset") Object.assign(node.dataset, value);
        else if (name === "colour") node.style.setProperty("--vc", value);
        else node.setAttribute(name, value === true ? "" : value);
      }
    }
    for (const child of children || []) {
      if (child === null || child === undefined) continue;
      node.append(child);
    }
    return node;
  }

  function hm(text) {
    return text ? text.slice(0, 5) : "";
  }

  function clock(seconds) {
    const h = Math.floor(seconds / 3600);
    const m = Math.floor((seconds % 3600) / 60);
    return `${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}`;
  }

  function colourOf(index) {
    if (index < PALETTE.length) return PALETTE[index];
    return `hsl(${Math.round((index * 137.508) % 360)}, 70%, 32%)`;
  }

  function escortsText(count) {
    return count === 1 ? t("escort_one") : t("escort_many", { n: count });
  }

  // ---------------------------------------------------------------------------------- API

  class ApiError extends Error {
    constructor(status, problem) {
      const first = problem && Array.isArray(problem.errors) ? problem.errors[0] : null;
      super((problem && problem.detail) || `HTTP ${status}`);
      this.status = status;
      this.code = first ? first.code : "";
      this.hint = first ? first.hint : "";
      this.items = problem && Array.isArray(problem.errors) ? problem.errors : [];
    }
  }

  async function api(path, body) {
    const headers = { Authorization: `Bearer ${state.key}`, Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const response = await fetch(path, {
      method: body === undefined ? "GET" : "POST",
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: "no-store",
      credentials: "omit",
      referrerPolicy: "no-referrer",
    });
    if (!response.ok) {
      let problem = null;
      try {
        problem = await response.json();
      } catch (ignored) {
        problem = null;
      }
      throw new ApiError(response.status, problem);
    }
    return response.json();
  }

  function jobPath(...parts) {
    return ["/v1/jobs", ...parts].map((part, i) => (i === 0 ? part : encodeURIComponent(part))).join("/");
  }

  // ------------------------------------------------------------------------------ status

  // The status line as [label key, values] pairs, so that a language switch can redraw it;
  // a value given as [key] is a label too.
  function setStatus(...parts) {
    state.status = parts;
    renderStatus();
  }

  function renderStatus() {
    $("status").textContent = (state.status || [])
      .map(([key, values]) => t(key, values && Object.fromEntries(Object.entries(values)
        .map(([name, value]) => [name, Array.isArray(value) ? t(value[0]) : value]))))
      .join(" ");
  }

  function showError(error) {
    const box = $("error");
    box.replaceChildren();
    if (!error) {
      box.hidden = true;
      return;
    }
    const message = error instanceof ApiError || error instanceof Error ? error.message : String(error);
    box.append(el("span", { text: `${t("errorPrefix")}: ${message}` }));
    if (error.status === 401 || error.status === 403) {
      box.append(el("span", { className: "hint", text: t("keyRefused") }));
    }
    if (error.hint) box.append(el("span", { className: "hint", text: error.hint }));
    box.hidden = false;
  }

  // --------------------------------------------------------------------------------- keys

  function setKey(key) {
    state.key = key;
    if (key) sessionStorage.setItem(KEY_STORE, key);
    else sessionStorage.removeItem(KEY_STORE);
    $("key-form").hidden = Boolean(key);
    $("key-status").hidden = !key;
  }

  function onKeySubmit(event) {
    event.preventDefault();
    const input = $("api-key");
    const key = input.value.trim();
    input.value = "";
    if (!key) {
      showError(new Error(t("keyMissing")));
      input.focus();
      return;
    }
    showError(null);
    setKey(key);
    loadRoads();
    loadJobList();
    if ($("job-id").value.trim()) load();
    else $("job-id").focus();
  }

  function onKeyForget() {
    setKey("");
    stopPolling();
    clearView();
    state.jobList = [];
    renderJobList();
    setStatus(["keyForgotten"]);
    $("api-key").focus();
  }

  // ---------------------------------------------------------------------------- recent jobs

  function recentJobs() {
    try {
      const list = JSON.parse(sessionStorage.getItem(RECENT_STORE) || "[]");
      return Array.isArray(list) ? list.filter((id) => typeof id === "string") : [];
    } catch (ignored) {
      return [];
    }
  }

  function remember(jobId) {
    const list = [jobId, ...recentJobs().filter((id) => id !== jobId)].slice(0, MAX_RECENT);
    sessionStorage.setItem(RECENT_STORE, JSON.stringify(list));
    renderRecent();
  }

  function renderRecent() {
    $("recent-jobs").replaceChildren(...recentJobs().map((id) => el("option", { value: id })));
  }

  // The organisation's latest plan solves (GET /v1/jobs), newest first, as a picker: no id
  // to paste. Labels carry when, which days and how it went; never passenger data.
  async function loadJobList() {
    if (!state.key) return;
    try {
      const page = await api("/v1/jobs?kind=solve&limit=" + JOB_LIST_SIZE);
      state.jobList = Array.isArray(page.items) ? page.items : [];
    } catch (error) {
      state.jobList = [];
      if (error.status === 401 || error.status === 403) showError(error);
    }
    renderJobList();
  }

  function renderJobList() {
    const pick = $("job-pick");
    const chosen = pick.value;
    const none = el("option", { value: "", text: t("jobPickNone") });
    const items = state.jobList.map((job) => el("option", {
      value: job.id,
      text: t("jobPickItem", {
        created: new Date(job.created_at).toLocaleString(state.lang === "nb" ? "nb-NO" : "en-GB", {
          dateStyle: "short",
          timeStyle: "short",
        }),
        days: job.days.map((day) => t(`day_${day}`)).join(", "),
        status: t(`status_${job.status}`),
      }),
    }));
    pick.replaceChildren(none, ...items);
    pick.value = state.jobList.some((job) => job.id === chosen) ? chosen : "";
  }

  function onJobPick() {
    const jobId = $("job-pick").value;
    if (!jobId) return;
    $("job-id").value = jobId;
    for (const option of [...$("day").options, ...$("direction").options]) option.disabled = false;
    load();
  }

  // ---------------------------------------------------------------------------------- map

  function initMap() {
    const meta = document.querySelector('meta[name="dagrute-tile-url"]');
    state.tileUrl = meta ? meta.content.trim() : "";
    const map = L.map("map", { keyboard: true, zoomSnap: 0.25, minZoom: 8, maxZoom: 19 });
    map.setView([59.91, 10.76], 11);
    state.map = map;
    state.layers.roadRenderer = L.canvas({ padding: 0.3 });
    state.layers.routeRenderer = L.svg({ padding: 0.3 });
    state.layers.roads = L.layerGroup().addTo(map);
    // Street names sit above the roads and below routes and stops, and never take a click.
    map.createPane("labels").style.zIndex = 350;
    state.layers.labels = L.layerGroup().addTo(map);
    map.on("zoomend", showLabels);
    state.layers.routes = L.layerGroup().addTo(map);
    state.layers.places = L.layerGroup().addTo(map);
    state.layers.stops = L.layerGroup().addTo(map);
    state.layers.preview = L.layerGroup().addTo(map);
    state.attribution = attributionHtml();
    map.attributionControl.addAttribution(state.attribution);
    if (state.tileUrl) {
      L.tileLayer(state.tileUrl, { maxZoom: 19, crossOrigin: false }).addTo(state.layers.roads);
      state.roadsLoaded = true;
    }
  }

  async function loadRoads() {
    if (state.roadsLoaded || !state.key) return;
    state.roadsLoaded = true;
    try {
      const roads = await api("/v1/roads");
      const layer = L.geoJSON(roads, {
        renderer: state.layers.roadRenderer,
        interactive: false,
        filter: (feature) => feature.properties.class !== "label",
        style: (feature) => ROAD_STYLES[feature.properties.class] || ROAD_STYLES.minor,
      });
      state.layers.roads.addLayer(layer);
      drawLabels(roads.features.filter((feature) => feature.properties.class === "label"));
      if (!state.dayPlan && Array.isArray(roads.bbox) && roads.bbox.length === 4) {
        const [west, south, east, north] = roads.bbox;
        state.map.fitBounds([[south, west], [north, east]]);
      }
    } catch (error) {
      state.roadsLoaded = false;
      showError(error);
    }
  }

  // OSM street names along the roads: main roads from zoom 14, every street from 16.
  function drawLabels(labels) {
    for (const label of labels) {
      const [lon, lat] = label.geometry.coordinates;
      const text = el("span", { className: "dgr-road-text", "aria-hidden": "true", text: label.properties.name });
      text.style.transform = `translate(-50%, -50%) rotate(${label.properties.angle_deg}deg)`;
      const icon = L.divIcon({ html: text, className: `dgr-road-label dgr-road-${label.properties.road}`, iconSize: null });
      L.marker([lat, lon], { icon, pane: "labels", interactive: false, keyboard: false }).addTo(state.layers.labels);
    }
    showLabels();
  }

  function showLabels() {
    const zoom = state.map.getZoom();
    state.map.getContainer().dataset.zoom = String(zoom);
    state.map.getContainer().dataset.labels = zoom >= LABELS_ALL_ZOOM ? "all" : zoom >= LABELS_MAIN_ZOOM ? "main" : "none";
  }

  function stopIcon(route, stop, index, colour, people) {
    const isPickup = stop.pickups && stop.pickups.length > 0;
    const node = el("div", {
      className: `dgr-stop ${isPickup ? "dgr-pickup" : "dgr-dropoff"}`,
      colour,
      dataset: { vehicle: route.vehicle_id, stop: String(index) },
    }, [el("span", { className: "dgr-num", text: String(index) })]);
    const wheelchairs = people.filter((p) => p.mobility === "wheelchair").length;
    const escorts = people.reduce((sum, p) => sum + (p.escorts || 0), 0);
    if (wheelchairs) {
      node.append(el("span", { className: "dgr-badge dgr-wc", "aria-hidden": "true", text: "♿" }));
    }
    if (escorts) {
      node.append(el("span", { className: "dgr-badge dgr-esc", "aria-hidden": "true", text: `+${escorts}` }));
    }
    return L.divIcon({ html: node, className: "dgr-icon", iconSize: [26, 26], iconAnchor: [13, 13] });
  }

  // A passenger as people know them: the name from the plan's details (shown to roles
  // with details:read only; the API leaves it out for others), else the id.
  function personName(passengerId, fromManifest) {
    const name = (fromManifest && fromManifest.name) || (state.details.get(passengerId) || {}).name;
    return name ? `${name} (${passengerId})` : passengerId;
  }

  function peopleText(people) {
    return people
      .map((p) => {
        const needs = [];
        if (p.mobility === "wheelchair") needs.push(t("wheelchair"));
        if (p.escorts) needs.push(escortsText(p.escorts));
        const who = personName(p.passenger_id, p);
        return needs.length ? `${who} (${needs.join(", ")})` : who;
      })
      .join(", ");
  }

  function stopTooltip(route, stop, index, manifestStop) {
    const box = el("div", { className: "dgr-tooltip" });
    box.append(el("div", {
      text: t("stopTooltip", {
        vehicle: route.vehicle_id, stop: index, arrival: hm(stop.arrival), departure: hm(stop.departure),
      }),
    }));
    const boarding = manifestStop ? manifestStop.boarding : (stop.pickups || []).map((id) => ({ passenger_id: id }));
    const alighting = manifestStop ? manifestStop.alighting : (stop.dropoffs || []).map((id) => ({ passenger_id: id }));
    if (manifestStop && manifestStop.address) box.append(el("div", { text: manifestStop.address }));
    if (boarding.length) box.append(el("div", { text: `${t("boarding")}: ${peopleText(boarding)}` }));
    if (alighting.length) box.append(el("div", { text: `${t("alighting")}: ${peopleText(alighting)}` }));
    return box;
  }

  function manifestRoute(vehicleId) {
    const manifest = state.manifests.get(vehicleId);
    if (!manifest) return null;
    return manifest.routes.find((r) => r.direction === state.direction) || null;
  }

  function renderMap(fit) {
    const { routes, places, stops } = state.layers;
    routes.clearLayers();
    places.clearLayers();
    stops.clearLayers();
    state.routeLines.clear();
    state.stopMarkers.clear();
    const bounds = L.latLngBounds([]);
    const centres = new Map();
    const depots = new Map();
    state.dayPlan.routes.forEach((route, i) => {
      const colour = colourOf(i);
      const latlngs = route.geometry && route.geometry.coordinates.length >= 2
        ? route.geometry.coordinates.map(([lon, lat]) => [lat, lon])
        : route.stops.map((s) => [s.location.lat, s.location.lon]);
      const renderer = state.layers.routeRenderer;
      routes.addLayer(L.polyline(latlngs, {
        renderer, color: "#ffffff", weight: 8, opacity: 0.85, interactive: false, className: "dgr-route-casing",
      }));
      const line = L.polyline(latlngs, {
        renderer, color: colour, weight: 4.5, opacity: 0.95, className: "dgr-route",
      });
      line.bindTooltip(el("span", { text: route.vehicle_id }), { sticky: true });
      line.on("click", () => openManifest(route.vehicle_id, false));
      routes.addLayer(line);
      line.getElement().dataset.vehicle = route.vehicle_id;
      state.routeLines.set(route.vehicle_id, line);
      latlngs.forEach((ll) => bounds.extend(ll));
      const mroute = manifestRoute(route.vehicle_id);
      const markers = [];
      route.stops.forEach((stop, index) => {
        const at = [stop.location.lat, stop.location.lon];
        const mstop = mroute ? mroute.stops[index] : null;
        if (stop.kind === "home") {
          const people = mstop ? [...mstop.boarding, ...mstop.alighting] : [];
          const marker = L.marker(at, {
            icon: stopIcon(route, stop, index, colour, people),
            keyboard: false,
            riseOnHover: true,
            title: "",
          });
          marker.bindTooltip(stopTooltip(route, stop, index, mstop), { direction: "top", offset: [0, -14] });
          marker.on("click", () => openManifest(route.vehicle_id, false));
          stops.addLayer(marker);
          markers.push(marker);
        } else if (stop.kind === "centre") {
          const id = stop.centre_id || `${at}`;
          const centre = centres.get(id) || { at, name: (mstop && mstop.centre_name) || id, visits: [] };
          centre.visits.push({ vehicle: route.vehicle_id, stop: index, time: hm(stop.arrival) });
          centres.set(id, centre);
        } else {
          depots.set(`${at}`, at);
        }
      });
      state.stopMarkers.set(route.vehicle_id, markers);
    });
    for (const [, at] of depots) {
      const icon = L.divIcon({
        html: el("div", { className: "dgr-depot", text: "D" }), className: "dgr-icon", iconSize: [20, 20], iconAnchor: [10, 10],
      });
      places.addLayer(L.marker(at, { icon, keyboard: false }).bindTooltip(el("span", { text: t("legendDepot") })));
    }
    for (const [, centre] of centres) {
      const svg = document.createElementNS(SVG_NS, "svg");
      svg.setAttribute("viewBox", "0 0 24 24");
      svg.setAttribute("aria-hidden", "true");
      const path = document.createElementNS(SVG_NS, "path");
      path.setAttribute("d", CENTRE_ICON_PATH);
      svg.append(path);
      const icon = L.divIcon({
        html: el("div", { className: "dgr-centre" }, [svg]), className: "dgr-icon", iconSize: [30, 30], iconAnchor: [15, 15],
      });
      const tip = el("div", { className: "dgr-tooltip" }, [el("strong", { text: centre.name })]);
      for (const visit of centre.visits) tip.append(el("div", { text: t("centreVisits", visit) }));
      places.addLayer(L.marker(centre.at, { icon, keyboard: false, zIndexOffset: 500 }).bindTooltip(tip, { direction: "top", offset: [0, -16] }));
      bounds.extend(centre.at);
    }
    if (fit && bounds.isValid()) state.map.fitBounds(bounds, { padding: [24, 24] });
  }

  // ----------------------------------------------------------------------------- key figures

  function renderKpis() {
    const k = state.dayPlan.kpis;
    const vehicles = state.timeline ? state.timeline.vehicles : [];
    const driveH = vehicles.reduce((sum, v) => sum + v.drive_s, 0) / 3600;
    const waitH = vehicles.reduce((sum, v) => sum + v.wait_s, 0) / 3600;
    const items = [
      ["kpi_vehicles", number(k.vehicles, 0), "vehicles"],
      ["kpi_passengers", number(k.passengers, 0), "passengers"],
      ["kpi_unassigned", number(k.unassigned, 0), "unassigned"],
      ["kpi_km", number(k.km, 1), "km"],
      ["kpi_vehicle_hours", number(k.vehicle_hours, 1), "vehicle_hours"],
      ["kpi_drive_h", number(driveH, 1), "drive_h"],
      ["kpi_wait_h", number(waitH, 1), "wait_h"],
      ["kpi_cost", number(k.cost, 0), "cost"],
      ["kpi_mean_ride_min", number(k.mean_ride_min, 1), "mean_ride_min"],
      ["kpi_max_ride_min", number(k.max_ride_min, 1), "max_ride_min"],
      ["kpi_mean_ride_ratio", number(k.mean_ride_ratio, 2), "mean_ride_ratio"],
    ];
    $("kpis").replaceChildren(...items.map(([label, value, name]) =>
      el("div", { dataset: { kpi: name } }, [el("dt", { text: t(label) }), el("dd", { text: value })])));
    $("kpis-section").hidden = false;
  }

  // -------------------------------------------------------------------------------- vehicles

  function routeSummary(route) {
    const riders = new Set();
    for (const stop of route.stops) for (const id of stop.pickups || []) riders.add(id);
    const first = route.stops[0];
    const last = route.stops[route.stops.length - 1];
    return t("vehicleSummary", {
      start: hm(first.departure), end: hm(last.arrival), passengers: riders.size, km: number(route.distance_m / 1000, 1),
    });
  }

  function renderVehicles() {
    const list = $("vehicle-list");
    const routes = state.dayPlan.routes;
    if (!routes.length) {
      list.replaceChildren(el("li", { className: "help", text: t("noRoutes") }));
    } else {
      list.replaceChildren(...routes.map((route, i) => el("li", {}, [
        el("button", {
          type: "button",
          className: "vehicle-btn",
          colour: colourOf(i),
          "aria-pressed": String(state.selected === route.vehicle_id),
          "aria-controls": "manifest",
          dataset: { vehicle: route.vehicle_id },
        }, [
          el("span", { className: "swatch", "aria-hidden": "true" }),
          el("span", { className: "name", text: route.vehicle_id }),
          el("span", { className: "meta", text: routeSummary(route) }),
        ]),
      ])));
    }
    $("print-all").disabled = !routes.length;
  }

  // -------------------------------------------------------------------------------- timeline

  function renderTimeline() {
    const box = $("timeline");
    box.replaceChildren();
    const vehicles = state.timeline ? state.timeline.vehicles : [];
    $("timeline-section").hidden = false;
    if (!vehicles.length) {
      box.append(el("p", { className: "help", text: t("noRoutes") }));
      return;
    }
    const step = 900;
    const start = Math.floor(Math.min(...vehicles.map((v) => v.start_s)) / step) * step;
    const end = Math.max(start + step, Math.ceil(Math.max(...vehicles.map((v) => v.end_s)) / step) * step);
    const span = end - start;
    const pct = (seconds) => `${((seconds - start) / span) * 100}%`;
    const axis = el("div", { className: "tl-axis", "aria-hidden": "true" });
    const tick = span > 4 * 3600 ? 3600 : span > 2 * 3600 ? 1800 : 900;
    for (let s = Math.ceil(start / tick) * tick; s < end; s += tick) {
      const mark = el("span", { className: "tl-tick", text: clock(s) });
      mark.style.left = pct(s);
      axis.append(mark);
    }
    box.append(axis);
    const rows = el("ul", { className: "tl-rows" });
    const index = new Map(state.dayPlan.routes.map((r, i) => [r.vehicle_id, i]));
    for (const vehicle of vehicles) {
      const colour = colourOf(index.get(vehicle.vehicle_id) || 0);
      const summary = t("tlRow", {
        vehicle: vehicle.vehicle_id,
        start: clock(vehicle.start_s),
        end: clock(vehicle.end_s),
        drive: Math.round(vehicle.drive_s / 60),
        wait: Math.round(vehicle.wait_s / 60),
        stops: vehicle.num_stops,
      });
      const track = el("div", { className: "tl-track", role: "img", "aria-label": summary });
      for (const segment of vehicle.segments) {
        const label = segment.kind === "drive" ? "tlDrive" : segment.kind === "wait" ? "tlWait" : "tlStop";
        const text = t(label, { stop: segment.stop, start: clock(segment.start_s), end: clock(segment.end_s) });
        const bar = el("div", {
          className: `tl-seg tl-${segment.kind}`,
          colour,
          title: text,
          dataset: { kind: segment.kind, stop: String(segment.stop) },
        });
        bar.style.left = pct(segment.start_s);
        bar.style.width = `${((segment.end_s - segment.start_s) / span) * 100}%`;
        if (segment.kind === "stop" && (segment.end_s - segment.start_s) / span > 0.012) {
          bar.textContent = String(segment.stop);
        }
        track.append(bar);
      }
      rows.append(el("li", {
        className: "tl-row",
        dataset: { vehicle: vehicle.vehicle_id },
      }, [
        el("button", {
          type: "button",
          className: "tl-label",
          colour,
          "aria-controls": "manifest",
          dataset: { vehicle: vehicle.vehicle_id },
          title: summary,
        }, [vehicle.vehicle_id]),
        track,
      ]));
    }
    box.append(rows);
  }

  // ------------------------------------------------------------------------------ unassigned

  function renderUnassigned() {
    const body = $("unassigned").tBodies[0];
    const list = state.dayPlan.unassigned || [];
    if (!list.length) {
      body.replaceChildren(el("tr", {}, [el("td", { colspan: "3", text: t("noneUnassigned") })]));
    } else {
      body.replaceChildren(...list.map((u) => el("tr", { dataset: { reason: u.reason } }, [
        el("td", { className: "person", draggable: "true", dataset: { passenger: u.passenger_id }, text: personName(u.passenger_id) }),
        el("td", {}, [t(`reason_${u.reason}`), " ", el("code", { text: u.reason })]),
        el("td", { text: u.hint }),
      ])));
    }
    $("unassigned-section").hidden = false;
  }

  // ------------------------------------------------------------------------------- manifests

  function peopleCell(people) {
    const cell = el("td");
    if (!people.length) {
      cell.textContent = "–";
      return cell;
    }
    for (const p of people) {
      const needs = [];
      if (p.mobility === "wheelchair") needs.push(`♿ ${t("wheelchair")}`);
      if (p.escorts) needs.push(escortsText(p.escorts));
      cell.append(el("span", { className: "person", draggable: "true", dataset: { passenger: p.passenger_id } }, [
        p.name ? el("strong", { className: "name", text: p.name }) : null,
        p.name ? el("span", { className: "pid", text: ` ${p.passenger_id}` }) : p.passenger_id,
        needs.length ? el("span", { className: "needs", text: ` (${needs.join(", ")})` }) : null,
        p.phone ? el("span", { className: "phone", text: `☎ ${p.phone}` }) : null,
        p.notes ? el("span", { className: "notes", text: p.notes }) : null,
      ]));
    }
    return cell;
  }

  function whereCell(stop) {
    const label = stop.kind === "centre"
      ? `${t("where_centre")}: ${stop.centre_name || stop.centre_id || ""}`
      : stop.address || t(`where_${stop.kind}`);
    return el("td", {}, [
      label,
      el("span", { className: "coords", text: `${stop.lat.toFixed(5)}, ${stop.lon.toFixed(5)}` }),
    ]);
  }

  function manifestTable(route) {
    const head = el("tr", {}, ["col_seq", "col_arrival", "col_departure", "col_where", "col_on", "col_off", "col_load"]
      .map((key) => el("th", { scope: "col", text: t(key) })));
    const rows = route.stops.map((stop) => el("tr", { dataset: { stop: String(stop.sequence) } }, [
      el("td", { className: "num", text: String(stop.sequence) }),
      el("td", { className: "num", text: hm(stop.arrival) }),
      el("td", { className: "num", text: hm(stop.departure) }),
      whereCell(stop),
      peopleCell(stop.boarding),
      peopleCell(stop.alighting),
      el("td", { className: "num", text: t("loadText", { seats: stop.seats_on_board, wheelchairs: stop.wheelchairs_on_board }) }),
    ]));
    return el("table", { className: "data-table manifest-table" }, [el("thead", {}, [head]), el("tbody", {}, rows)]);
  }

  function manifestMeta(manifest, route) {
    return t("manifestMeta", {
      seats: manifest.seats,
      wheelchairs: manifest.wheelchair_places,
      start: hm(route.start),
      end: hm(route.end),
      km: number(route.distance_m / 1000, 1),
      passengers: route.num_passengers,
      wheelchairUsers: route.num_wheelchairs,
      escorts: route.num_escorts,
    });
  }

  function manifestTitle(vehicleId) {
    return t("manifestHeading", {
      vehicle: vehicleId, day: t(`day_${state.day}`), direction: t(`dirShort_${state.direction}`),
    });
  }

  function renderManifest() {
    const section = $("manifest");
    const vehicleId = state.selected;
    if (!vehicleId) {
      section.hidden = true;
      return;
    }
    const manifest = state.manifests.get(vehicleId);
    const route = manifestRoute(vehicleId);
    $("manifest-heading").textContent = manifestTitle(vehicleId);
    const body = $("manifest-body");
    if (!manifest) body.replaceChildren(el("p", { text: t("manifestFailed") }));
    else if (!route) body.replaceChildren(el("p", { text: t("manifestNone") }));
    else body.replaceChildren(el("p", { className: "manifest-meta", text: manifestMeta(manifest, route) }), manifestTable(route));
    section.dataset.vehicle = vehicleId;
    section.hidden = false;
  }

  function highlight() {
    for (const [vehicleId, line] of state.routeLines) {
      const node = line.getElement();
      if (!node) continue;
      node.classList.toggle("dgr-selected", state.selected === vehicleId);
      node.classList.toggle("dgr-dim", Boolean(state.selected) && state.selected !== vehicleId);
      if (state.selected === vehicleId) line.bringToFront();
    }
    for (const [vehicleId, markers] of state.stopMarkers) {
      for (const marker of markers) {
        const node = marker.getElement();
        if (node) node.classList.toggle("dgr-dim", Boolean(state.selected) && state.selected !== vehicleId);
      }
    }
    for (const button of document.querySelectorAll(".vehicle-btn")) {
      button.setAttribute("aria-pressed", String(button.dataset.vehicle === state.selected));
    }
    for (const row of document.querySelectorAll(".tl-row")) {
      row.classList.toggle("dgr-dim", Boolean(state.selected) && row.dataset.vehicle !== state.selected);
    }
  }

  function openManifest(vehicleId, focus) {
    state.selected = vehicleId;
    renderManifest();
    highlight();
    const section = $("manifest");
    section.scrollIntoView({ block: "nearest" });
    if (focus !== false) $("manifest-heading").focus();
  }

  function closeManifest() {
    const vehicleId = state.selected;
    state.selected = null;
    $("manifest").hidden = true;
    highlight();
    const button = document.querySelector(`.vehicle-btn[data-vehicle="${CSS.escape(vehicleId || "")}"]`);
    if (button) button.focus();
  }

  // ---------------------------------------------------------------------------------- print

  // One page per vehicle (or only ``only``'s: a vehicle id or a Set of them) for the drivers;
  // CSS prints only these.
  function renderPrint(only) {
    const area = $("print-area");
    const pages = [];
    for (const route of state.dayPlan.routes) {
      if (only instanceof Set ? !only.has(route.vehicle_id) : only && route.vehicle_id !== only) continue;
      const manifest = state.manifests.get(route.vehicle_id);
      const mroute = manifestRoute(route.vehicle_id);
      if (!manifest || !mroute) continue;
      pages.push(el("section", { className: "print-page", dataset: { vehicle: route.vehicle_id } }, [
        el("h1", { text: manifestTitle(route.vehicle_id) }),
        el("p", { className: "manifest-meta", text: manifestMeta(manifest, mroute) }),
        manifestTable(mroute),
        el("footer", {
          text: `${manifest.details_shown ? `${t("printConfidential")} ` : ""}${t("printFooter", { job: state.jobId })}`,
        }),
      ]));
    }
    area.replaceChildren(...pages);
  }

  function printManifests(only) {
    if (!state.dayPlan) return;
    renderPrint(only);
    // Chromium may return from print() before the print is done (headless always does), so
    // the whole print area comes back on "afterprint", never right after this call.
    window.print();
  }


  // ------------------------------------------------------------------- the day's changes

  const CHANGE_FIELDS = {
    absence: ["passenger", "direction"],
    extra_trip: ["passenger", "direction"],
    assign: ["passenger", "direction", "vehicle", "position", "try"],
    lock_route: ["vehicle", "direction"],
    vehicle_unavailable: ["vehicle", "time"],
    vehicle_late: ["vehicle", "minutes"],
    centre_late: ["centre", "minutes"],
  };

  function dayPassengers() {
    const ids = new Set();
    for (const route of state.dayPlan.routes) {
      for (const stop of route.stops) for (const p of [...(stop.pickups || []), ...(stop.dropoffs || [])]) ids.add(p);
    }
    for (const u of state.dayPlan.unassigned || []) ids.add(u.passenger_id);
    return [...ids].sort();
  }

  function fillSelect(select, values) {
    const chosen = select.value;
    select.replaceChildren(...values.map((value) => el("option", { value, text: value })));
    if (values.includes(chosen)) select.value = chosen;
  }

  function renderChanges() {
    if (!state.dayPlan) return;
    $("day-passengers").replaceChildren(...dayPassengers().map((id) => {
      const name = (state.details.get(id) || {}).name;
      return el("option", name ? { value: id, label: name } : { value: id });
    }));
    fillSelect($("change-vehicle"), state.dayPlan.routes.map((r) => r.vehicle_id).sort());
    const centres = new Set();
    for (const route of state.dayPlan.routes) for (const stop of route.stops) if (stop.centre_id) centres.add(stop.centre_id);
    fillSelect($("change-centre"), [...centres].sort());
    showChangeFields();
    renderChangeList();
    renderVersions();
    renderInForce();
    if (state.shownVersion) renderDiff(state.shownVersion);
    $("changes-section").hidden = false;
  }

  function showChangeFields() {
    const needs = CHANGE_FIELDS[$("change-kind").value] || [];
    for (const field of document.querySelectorAll("#change-form [data-needs]")) {
      field.hidden = !needs.includes(field.dataset.needs);
    }
  }

  function changeText(change) {
    const who = change.passenger_id || change.vehicle_id || change.centre_id;
    const parts = [t(`kind_${change.kind}`), who];
    if (change.kind === "assign") parts.push(`→ ${change.vehicle_id}`);
    if (change.direction) parts.push(`(${t(`dirShort_${change.direction}`)})`);
    if (change.from) parts.push(change.from);
    if (change.minutes) parts.push(t("minutesText", { n: change.minutes }));
    if (change.note) parts.push(`– ${change.note}`);
    return parts.join(" ");
  }

  // A change as a list item with one button (remove a pending one, take back one in force).
  function changeItem(change, index, className, textKey, labelKey) {
    return el("li", {}, [
      changeText(change),
      " ",
      el("button", {
        type: "button",
        className: `secondary ${className}`,
        dataset: { index: String(index) },
        "aria-label": t(labelKey, { change: changeText(change) }),
        text: t(textKey),
      }),
    ]);
  }

  function renderChangeList() {
    $("change-list").replaceChildren(...state.pending.map((change, index) =>
      changeItem(change, index, "change-remove", "changeRemove", "changeRemoveLabel")));
    $("replan").disabled = !state.pending.length;
  }

  function onChangeAdd(event) {
    event.preventDefault();
    const kind = $("change-kind").value;
    const change = { kind };
    const needs = CHANGE_FIELDS[kind];
    if (needs.includes("passenger")) change.passenger_id = $("change-passenger").value.trim();
    if (needs.includes("direction") && $("change-direction").value) change.direction = $("change-direction").value;
    if (needs.includes("vehicle")) change.vehicle_id = $("change-vehicle").value;
    if (needs.includes("time")) change.from = $("change-time").value;
    if (needs.includes("minutes")) change.minutes = Number($("change-minutes").value);
    if (needs.includes("centre")) change.centre_id = $("change-centre").value;
    const note = $("change-note").value.trim();
    if (note) change.note = note;
    const missing = (change.passenger_id === "" || change.vehicle_id === "" || change.centre_id === "" ||
      change.from === "" || (needs.includes("minutes") && !(change.minutes >= 1)));
    if (missing) {
      showError(new Error(t("changeIncomplete")));
      return;
    }
    showError(null);
    state.pending.push(change);
    $("change-passenger").value = "";
    $("change-note").value = "";
    renderChangeList();
    setStatus(["changeAdded", { change: changeText(change) }]);
  }

  function onChangeListClick(event) {
    const button = event.target.closest(".change-remove");
    if (!button) return;
    state.pending.splice(Number(button.dataset.index), 1);
    renderChangeList();
    $("change-kind").focus();
  }

  // ------------------------------------------------------------ hand moves, tried at once

  function moveText(move) {
    const text = t("moveText", { passenger: personName(move.passenger_id), vehicle: move.vehicle_id });
    return move.position ? `${text} ${t("movePosition", { n: move.position })}` : text;
  }

  async function tryMoves(moves, direction) {
    if (!state.jobId || !state.day) return;
    showError(null);
    setStatus(["moveTrying"]);
    try {
      const preview = await api(jobPath(state.jobId, "days", state.day, "moves"), { direction, moves });
      state.movePreview = { preview, moves };
      renderMovePreview();
      setStatus();
      $("move-heading").focus();
    } catch (error) {
      setStatus();
      showProblem(error);
    }
  }

  function renderMovePreview() {
    const box = $("move-preview");
    const tried = state.movePreview;
    if (!tried) {
      box.hidden = true;
      drawMovePreview(null);
      return;
    }
    const { preview, moves } = tried;
    $("move-summary").textContent = t("moveSummary", {
      moves: moves.map(moveText).join("; "),
      before: number(preview.cost_before, 0),
      after: number(preview.cost_after, 0),
    });
    const items = preview.violations.length
      ? [el("li", { className: "move-breaks", text: t("moveBreaks", { n: preview.violations.length }) }),
        ...preview.violations.map((v) => el("li", { className: "violation", dataset: { code: v.code } }, [
          el("code", { text: v.code }), ` ${v.message}`,
        ]))]
      : [el("li", { className: "move-holds", text: t("moveHolds") })];
    $("move-violations").replaceChildren(...items);
    $("move-keep").disabled = preview.violations.length > 0;
    box.dataset.ok = String(!preview.violations.length);
    box.hidden = false;
    drawMovePreview(preview);
  }

  // The tried move's changed routes, dashed over the day's, until it is kept or discarded.
  function drawMovePreview(preview) {
    state.layers.preview.clearLayers();
    if (!preview || preview.direction !== state.direction) return;
    for (const route of preview.plan.routes) {
      if (!preview.vehicles.includes(route.vehicle_id) || !route.geometry) continue;
      const latlngs = route.geometry.coordinates.map(([lon, lat]) => [lat, lon]);
      const line = L.polyline(latlngs, {
        renderer: state.layers.routeRenderer, color: "#111111", weight: 3, dashArray: "6 6",
        interactive: false, className: "dgr-preview",
      });
      state.layers.preview.addLayer(line);
      line.getElement().dataset.vehicle = route.vehicle_id;
    }
  }

  function onMoveKeep() {
    const tried = state.movePreview;
    if (!tried || tried.preview.violations.length) return;
    state.pending.push(...tried.preview.changes);
    state.movePreview = null;
    renderMovePreview();
    renderChangeList();
    setStatus(["moveKept"]);
    $("replan").focus();
  }

  function onMoveDiscard() {
    state.movePreview = null;
    renderMovePreview();
    $("change-kind").focus();
  }

  function onChangeTry() {
    const passenger = $("change-passenger").value.trim();
    const vehicle = $("change-vehicle").value;
    if (!passenger || !vehicle) {
      showError(new Error(t("changeIncomplete")));
      return;
    }
    const move = { passenger_id: passenger, vehicle_id: vehicle };
    const position = Number($("change-position").value);
    if (position >= 1) move.position = position;
    tryMoves([move], $("change-direction").value || state.direction);
  }

  // Drag a passenger (a manifest's person, a passenger left out) onto a vehicle button, or
  // onto a row of the open manifest to board before that stop.
  function dropTarget(node) {
    if (!(node instanceof Element)) return null;
    const button = node.closest(".vehicle-btn");
    if (button) return { vehicle_id: button.dataset.vehicle };
    const row = node.closest("#manifest-body tr[data-stop]");
    if (row && state.selected) return { vehicle_id: state.selected, position: Math.max(1, Number(row.dataset.stop)) };
    return null;
  }

  function onDragStart(event) {
    const person = event.target instanceof Element ? event.target.closest("[draggable][data-passenger]") : null;
    if (!person) return;
    event.dataTransfer.setData("text/plain", person.dataset.passenger);
    event.dataTransfer.effectAllowed = "move";
  }

  function onDragOver(event) {
    if (dropTarget(event.target)) event.preventDefault();
  }

  function onDrop(event) {
    const target = dropTarget(event.target);
    const passenger = event.dataTransfer ? event.dataTransfer.getData("text/plain") : "";
    if (!target || !passenger) return;
    event.preventDefault();
    tryMoves([{ passenger_id: passenger, ...target }], state.direction);
  }

  function showProblem(error) {
    showError(error);
    if (error instanceof ApiError && error.items.length) {
      const box = $("error");
      for (const item of error.items) {
        box.append(el("span", { className: "hint", text: `${item.message} ${item.hint || ""}`.trim() }));
      }
    }
  }

  // The version once its re-plan has ended; null if it is still queued or running after
  // REPLAN_WAIT_MS (no worker free): the page stops waiting, the version stays recorded.
  async function waitForVersion(path) {
    const until = Date.now() + REPLAN_WAIT_MS;
    for (;;) {
      const version = await api(path);
      if (!["queued", "running"].includes(version.status)) return version;
      if (Date.now() > until) return null;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }

  async function onReplan() {
    if (!state.pending.length || !state.job) return;
    replanWith({ changes: state.pending }, true);
  }

  // Record ``body`` (changes, changes taken back) and wait for the re-plan's version.
  async function replanWith(body, isPending) {
    const button = $("replan");
    button.disabled = true;
    showError(null);
    setStatus(["replanning"]);
    document.body.dataset.replanned = "";
    try {
      const queued = await api(jobPath(state.job.id, "days", state.day, "changes"), body);
      const version = await waitForVersion(queued.links.self);
      if (version === null) {
        if (isPending) state.pending = []; // recorded: the re-plan runs when a worker is free
        renderChangeList();
        await loadVersions();
        setStatus(["replanSlow", { version: queued.version }]);
        return;
      }
      if (version.status !== "succeeded") {
        const error = new Error(t("replanFailed", { status: t(`status_${version.status}`) }));
        if (version.error && version.error.errors && version.error.errors[0]) error.hint = version.error.errors[0].hint;
        throw error;
      }
      if (isPending) state.pending = [];
      state.shownVersion = version;
      await load();
      await loadVersions();
      $("diff-heading").focus();
      document.body.dataset.replanned = String(version.version);
    } catch (error) {
      setStatus();
      showProblem(error);
      button.disabled = !state.pending.length;
    }
  }

  function diffOf(version) {
    const diffs = version.diffs || [];
    return diffs.find((d) => d.direction === state.direction) || null;
  }

  function renderDiff(version) {
    const box = $("replan-result");
    const diff = diffOf(version);
    if (!diff) {
      box.hidden = true;
      return;
    }
    $("diff-summary").textContent = t("diffSummary", {
      version: version.version,
      direction: t(`dirShort_${diff.direction}`),
      trips: diff.trips.length,
      moved: diff.unaffected_changed,
      unaffected: diff.unaffected,
      manifests: diff.new_manifests.length ? diff.new_manifests.join(", ") : t("nobody"),
      before: number(diff.cost_before, 0),
      after: number(diff.cost_after, 0),
    });
    $("diff-table").tBodies[0].replaceChildren(...diff.trips.map((trip) => el("tr", { dataset: { passenger: trip.passenger_id, why: trip.why } }, [
      el("td", { text: personName(trip.passenger_id) }),
      el("td", { text: t(`why_${trip.why}`) }),
      el("td", { text: `${trip.vehicle_before || "–"} → ${trip.vehicle_after || "–"}` }),
      el("td", { className: "num", text: `${hm(trip.pickup_before) || "–"} → ${hm(trip.pickup_after) || "–"}` }),
      el("td", { className: "num", text: trip.moved_min === null ? "" : number(trip.moved_min, 0) }),
    ])));
    $("print-changed").disabled = !diff.new_manifests.length;
    box.dataset.version = String(version.version);
    box.hidden = false;
  }

  function changedVehicles() {
    const version = state.shownVersion;
    return new Set(version ? (version.diffs || []).flatMap((d) => d.new_manifests) : []);
  }

  async function loadVersions() {
    if (!state.job) return;
    state.inForce = [];
    try {
      state.versions = await api(jobPath(state.job.id, "days", state.day, "versions"));
      if (state.versions.current > 0) {
        const current = await api(jobPath(state.job.id, "days", state.day, "versions", String(state.versions.current)));
        state.inForce = current.in_force || [];
      }
    } catch (error) {
      state.versions = null;
    }
    renderVersions();
    renderInForce();
  }

  // The changes in force at the current version, each of which can be taken back.
  function renderInForce() {
    const items = state.inForce.map((change, index) =>
      changeItem(change, index, "in-force-withdraw", "withdraw", "withdrawLabel"));
    $("in-force").replaceChildren(...(items.length ? items : [el("li", { text: t("inForceNone") })]));
  }

  function onInForceClick(event) {
    const button = event.target.closest(".in-force-withdraw");
    if (!button) return;
    const change = state.inForce[Number(button.dataset.index)];
    if (change) replanWith({ changes: [], withdraw: [change] }, false);
  }

  function renderVersions() {
    const body = $("versions").tBodies[0];
    const list = state.versions ? state.versions.versions : [];
    body.replaceChildren(...list.map((v) => el("tr", { dataset: { version: String(v.version), current: String(v.is_current) } }, [
      el("td", { className: "num", text: v.is_current ? `${v.version} ${t("currentMark")}` : String(v.version) }),
      el("td", { text: `${t(`versionKind_${v.kind}`)} (${t(`status_${v.status}`)})` }),
      el("td", { text: new Date(v.created_at).toLocaleString(locale(), { dateStyle: "short", timeStyle: "short" }) }),
      el("td", { className: "num", text: String(v.num_changes) }),
      el("td", { className: "num", text: v.num_unaffected_changed === null ? "" : String(v.num_unaffected_changed) }),
      el("td", { className: "num", text: v.cost === null ? "" : number(v.cost, 0) }),
      el("td", {}, [v.is_current || v.status !== "succeeded" ? null : el("button", {
        type: "button",
        className: "secondary version-restore",
        dataset: { version: String(v.version) },
        "aria-label": t("restoreLabel", { version: v.version }),
        text: t("restore"),
      })]),
    ])));
  }

  async function onVersionsClick(event) {
    const button = event.target.closest(".version-restore");
    if (!button || !state.job) return;
    showError(null);
    try {
      const path = jobPath(state.job.id, "days", state.day, "versions", button.dataset.version, "restore");
      const version = await api(path, {});
      state.shownVersion = version;
      await load();
      await loadVersions();
      document.body.dataset.replanned = String(version.version);
    } catch (error) {
      showProblem(error);
    }
  }

  // ---------------------------------------------------------------------------------- load

  function renderAll(fit) {
    renderKpis();
    renderMap(fit);
    renderVehicles();
    renderTimeline();
    renderUnassigned();
    renderManifest();
    renderPrint();
    renderChanges();
    renderMovePreview();
    highlight();
  }

  function clearView() {
    state.dayPlan = null;
    state.timeline = null;
    state.manifests = new Map();
    state.details = new Map();
    state.selected = null;
    for (const name of ["routes", "places", "stops"]) state.layers[name].clearLayers();
    state.routeLines.clear();
    state.stopMarkers.clear();
    $("kpis").replaceChildren();
    $("vehicle-list").replaceChildren();
    $("timeline").replaceChildren();
    $("unassigned").tBodies[0].replaceChildren();
    $("print-area").replaceChildren();
    $("print-all").disabled = true;
    for (const id of ["kpis-section", "timeline-section", "unassigned-section", "manifest", "changes-section"]) $(id).hidden = true;
    $("replan-result").hidden = true;
    state.versions = null;
    state.shownVersion = null;
    document.body.removeAttribute("data-loaded");
  }

  function stopPolling() {
    if (state.pollTimer) clearTimeout(state.pollTimer);
    state.pollTimer = null;
  }

  function updateHash() {
    const params = new URLSearchParams({ job: state.jobId, day: state.day, direction: state.direction });
    history.replaceState(null, "", `#${params}`);
  }

  function readHash() {
    const params = new URLSearchParams(location.hash.slice(1));
    const job = params.get("job");
    if (job) $("job-id").value = job;
    if (DAYS.includes(params.get("day"))) $("day").value = params.get("day");
    if (DIRECTIONS.includes(params.get("direction"))) $("direction").value = params.get("direction");
  }

  async function resolveJob(id) {
    try {
      return await api(jobPath(id));
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 404) throw error;
      // Perhaps a plan id: show its newest job.
      let plan;
      try {
        plan = await api(`/v1/plans/${encodeURIComponent(id)}`);
      } catch (planError) {
        throw error;
      }
      if (!plan.job_ids.length) throw error;
      return api(jobPath(plan.job_ids[plan.job_ids.length - 1]));
    }
  }

  function markAvailable(job) {
    for (const option of $("day").options) option.disabled = !job.days.includes(option.value);
    for (const option of $("direction").options) option.disabled = !job.directions.includes(option.value);
  }

  // The plan's passenger details by id: names for the lists of people left out or moved
  // and for the change form (manifests carry their own).
  async function loadDetails(job) {
    const details = await api(`/v1/plans/${encodeURIComponent(job.plan_id)}/details`);
    return new Map(details.passengers.map((p) => [p.passenger_id, p]));
  }

  async function load() {
    stopPolling();
    showError(null);
    const jobId = $("job-id").value.trim();
    if (!state.key) {
      showError(new Error(t("keyMissing")));
      $("api-key").focus();
      return;
    }
    if (!jobId) {
      showError(new Error(t("jobMissing")));
      $("job-id").focus();
      return;
    }
    const token = ++state.loadToken;
    const day = $("day").value;
    const direction = $("direction").value;
    setStatus(["loading"]);
    try {
      const job = await resolveJob(jobId);
      if (token !== state.loadToken) return;
      state.job = job;
      markAvailable(job);
      if (!job.days.includes(day) || !job.directions.includes(direction)) {
        clearView();
        setStatus();
        showError(new Error(t("notInJob", { day: t(`day_${day}`), direction: t(`dirShort_${direction}`) })));
        return;
      }
      let dayPlan;
      try {
        dayPlan = await api(jobPath(job.id, "days", day, direction));
      } catch (error) {
        if (error instanceof ApiError && error.code === "JOB_DAY_NOT_SOLVED" && ["queued", "running"].includes(job.status)) {
          clearView();
          setStatus(["waiting", {
            status: [`status_${job.status}`], done: job.progress.day_directions_done, total: job.progress.day_directions_total,
          }]);
          state.pollTimer = setTimeout(load, POLL_MS);
          return;
        }
        throw error;
      }
      const [timeline, manifests] = await Promise.all([
        api(jobPath(job.id, "days", day, direction, "timeline")),
        Promise.all(dayPlan.routes.map((route) =>
          api(jobPath(job.id, "manifests", day, route.vehicle_id)).catch(() => null))),
      ]);
      // Only a role that sees details on manifests asks for the plan's (no refused request).
      const details = manifests.some((m) => m && m.details_shown) ? await loadDetails(job) : new Map();
      if (token !== state.loadToken) return;
      if (state.jobId !== job.id || state.day !== day) {
        state.pending = []; // changes recorded for another day do not carry over
        state.shownVersion = null;
      }
      state.jobId = job.id;
      state.day = day;
      state.direction = direction;
      state.dayPlan = dayPlan;
      state.movePreview = null; // tried on the day as it was
      state.timeline = timeline;
      state.details = details;
      state.manifests = new Map();
      dayPlan.routes.forEach((route, i) => {
        if (manifests[i]) state.manifests.set(route.vehicle_id, manifests[i]);
      });
      if (state.selected && !state.manifests.has(state.selected)) state.selected = null;

      $("job-id").value = job.id;
      remember(job.id);
      updateHash();
      renderAll(true);
      if (!state.versions || state.versions.week_job_id !== job.id || state.versions.day !== day) loadVersions();
      document.body.dataset.loaded = `${job.id} ${day} ${direction}`;
      const loaded = ["loaded", {
        day: [`day_${day}`], direction: [`dirShort_${direction}`], vehicles: dayPlan.routes.length, passengers: dayPlan.kpis.passengers,
      }];
      if (job.is_partial) setStatus(loaded, ["partial"]);
      else setStatus(loaded);
    } catch (error) {
      if (token !== state.loadToken) return;
      clearView();
      setStatus();
      showError(error);
      if (error instanceof ApiError && error.status === 401) setKey("");
    }
  }

  // ---------------------------------------------------------------------------------- init

  function onClick(event) {
    const target = event.target.closest("[data-vehicle]");
    if (target && (target.classList.contains("vehicle-btn") || target.classList.contains("tl-label"))) {
      openManifest(target.dataset.vehicle, true);
    }
  }

  function init() {
    const stored = localStorage.getItem(LANG_STORE);
    state.lang = stored && I18N[stored] ? stored : "nb";
    initMap();
    applyLanguage();
    renderRecent();
    setKey(sessionStorage.getItem(KEY_STORE) || "");
    readHash();
    $("key-form").addEventListener("submit", onKeySubmit);
    $("change-try").addEventListener("click", onChangeTry);
    $("in-force").addEventListener("click", onInForceClick);
    $("move-keep").addEventListener("click", onMoveKeep);
    $("move-discard").addEventListener("click", onMoveDiscard);
    document.addEventListener("dragstart", onDragStart);
    document.addEventListener("dragover", onDragOver);
    document.addEventListener("drop", onDrop);
    $("key-forget").addEventListener("click", onKeyForget);
    $("select-form").addEventListener("submit", (event) => {
      event.preventDefault();
      load();
    });
    for (const button of document.querySelectorAll("[data-lang]")) {
      button.addEventListener("click", () => {
        state.lang = button.dataset.lang;
        localStorage.setItem(LANG_STORE, state.lang);
        applyLanguage();
      });
    }
    document.addEventListener("click", onClick);
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && !$("manifest").hidden) closeManifest();
    });
    $("manifest-close").addEventListener("click", closeManifest);
    $("manifest-print").addEventListener("click", () => printManifests(state.selected));
    $("print-all").addEventListener("click", () => printManifests(null));
    window.addEventListener("afterprint", () => {
      if (state.dayPlan) renderPrint();
    });
    $("job-id").addEventListener("input", () => {
      // Another job may solve other days: let every choice be made again.
      for (const option of [...$("day").options, ...$("direction").options]) option.disabled = false;
    });
    document.body.dataset.ready = "true";
    $("job-pick").addEventListener("change", onJobPick);
    $("change-kind").addEventListener("change", showChangeFields);
    $("change-form").addEventListener("submit", onChangeAdd);
    $("change-list").addEventListener("click", onChangeListClick);
    $("replan").addEventListener("click", onReplan);
    $("versions").addEventListener("click", onVersionsClick);
    $("print-changed").addEventListener("click", () => printManifests(changedVehicles()));
    if (state.key) {
      loadRoads();
      loadJobList();
      if ($("job-id").value.trim()) load();
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
