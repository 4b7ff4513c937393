"""Passenger details (names, addresses, phones, notes) on drivers' manifests.

They are stored apart from the plan, shown only to roles with ``details:read``, never
echoed in errors, and erased with the plan.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest
from servicekit import Service, ThreadWorker, service_settings, tiny_plan
from sqlalchemy import func, select

from app import convert
from app.db.models import PassengerDetail, Plan
from app.interop.details import details_from_csv, details_from_json
from solver.errors import InputError

NAME = "Kari <b>Nordmann</b>"
ADDRESS = "Storgata 1, 0155 Oslo"
PHONE = "+47 912 34 567"
NOTES = "Needs help with the seat belt."


def solved(
    service: Service, sqlite_url: str, start_thread_worker: Callable[..., ThreadWorker]
) -> tuple[str, str, dict[str, Any]]:
    """(plan id, job id, result) of a tiny Monday solved by a worker."""
    response = service.post("/v1/plans", json=tiny_plan(num_passengers=4), params={"day": "mon"})
    assert response.status_code == 202, response.text
    job = response.json()
    start_thread_worker(service_settings(sqlite_url), processes=1)
    assert service.wait_for(job["id"])["status"] == "succeeded"
    result = service.get(f"/v1/jobs/{job['id']}/result").json()
    return job["plan_id"], job["id"], result


def riders(result: dict[str, Any]) -> tuple[str, str]:
    """(vehicle id, first passenger picked up) of the morning's first route."""
    route = result["plans"][0]["routes"][0]
    first = next(p for s in route["stops"] for p in s.get("pickups", []))
    return route["vehicle_id"], first


def manifest_people(manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        p["passenger_id"]: p
        for r in manifest["routes"]
        for s in r["stops"]
        for p in (*s["boarding"], *s["alighting"])
    }


def test_a_dispatcher_sees_names_addresses_phones_and_notes_on_manifests_others_do_not(
    service: Service, sqlite_url: str, start_thread_worker: Callable[..., ThreadWorker]
) -> None:
    plan_id, job_id, result = solved(service, sqlite_url, start_thread_worker)
    vehicle_id, pid = riders(result)
    body = {
        "passengers": [
            {"passenger_id": pid, "name": NAME, "address": ADDRESS, "phone": PHONE, "notes": NOTES}
        ]
    }
    stored = service.put(f"/v1/plans/{plan_id}/details", json=body)
    assert stored.status_code == 200, stored.text
    assert stored.json() == {
        "plan_id": plan_id,
        "num_passengers": 1,
        "num_names": 1,
        "num_addresses": 1,
        "num_phones": 1,
        "num_notes": 1,
    }
    # Apart from the routing data: the stored plan never holds them.
    database = service.client.app.state.database  # type: ignore[attr-defined]
    with database.read() as session:
        plan_json = session.get(Plan, plan_id).plan_json
    assert NAME not in plan_json and PHONE not in plan_json
    path = f"/v1/jobs/{job_id}/manifests/mon/{vehicle_id}"
    seen = service.get(path, role="dispatcher").json()
    person = manifest_people(seen)[pid]
    assert seen["details_shown"] is True
    assert (person["name"], person["phone"], person["notes"]) == (NAME, PHONE, NOTES)
    home = next(
        s
        for r in seen["routes"]
        for s in r["stops"]
        if pid in {p["passenger_id"] for p in s["boarding"]}
    )
    assert home["address"] == ADDRESS
    others = [p for q, p in manifest_people(seen).items() if q != pid]
    assert others and all(p["name"] is None for p in others)
    # Fetched at another address that day (a day's change, a home exception): no address.
    (entry,) = details_from_json({"passengers": [{"passenger_id": pid, "address": ADDRESS}]})
    elsewhere = copy.deepcopy(result["plans"][0])
    for route in elsewhere["routes"]:
        for stop in route["stops"]:
            if pid in stop.get("pickups", []):
                stop["location"]["lat"] += 0.01
    plan = convert.plan_from_stored(plan_json)
    moved = convert.manifest(
        job_id, plan, "mon", vehicle_id, {"to_centre": elsewhere}, {pid: entry}
    )
    assert moved is not None
    assert [s.address for s in moved.routes[0].stops if s.kind == "home"].count(ADDRESS) == 0
    # A planner sends details but reads manifests without them; an analyst reads neither.
    planner = service.get(path).json()
    assert planner["details_shown"] is False
    assert NAME not in json.dumps(planner) and ADDRESS not in json.dumps(planner)
    assert service.get(f"/v1/plans/{plan_id}/details").status_code == 403
    assert service.get(f"/v1/plans/{plan_id}/details", role="analyst").status_code == 403
    assert service.get(path, role="analyst").status_code == 403
    for route in (f"/v1/jobs/{job_id}/result", f"/v1/jobs/{job_id}/geojson"):
        assert NAME not in service.get(route).text and PHONE not in service.get(route).text
    read = service.get(f"/v1/plans/{plan_id}/details", role="dispatcher")
    assert read.status_code == 200
    assert read.json() == {"plan_id": plan_id, "passengers": body["passengers"]}
    # The printed manifest: escaped, with address, phone, notes and a confidentiality line.
    page = service.get(path, role="dispatcher", params={"format": "html"}).text
    assert "Kari &lt;b&gt;Nordmann&lt;/b&gt;" in page and "<b>Nordmann" not in page
    assert ADDRESS in page and PHONE in page and NOTES in page and "Confidential" in page
    assert NAME not in service.get(path, params={"format": "html"}).text
    # Every read of them is audited; the trail names the plan, never a value.
    audit = service.get("/v1/audit", role="admin", params={"action": "read"}).json()
    routes = [e["route"] for e in audit["items"]]
    assert "/v1/plans/{plan_id}/details" in routes
    assert NAME not in json.dumps(audit) and PHONE not in json.dumps(audit)
    # Erasing the details leaves the plan; erasing the plan erases them.
    assert service.delete(f"/v1/plans/{plan_id}/details").status_code == 204
    assert manifest_people(service.get(path, role="dispatcher").json())[pid]["name"] is None
    assert service.put(f"/v1/plans/{plan_id}/details", json=body).status_code == 200
    assert service.delete(f"/v1/plans/{plan_id}").status_code == 204
    with database.read() as session:
        left = session.scalar(select(func.count()).select_from(PassengerDetail))
    assert left == 0


