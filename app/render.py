"""Printable HTML for driver manifests (A4, one table per direction, everything escaped)."""

from __future__ import annotations

from html import escape

from app.schemas import Manifest, ManifestPassenger

_DIRECTION_TITLES = {
    "to_centre": "Morning: home to centre",
    "from_centre": "Afternoon: centre to home",
}

_STYLE = """
body { font-family: system-ui, sans-serif; font-size: 11pt; margin: 1.5cm; color: #000; }
h1 { font-size: 16pt; margin: 0 0 .2em; } h2 { font-size: 13pt; margin: 1.2em 0 .3em; }
table { border-collapse: collapse; width: 100%; } th, td { border: 1px solid #444;
padding: 3px 5px; vertical-align: top; text-align: left; } th { background: #eee; }
.meta { color: #333; margin-bottom: .8em; } .wc { font-weight: bold; }
.name { font-weight: bold; } .id, .coords { color: #444; font-size: 9pt; }
.notes { display: block; font-style: italic; }
footer { margin-top: 1.5em; font-size: 8pt; color: #555; }
@media print { body { margin: 0; } h2 { break-before: auto; } tr { break-inside: avoid; } }
"""


_CONFIDENTIAL = (
    "<strong>Confidential: names, addresses and health notes of passengers. Keep this page "
    "in the vehicle and shred it after the day.</strong><br>"
)


def _people(people: list[ManifestPassenger]) -> str:
    parts = []
    for person in people:
        needs = []
        if person.mobility == "wheelchair":
            needs.append('<span class="wc">wheelchair</span>')
        if person.escorts:
            needs.append(f"{person.escorts} escort{'s' if person.escorts > 1 else ''}")
        extra = f" ({', '.join(needs)})" if needs else ""
        who = (
            f'<span class="name">{escape(person.name)}</span> '
            f'<span class="id">{escape(person.passenger_id)}</span>'
            if person.name
            else escape(person.passenger_id)
        )
        phone = f"<br>&#9742; {escape(person.phone)}" if person.phone else ""
        notes = f'<span class="notes">{escape(person.notes)}</span>' if person.notes else ""
        parts.append(f"{who}{extra}{phone}{notes}")
    return "<br>".join(parts) or "&ndash;"


def _names_anyone(manifest: Manifest) -> bool:
    """Whether the manifest shows a name, address, phone or note."""
    for route in manifest.routes:
        for stop in route.stops:
            people = (*stop.boarding, *stop.alighting)
            if stop.address or any(p.name or p.phone or p.notes for p in people):
                return True
    return False


def manifest_html(manifest: Manifest) -> str:
    """The manifest as a standalone printable HTML page."""
    title = f"Manifest: vehicle {manifest.vehicle_id}, {manifest.day}"
    sections = []
    for route in manifest.routes:
        rows = []
        for stop in route.stops:
            where = (
                f"{escape(stop.centre_name or stop.centre_id or '')} (centre)"
                if stop.kind == "centre"
                else "depot"
                if stop.kind == "depot"
                else escape(stop.address)
                if stop.address
                else "home"
            )
            rows.append(
                "<tr>"
                f"<td>{stop.sequence}</td><td>{escape(stop.arrival[:5])}</td>"
                f"<td>{escape(stop.departure[:5])}</td><td>{where}<br>"
                f'<span class="coords">{stop.lat:.5f}, {stop.lon:.5f}</span></td>'
                f"<td>{_people(stop.boarding)}</td><td>{_people(stop.alighting)}</td>"
                f"<td>{stop.seats_on_board} + {stop.wheelchairs_on_board} wc</td>"
                "</tr>"
            )
        sections.append(
            f"<h2>{escape(_DIRECTION_TITLES.get(route.direction, route.direction))}</h2>"
            f'<p class="meta">{escape(route.start[:5])}&ndash;{escape(route.end[:5])}, '
            f"{route.distance_m / 1000:.1f} km, {route.num_passengers} passengers, "
            f"{route.num_wheelchairs} wheelchairs, {route.num_escorts} escorts</p>"
            "<table><thead><tr><th>#</th><th>Arrive</th><th>Leave</th><th>Where</th>"
            "<th>Boarding</th><th>Alighting</th><th>On board</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>"
        )
    if not sections:
        sections.append("<p>This vehicle has no route on this day.</p>")
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>"
        f"<h1>{escape(title)}</h1>"
        f'<p class="meta">Vehicle {escape(manifest.vehicle_id)}: {manifest.seats} seats, '
        f"{manifest.wheelchair_places} wheelchair places. Job {escape(manifest.job_id)}.</p>"
        f"{''.join(sections)}"
        f"<footer>{_CONFIDENTIAL if _names_anyone(manifest) else ''}"
        f"Road data {escape(manifest.attribution)}.</footer></body></html>"
    )
