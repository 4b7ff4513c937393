"""Write the sample week's passenger details (data/samples/oslo-east-details.csv).

The names are invented (common Norwegian first and last names, paired by the passenger's
number); each address is the nearest named street to the passenger's home in the bundled
OpenStreetMap extract, without a house number; notes follow the passenger's needs. No phone
numbers: an invented one could belong to somebody. Run from the repository root:

    uv run python scripts/sample_details.py
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np

from solver.domain import RoadSettings
from solver.roads import DEFAULT_OSM_FILE, RoadNetwork

ROOT = Path(__file__).resolve().parents[1]
PLAN = ROOT / "data" / "samples" / "oslo-east-week.json"
OUT = ROOT / "data" / "samples" / "oslo-east-details.csv"

FIRST = ("Kari", "Ola", "Ingrid", "Per", "Anne", "Lars", "Marit", "Jon", "Liv", "Knut",
         "Randi", "Geir", "Solveig", "Terje", "Hilde", "Arne", "Berit", "Odd", "Tone", "Rune",
         "Astrid", "Bjørn", "Gro", "Svein")  # fmt: skip
LAST = ("Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen",
        "Kristiansen", "Jensen", "Karlsen", "Berg", "Haugen", "Hagen", "Eriksen", "Bakken",
        "Dahl", "Lie", "Moen", "Strand", "Solberg", "Ødegård")  # fmt: skip


def nearest_street(network: RoadNetwork, lat: float, lon: float) -> str | None:
    """The name of the named street whose shape passes closest to (lat, lon)."""
    graph = network.graph
    named = np.flatnonzero(graph.edge_name >= 0)
    counts = np.diff(graph.geom_indptr)[named]
    points = np.concatenate(
        [np.arange(graph.geom_indptr[e], graph.geom_indptr[e + 1]) for e in named.tolist()]
    )
    owner = np.repeat(named, counts)
    x = (graph.geom_lon[points] - lon) * np.cos(np.radians(lat))
    y = graph.geom_lat[points] - lat
    return graph.street_name(int(owner[int(np.argmin(x * x + y * y))]))


def notes(passenger: dict[str, object], index: int) -> str:
    """What a driver should know, from the passenger's needs (and a few invented ones)."""
    parts = []
    if passenger.get("mobility") == "wheelchair":
        parts.append("Rullestol: fest med firepunktsfeste.")
    if passenger.get("escorts"):
        parts.append("Ledsager møter i døra.")
    if index % 7 == 3:
        parts.append("Trenger hjelp med setebeltet.")
    if index % 11 == 5:
        parts.append("Blir urolig ved venting: ring dagsenteret ved forsinkelse.")
    return " ".join(parts)


def main() -> None:
    """Write the CSV file."""
    plan = json.loads(PLAN.read_text(encoding="utf-8"))
    network = RoadNetwork.load(DEFAULT_OSM_FILE, RoadSettings())
    with OUT.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file, delimiter=";")
        writer.writerow(["passasjer_id", "navn", "adresse", "telefon", "merknad"])
        for index, passenger in enumerate(plan["passengers"]):
            home = passenger["home"]
            street = nearest_street(network, home["lat"], home["lon"])
            name = f"{FIRST[index % len(FIRST)]} {LAST[(index * 5) % len(LAST)]}"
            address = f"{street}, Oslo" if street else ""
            writer.writerow([passenger["id"], name, address, "", notes(passenger, index)])
    print(f"wrote {OUT.relative_to(ROOT)}: {len(plan['passengers'])} passengers")


if __name__ == "__main__":
    main()
