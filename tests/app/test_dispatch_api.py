"""The dispatcher's day over HTTP: changes -> re-plan job -> day version -> diff -> restore.

A real worker re-plans (the same ``replan_week`` as ``dagrute replan``); every version's
routes went through the checker (``violations`` empty). Bad changes answer 422 naming the id.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from servicekit import Service, ThreadWorker, service_settings, tiny_plan


def solved_week(
    service: Service, sqlite_url: str, start_thread_worker: Callable[..., ThreadWorker]
) -> tuple[str, dict[str, Any]]:
    """A tiny Monday solved by a worker (which stays up for the re-plans)."""
    response = service.post("/v1/plans", json=tiny_plan(num_passengers=5), params={"day": "mon"})
    assert response.status_code == 202, response.text
    job_id = response.json()["id"]
    start_thread_worker(service_settings(sqlite_url), processes=1)
    assert service.wait_for(job_id)["status"] == "succeeded"
    return job_id, service.get(f"/v1/jobs/{job_id}/result").json()


def pickups(day_plan: dict[str, Any]) -> set[str]:
    return {p for r in day_plan["routes"] for s in r["stops"] for p in s.get("pickups", [])}


def replanned(service: Service, job_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """POST the changes as a dispatcher, wait for the re-plan, and read the version."""
    response = service.post(f"/v1/jobs/{job_id}/days/mon/changes", role="dispatcher", json=body)
    assert response.status_code == 202, response.text
    queued = response.json()
    assert queued["status"] == "queued" and queued["plans"] is None
    assert response.headers["location"] == queued["links"]["self"]
    job = service.wait_for(queued["links"]["job"].rsplit("/", 1)[1])
    assert job["status"] == "succeeded", job
    version: dict[str, Any] = service.get(queued["links"]["self"], role="dispatcher").json()
    return version


def test_an_absence_is_replanned_as_a_new_version_and_restored(
    service: Service, sqlite_url: str, start_thread_worker: Callable[..., ThreadWorker]
) -> None:
    job_id, week = solved_week(service, sqlite_url, start_thread_worker)
    morning = week["plans"][0]
    absent = sorted(pickups(morning))[0]
    version = replanned(
        service,
        job_id,
        {
            "changes": [{"kind": "absence", "passenger_id": absent, "note": "ill"}],
            "time_limit_s": 1,
        },
    )
    assert version["version"] == 1 and version["is_current"] and version["based_on"] == 0
    assert version["violations"] == []
    assert [p["direction"] for p in version["plans"]] == ["to_centre", "from_centre"]
    assert all(absent not in pickups(p) for p in version["plans"])
    for diff in version["diffs"]:
        assert diff["unaffected_changed"] == 0
        assert [t["why"] for t in diff["trips"] if t["passenger_id"] == absent] == ["absent"]
    assert version["in_force"] == version["changes"]
    # The day's routes and manifests are the current version's now.
    day = service.get(f"/v1/jobs/{job_id}/days/mon/to_centre", role="dispatcher")
    assert day.headers["dagrute-day-version"] == "1"
    assert absent not in pickups(day.json())
    vehicle_id = morning["routes"][0]["vehicle_id"]
    manifest = service.get(f"/v1/jobs/{job_id}/manifests/mon/{vehicle_id}", role="dispatcher")
    boarding = {p["passenger_id"] for r in manifest.json()["routes"] for s in r["stops"]
                for p in s["boarding"]}  # fmt: skip
    assert absent not in boarding
    # A second change builds on the first: both are in force.
    second = sorted(pickups(morning))[1]
    version2 = replanned(
        service,
        job_id,
        {"changes": [{"kind": "absence", "passenger_id": second, "direction": "to_centre"}]},
    )
    assert version2["based_on"] == 1 and len(version2["in_force"]) == 2
    assert not {absent, second} & pickups(version2["plans"][0])
    assert second in pickups(version2["plans"][1])  # absent in the morning only
    history = service.get(f"/v1/jobs/{job_id}/days/mon/versions", role="dispatcher").json()
    assert [v["version"] for v in history["versions"]] == [0, 1, 2] and history["current"] == 2
    assert history["versions"][1]["num_changes"] == 1
    # Restore the day as solved: a new version 3 with version 0's routes, nothing in force.
    restored = service.post(
        f"/v1/jobs/{job_id}/days/mon/versions/0/restore", role="dispatcher", json={"note": "undo"}
    )
    assert restored.status_code == 201, restored.text
    assert restored.json()["version"] == 3 and restored.json()["in_force"] == []
    assert restored.json()["plans"][0] == morning
    assert {t["passenger_id"] for t in restored.json()["diffs"][0]["trips"]} >= {absent, second}
    day = service.get(f"/v1/jobs/{job_id}/days/mon/to_centre", role="dispatcher")
    assert day.headers["dagrute-day-version"] == "3" and day.json() == morning
    again = service.post(f"/v1/jobs/{job_id}/days/mon/versions/3/restore", role="dispatcher")
    assert again.status_code == 409


@pytest.mark.parametrize(
    ("change", "code", "the_id"),
    [
        ({"kind": "absence", "passenger_id": "NOBODY"}, "CHANGE_UNKNOWN_PASSENGER", "NOBODY"),
        ({"kind": "vehicle_late", "vehicle_id": "V999", "minutes": 10}, "CHANGE_UNKNOWN_VEHICLE",
         "V999"),
        ({"kind": "centre_late", "centre_id": "C99", "minutes": 10}, "CHANGE_UNKNOWN_CENTRE",
         "C99"),
    ],
)  # fmt: skip
def test_a_bad_change_is_refused_naming_the_id(
    service: Service,
    sqlite_url: str,
    start_thread_worker: Callable[..., ThreadWorker],
    change: dict[str, Any],
    code: str,
    the_id: str,
) -> None:
    job_id, _ = solved_week(service, sqlite_url, start_thread_worker)
    response = service.post(
        f"/v1/jobs/{job_id}/days/mon/changes", role="dispatcher", json={"changes": [change]}
    )
    assert response.status_code == 422, response.text
    (error,) = response.json()["errors"]
    assert (error["code"], error["path"]) == (code, "changes[0]")
    assert the_id in error["message"] and error["hint"]


def test_changes_need_a_planned_day_a_known_kind_and_the_right_role(
    service: Service, sqlite_url: str, start_thread_worker: Callable[..., ThreadWorker]
) -> None:
    job_id, week = solved_week(service, sqlite_url, start_thread_worker)
    absent = sorted(pickups(week["plans"][0]))[0]
    body = {"changes": [{"kind": "absence", "passenger_id": absent}]}
    tuesday = service.post(f"/v1/jobs/{job_id}/days/tue/changes", role="dispatcher", json=body)
    assert tuesday.status_code == 409
    assert tuesday.json()["errors"][0]["code"] == "CHANGE_DAY_NOT_PLANNED"
    analyst = service.post(f"/v1/jobs/{job_id}/days/mon/changes", role="analyst", json=body)
    assert analyst.status_code == 403
    bad = service.post(
        f"/v1/jobs/{job_id}/days/mon/changes",
        role="dispatcher",
        json={"changes": [{"kind": "vehicle_late", "vehicle_id": "V001"}]},
    )
    assert bad.status_code == 422 and "minutes" in bad.text
    unknown = service.get(f"/v1/jobs/{job_id}/days/mon/versions/7", role="dispatcher")
    assert unknown.status_code == 404
    zero = service.get(f"/v1/jobs/{job_id}/days/mon/versions/0", role="dispatcher").json()
    assert zero["kind"] == "solved" and zero["is_current"] and zero["plans"] == week["plans"]


def test_another_address_off_the_roads_is_refused_naming_the_passenger(
    service: Service, sqlite_url: str, start_thread_worker: Callable[..., ThreadWorker]
) -> None:
    job_id, week = solved_week(service, sqlite_url, start_thread_worker)
    moving = sorted(pickups(week["plans"][0]))[0]
    far = {"lat": 59.935, "lon": 10.86}  # 2 km from the bundled roads
    response = service.post(
        f"/v1/jobs/{job_id}/days/mon/changes",
        role="dispatcher",
        json={"changes": [{"kind": "address", "passenger_id": moving, "location": far}]},
    )
    assert response.status_code == 422, response.text
    (error,) = response.json()["errors"]
    assert error["code"] == "INPUT_OFF_ROAD" and moving in error["message"]


def test_a_hand_edit_holds_or_its_version_fails_naming_the_passenger(
    service: Service, sqlite_url: str, start_thread_worker: Callable[..., ThreadWorker]
) -> None:
    job_id, week = solved_week(service, sqlite_url, start_thread_worker)
    morning = week["plans"][0]
    route = next(r for r in morning["routes"] if r["stops"])
    moved = sorted(p for s in route["stops"] for p in s.get("pickups", []))[0]
    other = next(v for v in ("V001", "V002") if v != route["vehicle_id"])
    edit = {"kind": "assign", "passenger_id": moved, "vehicle_id": other, "direction": "to_centre"}
    version = replanned(service, job_id, {"changes": [edit], "note": "knows the driver"})
    (diff,) = [d for d in version["diffs"] if d["direction"] == "to_centre"]
    (trip,) = [t for t in diff["trips"] if t["passenger_id"] == moved]
    assert (trip["why"], trip["vehicle_after"]) == ("assigned", other)
    assert version["violations"] == []
    # A pickup at 05:00 no window allows: the re-plan refuses it instead of moving them.
    impossible = {**edit, "pickup": "05:00"}
    response = service.post(
        f"/v1/jobs/{job_id}/days/mon/changes", role="dispatcher", json={"changes": [impossible]}
    )
    assert response.status_code == 202, response.text
    queued = response.json()
    job = service.wait_for(queued["links"]["job"].rsplit("/", 1)[1])
    assert job["status"] == "failed"
    failed = service.get(queued["links"]["self"], role="dispatcher").json()
    assert failed["status"] == "failed" and failed["plans"] is None
    (error,) = failed["error"]["errors"]
    assert error["code"] == "CHANGE_LOCK_CANNOT_HOLD" and moved in error["message"]
    history = service.get(f"/v1/jobs/{job_id}/days/mon/versions", role="dispatcher").json()
    assert history["current"] == 1  # the failed version never became current


def test_a_hand_move_is_previewed_at_once_and_kept_by_recording_its_changes(
    service: Service, sqlite_url: str, start_thread_worker: Callable[..., ThreadWorker]
) -> None:
    job_id, week = solved_week(service, sqlite_url, start_thread_worker)
    morning = week["plans"][0]
    vehicle_of = {p: r["vehicle_id"] for r in morning["routes"] for s in r["stops"]
                  for p in s.get("pickups", [])}  # fmt: skip
    mover = sorted(vehicle_of)[0]
    target = next(v["id"] for v in tiny_plan()["vehicles"] if v["id"] != vehicle_of[mover])
    path = f"/v1/jobs/{job_id}/days/mon/moves"
    body = {"direction": "to_centre", "moves": [{"passenger_id": mover, "vehicle_id": target}]}
    preview = service.post(path, role="dispatcher", json=body)
    assert preview.status_code == 200, preview.text
    answer = preview.json()
    assert answer["version"] == 0 and target in answer["vehicles"]
    moved = {p: r["vehicle_id"] for r in answer["plan"]["routes"] for s in r["stops"]
             for p in s.get("pickups", [])}  # fmt: skip
    assert moved[mover] == target
    assert {p: v for p, v in moved.items() if p != mover} == {
        p: v for p, v in vehicle_of.items() if p != mover
    }
    assert answer["violations"] == [] and answer["is_timed"]
    assert all(r["geometry"] for r in answer["plan"]["routes"])
    (change,) = answer["changes"]
    assert (change["kind"], change["passenger_id"], change["vehicle_id"]) == (
        "assign",
        mover,
        target,
    )
    # Nothing was stored: the day is still version 0, until the moves are recorded.
    history = service.get(f"/v1/jobs/{job_id}/days/mon/versions", role="dispatcher").json()
    assert history["current"] == 0
    version = replanned(service, job_id, {"changes": answer["changes"], "time_limit_s": 1})
    assert version["violations"] == []
    kept = {p: r["vehicle_id"] for r in version["plans"][0]["routes"] for s in r["stops"]
            for p in s.get("pickups", [])}  # fmt: skip
    assert kept[mover] == target
    # A bad move names the id; a planner's key may try moves, an analyst's may not.
    bad = {"direction": "to_centre", "moves": [{"passenger_id": "NOBODY", "vehicle_id": target}]}
    refused = service.post(path, role="dispatcher", json=bad)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["code"] == "CHANGE_UNKNOWN_PASSENGER"
    assert refused.json()["errors"][0]["id"] == "NOBODY"
    assert service.post(path, role="analyst", json=body).status_code == 403


def test_a_change_taken_back_leaves_the_changes_in_force_and_its_passenger_rides_again(
    service: Service, sqlite_url: str, start_thread_worker: Callable[..., ThreadWorker]
) -> None:
    job_id, week = solved_week(service, sqlite_url, start_thread_worker)
    absent = sorted(pickups(week["plans"][0]))[0]
    absence = {"kind": "absence", "passenger_id": absent, "direction": None, "note": "ill"}
    first = replanned(service, job_id, {"changes": [absence], "time_limit_s": 1})
    assert absent not in pickups(first["plans"][0])
    (in_force,) = first["in_force"]
    # The absence was a mistake: take it back (as in_force lists it), record nothing new.
    second = replanned(service, job_id, {"withdraw": [in_force], "time_limit_s": 1})
    assert second["changes"] == [] and second["withdrawn"] == [in_force]
    assert second["in_force"] == [] and second["violations"] == []
    assert absent in pickups(second["plans"][0]) and absent in pickups(second["plans"][1])
    whys = {t["passenger_id"]: t["why"] for d in second["diffs"] for t in d["trips"]}
    assert whys[absent] == "withdrawn"
    # Taking back a change that is not in force names it; an empty request is refused.
    again = service.post(
        f"/v1/jobs/{job_id}/days/mon/changes", role="dispatcher", json={"withdraw": [in_force]}
    )
    assert again.status_code == 422
    assert again.json()["errors"][0]["code"] == "CHANGE_NOT_IN_FORCE"
    assert again.json()["errors"][0]["path"] == "withdraw[0]"
    empty = service.post(f"/v1/jobs/{job_id}/days/mon/changes", role="dispatcher", json={})
    assert empty.status_code == 422
