"""Incident updates: an incident changed at Alert Logic after it was fetched comes back as an update of
the same id (partner_incidents by updateTime), once per change, never as a new incident; and the
simulator's partner_incidents answers as the official definitions say."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import requests

from soarpacks.integrations.common.platform.mirroring import is_update
from tests.support import drain

from .test_simulator import assert_documented, assert_fits

ALL = {"first_fetch": "30 days", "max_fetch": 1000}


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def _fetched(al) -> list[dict]:
    incidents = al.fetch_all(ALL)
    assert incidents and not any(is_update(i) for i in incidents)
    return incidents


def test_an_incident_completed_in_the_console_comes_back_as_an_update_of_the_same_id(al, sim):
    first = _fetched(al)[0]
    sim.console_edit(first["id"], status="completed", reason_code="threat_not_valid")
    (update,) = al.fetch_all(ALL)
    assert update["id"] == first["id"] and is_update(update)
    assert update["status"] == "completed" and update["updated"] > first["updated"]
    assert al.fetch_all(ALL) == []


def test_each_change_of_an_incident_comes_back_once(al, sim):
    first = _fetched(al)[0]
    sim.console_edit(first["id"], status="completed", at=_now() - timedelta(seconds=30))
    assert [u["status"] for u in al.fetch_all(ALL)] == ["completed"]
    sim.console_edit(first["id"], status="open")
    assert [u["status"] for u in al.fetch_all(ALL)] == ["open"]
    assert al.fetch_all(ALL) == []


def test_with_include_updates_off_a_change_is_not_returned(al, sim):
    first = _fetched(al)[0]
    sim.console_edit(first["id"], status="completed")
    assert al.fetch_all({**ALL, "include_updates": False}) == []


def test_a_status_change_through_the_write_endpoint_comes_back_as_an_update(al, sim):
    first = _fetched(al)[0]
    al.run("update-status", {"incident_id": first["id"], "status": "completed", "reason_code": "acceptable_risk",
                             "notes": "known scanner"})
    (update,) = al.fetch_all(ALL)
    assert update["id"] == first["id"] and update["status"] == "completed"


def test_an_incident_changed_before_it_was_fetched_arrives_once_as_new(al, sim):
    incident_id = sim.add_incident(created=_now() - timedelta(minutes=20))
    sim.console_edit(incident_id, status="completed")
    handed = drain(al, ALL)
    mine = [i for i in handed if i["id"] == incident_id]
    assert len(mine) == 1 and not is_update(mine[0]) and mine[0]["status"] == "completed"


def test_an_edit_the_api_shows_late_is_still_returned_within_the_look_back(al, sim):
    first = _fetched(al)[0]
    sim.console_edit(first["id"], status="completed", at=_now() - timedelta(seconds=20), indexed=False)
    assert al.fetch_all({**ALL, "look_back": 5}) == []
    sim.index(first["id"])
    (update,) = al.fetch_all({**ALL, "look_back": 5})
    assert update["id"] == first["id"] and update["status"] == "completed"


def test_updates_of_a_managed_account_are_left_out(al, sim):
    _fetched(al)
    sim.managed_incident(created=_now() - timedelta(days=3))
    other = next(i for i, inc in sim.incidents.items() if inc["accountId"] != sim.account_id)
    sim.console_edit(other, status="completed")
    assert al.fetch_all(ALL) == []


def test_many_updates_with_a_small_max_fetch_each_arrive_once_in_update_order(al, sim):
    incidents = _fetched(al)
    base = _now() - timedelta(seconds=60)
    for number, incident in enumerate(incidents[:7]):
        sim.console_edit(incident["id"], status="completed", at=base + timedelta(seconds=number // 2))
    sim.unstable_order = True
    handed = drain(al, {**ALL, "max_fetch": 2})
    expected = sorted((number // 2, i["id"]) for number, i in enumerate(incidents[:7]))  # (updateTime, id)
    assert [u["id"] for u in handed] == [incident_id for _, incident_id in expected]
    assert all(is_update(u) for u in handed)


def test_list_updated_incidents_lists_the_accounts_changed_incidents_oldest_update_first(al, sim):
    ids = list(sim.incidents)[:3]
    for number, incident_id in enumerate(reversed(ids)):
        sim.console_edit(incident_id, status="completed", at=_now() - timedelta(minutes=10 - number))
    sim.managed_incident(created=_now() - timedelta(minutes=3))
    result = al.run("alertlogic-list-updated-incidents", {"updated_after": "11 minutes", "limit": 0})
    assert [i["id"] for i in result.outputs] == list(reversed(ids))
    assert all(i["status"] == "completed" and "raw" not in i for i in result.outputs)
    limited = al.run("alertlogic-list-updated-incidents", {"updated_after": "11 minutes", "limit": 1})
    assert [i["id"] for i in limited.outputs] == [ids[-1]]


# --- the simulator's partner_incidents against iris.v3.yaml -------------------------------------------

@pytest.fixture
def api(server, sim):
    session = requests.Session()
    login = session.post(f"{server.url}/aims/v1/authenticate", auth=(sim.username, sim.password))
    session.headers["x-aims-auth-token"] = login.json()["authentication"]["token"]
    session.base = f"{server.url}/iris/v3/{sim.account_id}/partner_incidents"  # type: ignore[attr-defined]
    return session


def test_partner_incidents_pages_by_update_time_as_documented(api, sim):
    incident_id = next(iter(sim.incidents))
    sim.console_edit(incident_id, status="completed")
    window = {"start_time": int((_now() - timedelta(minutes=1)).timestamp()), "end_time": int(_now().timestamp()) + 1}
    page = api.get(api.base, params={**window, "time_stamp": "updateTime", "pagination": "true", "limit": 10})
    assert_documented(page)
    assert_fits({"$ref": "#/components/schemas/PaginatedIncidentList"}, page.json())
    assert [i["incidentId"] for i in page.json()["iris_items"]] == [incident_id]
    bare = api.get(api.base, params={**window, "time_stamp": "updateTime"})
    assert_documented(bare)
    assert_fits({"$ref": "#/components/schemas/IncidentList"}, bare.json())
    by_creation = api.get(api.base, params=window).json()  # time_stamp defaults to createTime
    assert incident_id not in [i["incidentId"] for i in by_creation]


@pytest.mark.parametrize("params, message", [
    ({"start_time": 0}, "start_time and end_time query strings must be provided"),
    ({"start_time": 0, "end_time": 1, "time_stamp": "modifiedTime"}, "time_stamp query string must be updateTime or createTime"),
    ({"start_time": "yesterday", "end_time": 1}, "Invalid arguments"),
])
def test_partner_incidents_refusals_are_the_documented_400s(api, params, message):
    answer = api.get(api.base, params=params)
    assert_documented(answer)
    assert answer.status_code == 400 and answer.json() == {"code": 400, "error": message}