def test_a_csv_file_of_details_is_read_with_norwegian_column_names(
    service_any_db: Service,
) -> None:
    plan = tiny_plan(num_passengers=3)
    submitted = service_any_db.post("/v1/plans", json=plan, params={"day": "mon"})
    plan_id = submitted.json()["plan_id"]
    first, second, third = (p["id"] for p in plan["passengers"])
    csv = (
        "passasjer_id;navn;adresse;telefon;merknad;fødselsnummer\n"
        f"{first};Åse Ødegård;Tøyengata 5, 0190 Oslo;912 34 567;Rullator i bagasjen;X\n"
        f"{second};;;;;\n"
        f"{third};Per Berg;;;;\n"
    )
    stored = service_any_db.put(
        f"/v1/plans/{plan_id}/details",
        content=csv.encode("cp1252"),
        headers={"Content-Type": "text/csv"},
    )
    assert stored.status_code == 200, stored.text
    assert stored.json()["num_passengers"] == 2 and stored.json()["num_addresses"] == 1
    read = service_any_db.get(f"/v1/plans/{plan_id}/details", role="dispatcher").json()
    assert read["passengers"] == [
        {"passenger_id": first, "name": "Åse Ødegård", "address": "Tøyengata 5, 0190 Oslo",
         "phone": "912 34 567", "notes": "Rullator i bagasjen"},
        {"passenger_id": third, "name": "Per Berg", "address": None, "phone": None,
         "notes": None},
    ]  # fmt: skip
    # Another organisation's or an unknown plan: 404.
    assert service_any_db.put("/v1/plans/nope/details", json={"passengers": []}).status_code == 404


@pytest.mark.parametrize(
    ("entry", "code", "path"),
    [
        (
            {"passenger_id": "NOBODY", "name": "Kari Nordmann"},
            "DETAILS_UNKNOWN_PASSENGER",
            "passengers",
        ),
        ({"passenger_id": "{first}", "name": "A" * 201}, "DETAILS_TOO_LONG", "passengers[0].name"),
        ({"passenger_id": "{first}", "phone": "ring Kari"}, "DETAILS_PHONE", "passengers[0].phone"),
        ({"passenger_id": "{first}", "name": 7}, "DETAILS_MALFORMED", "passengers[0].name"),
        ({"passenger_id": "{first}", "birth": "1961"}, "DETAILS_MALFORMED", "passengers[0]"),
    ],
)
def test_bad_details_name_the_passenger_and_field_never_the_value(
    service: Service, entry: dict[str, Any], code: str, path: str
) -> None:
    plan = tiny_plan(num_passengers=2)
    plan_id = service.post("/v1/plans", json=plan, params={"day": "mon"}).json()["plan_id"]
    first = plan["passengers"][0]["id"]
    sent = {k: (v.format(first=first) if isinstance(v, str) else v) for k, v in entry.items()}
    response = service.put(f"/v1/plans/{plan_id}/details", json={"passengers": [sent]})
    assert response.status_code == 422, response.text
    error = response.json()["errors"][0]
    assert (error["code"], error["path"]) == (code, path)
    assert error["id"] == sent["passenger_id"]
    for value in sent.values():
        if isinstance(value, str) and value != sent["passenger_id"]:
            assert value not in response.text
    # Nothing was stored.
    assert service.get(f"/v1/plans/{plan_id}/details", role="admin").json()["passengers"] == []


def test_details_need_json_or_csv_and_the_details_write_permission(service: Service) -> None:
    plan_id = service.post("/v1/plans", json=tiny_plan(), params={"day": "mon"}).json()["plan_id"]
    path = f"/v1/plans/{plan_id}/details"
    wrong = service.put(path, content=b"<x/>", headers={"Content-Type": "application/xml"})
    assert wrong.status_code == 415
    assert service.put(path, json={"passengers": []}, role="analyst").status_code == 403
    assert service.put(path, json={"passengers": []}, role="dispatcher").status_code == 200
    assert service.delete(path, role="analyst").status_code == 403


def test_two_entries_for_one_passenger_and_rows_without_an_id_are_refused() -> None:
    with pytest.raises(InputError) as error:
        details_from_json(
            {"passengers": [{"passenger_id": "P1", "name": "A"}, {"passenger_id": "P1"}]}
        )
    assert error.value.codes == ("DETAILS_DUPLICATE_ID",)
    with pytest.raises(InputError) as error:
        details_from_csv("id,navn\n,Kari\nP2,Ola\n")
    assert [(i.code, i.path) for i in error.value.issues] == [("CSV_VALUE", "rows[2].passenger_id")]
    with pytest.raises(InputError) as error:
        details_from_csv("id,fødselsår\nP2,1961\n")
    assert error.value.codes == ("CSV_HEADER",)
