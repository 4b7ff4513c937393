"""No passenger id, coordinate, address, name, phone or note reaches the logs or the metrics.

A real `dagrute serve` (API, worker, solver processes) logs at DEBUG while it receives a plan
with a planted canary passenger id and canary coordinates, solves it, and answers bad input,
a check, a matrix, a CSV import and a VROOM problem carrying the same canaries; then a
dispatcher reads manifests with canary passenger details (sent once wrongly, once right).
"""

from __future__ import annotations

import json
from pathlib import Path

from servicekit import ServeProcess, tiny_plan, wait_for_job

from app.api.keys import create_key
from app.db.session import Database

CANARY_ID = "CANARY-PASSENGER-7f3e9b"
CANARY_LAT = 59.88871234567
CANARY_LON = 10.80521234567
CANARY_DIGITS = ("8871234567", "0521234567")
CANARY_DETAILS = ("Canary Nordmann-5b1c", "Canarygata 77", "+47 400 77 123", "canary-note-9d2")


def canary_plan() -> dict:  # type: ignore[type-arg]
    plan = tiny_plan(num_passengers=3)
    plan["passengers"][0]["id"] = CANARY_ID
    plan["passengers"][0]["home"] = {"lat": CANARY_LAT, "lon": CANARY_LON}
    return plan


def assert_no_canary(text: str, where: str) -> None:
    assert CANARY_ID not in text, f"the canary passenger id is in the {where}"
    for digits in CANARY_DIGITS:
        assert digits not in text, f"a canary coordinate is in the {where}"
    for value in CANARY_DETAILS:
        assert value not in text, f"a canary name, address, phone or note is in the {where}"


def test_canaries_never_reach_logs_or_metrics(sqlite_url: str, tmp_path: Path) -> None:
    database = Database(sqlite_url)
    headers = {"Authorization": f"Bearer {create_key(database, 'p', 'planner').token}"}
    dispatcher = {"Authorization": f"Bearer {create_key(database, 'd', 'dispatcher').token}"}
    database.dispose()
    log = tmp_path / "serve.log"
    serve = ServeProcess(sqlite_url, log, workers=1, DAGRUTE_LOG_LEVEL="DEBUG")
    try:
        client = serve.client
        plan = canary_plan()
        submitted = client.post("/v1/plans", json=plan, params={"day": "mon"}, headers=headers)
        assert submitted.status_code == 202, submitted.text
        job_id = submitted.json()["id"]
        bad = canary_plan()
        bad["passengers"][0]["centre_id"] = "NOWHERE"
        bad["passengers"][0]["escorts"] = "two"
        assert client.post("/v1/plans", json=bad, headers=headers).status_code == 422
        far = canary_plan()
        far["passengers"][0]["home"] = {"lat": 61.01234567, "lon": CANARY_LON}
        assert client.post("/v1/plans", json=far, headers=headers).status_code == 422
        point = {"lat": CANARY_LAT, "lon": CANARY_LON}
        matrix = client.post("/v1/matrix", json={"points": [point, point]}, headers=headers)
        assert matrix.status_code == 200, matrix.text
        csv = f"id;senter;breddegrad;lengdegrad;dager\n{CANARY_ID};C01;{CANARY_LAT};x;man\n"
        imported = client.post(
            "/v1/import/passengers",
            content=csv.encode(),
            headers={**headers, "Content-Type": "text/csv"},
        )
        assert imported.status_code == 422
        vroom = {
            "vehicles": [{"id": 1, "start": [CANARY_LON, CANARY_LAT]}],
            "jobs": [{"id": 1, "location": [CANARY_LON, CANARY_LAT], "pickup": [9, 9]}],
        }
        assert client.post("/v1/vroom", json=vroom, headers=headers).status_code == 422
        job = wait_for_job(lambda p: client.get(p, headers=headers), job_id)
        assert job["status"] == "succeeded", job
        name, address, phone, notes = CANARY_DETAILS
        details = {"passenger_id": CANARY_ID, "name": name, "address": address, "notes": notes}
        plan_id = submitted.json()["plan_id"]
        bad_details = {"passengers": [{**details, "phone": "call " + phone}]}
        refused = client.put(f"/v1/plans/{plan_id}/details", json=bad_details, headers=headers)
        assert refused.status_code == 422 and phone not in refused.text
        good_details = {"passengers": [{**details, "phone": phone}]}
        stored = client.put(f"/v1/plans/{plan_id}/details", json=good_details, headers=headers)
        assert stored.status_code == 200, stored.text
        vehicle_id = client.get(f"/v1/jobs/{job_id}/days/mon/to_centre", headers=headers).json()[
            "routes"
        ][0]["vehicle_id"]
        for fmt in ("json", "html"):
            shown = client.get(
                f"/v1/jobs/{job_id}/manifests/mon/{vehicle_id}",
                params={"format": fmt},
                headers=dispatcher,
            )
            assert shown.status_code == 200
        result = client.get(f"/v1/jobs/{job_id}/result", headers=headers).json()
        assert CANARY_ID in json.dumps(result)  # the planner gets their own data back
        check = client.post("/v1/check", json={"plan": plan, "result": result}, headers=headers)
        assert check.status_code == 200 and check.json()["num_violations"] == 0, check.text
        metrics = client.get("/metrics").text
        assert "dagrute_http_requests_total" in metrics
    finally:
        serve.stop()
    logs = serve.output()
    assert "job succeeded" in logs and "day solved" in logs  # DEBUG logging was on
    assert_no_canary(logs, "logs")
    assert_no_canary(metrics, "metrics")
