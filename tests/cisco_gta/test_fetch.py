"""Cisco GTA fetch-incidents: new alerts oldest first, then modified ones as updates, under two time
bookmarks with a look-back; enrichment from the threat detections."""
from __future__ import annotations

import json

import pytest

from soarpacks.integrations.common import errors
from soarpacks.tools.cli import main

from .conftest import fetch


def test_alerts_come_oldest_first_and_a_second_run_returns_nothing_new(gta):
    first = fetch(gta, max_fetch=1000)
    assert [i["occurred"] for i in first] == sorted(i["occurred"] for i in first)
    assert len(first) == 300 and fetch(gta) == []


def test_alerts_sharing_a_timestamp_are_neither_lost_nor_repeated_when_max_fetch_cuts_between_them(gta, sim):
    times = [a["triggeredAt"] for a in sim.simulator.alerts.values()]
    assert len(times) > len(set(times)), "the seeded world has bursts that share a timestamp"
    ids = []
    for _ in range(200):
        batch = fetch(gta, max_fetch=7)
        if not batch:
            break
        ids += [i["id"] for i in batch]
    assert len(ids) == len(set(ids)) == 300


def test_a_status_change_comes_back_as_an_update_of_the_same_incident(gta):
    alert_id = fetch(gta, max_fetch=1000)[10]["id"]
    gta.run("update-status", {"alert_id": alert_id, "status": "Closed", "closing_reasons": "FalsePositive"})
    updates = fetch(gta)
    assert [(u["id"], u["status"], u["labels"]["change"]) for u in updates] == [(alert_id, "Closed", "update")]
    assert fetch(gta) == []


def test_an_alert_handed_over_as_new_is_not_repeated_as_an_update_in_the_same_run(gta, sim):
    fetch(gta, max_fetch=1000)
    newest = sorted(sim.simulator.alerts.values(), key=lambda a: a["triggeredAt"])[-1]
    sim.simulator.touch(newest["id"])
    assert [i["id"] for i in fetch(gta)] == [newest["id"]]


def test_updates_can_be_turned_off(gta):
    alert_id = fetch(gta, max_fetch=1000)[0]["id"]
    gta.run("cisco-gta-set-note", {"alert_id": alert_id, "note": "looking"})
    assert fetch(gta, include_updates=False) == []


def test_first_fetch_limits_the_first_run(gta, sim):
    alerts = sorted(sim.simulator.alerts.values(), key=lambda a: a["triggeredAt"])
    incidents = gta.fetch_all({"first_fetch": alerts[-5]["triggeredAt"], "max_fetch": 1000})
    assert [i["id"] for i in incidents] == [a["id"] for a in alerts[-5:]]


def test_an_unreadable_bookmark_stops_the_fetch(gta):
    gta.store.save(gta.state_key(), {"triggered": "not a time"})
    with pytest.raises(errors.StateError):
        fetch(gta)


def test_an_enriched_incident_is_named_after_its_threats_and_asset_with_the_asset_as_indicator(gta, sim):
    incidents = fetch(gta, max_fetch=20, enrich_detections=3)
    alerts = sim.simulator.alerts
    for incident in incidents:
        detections = [d for d in sim.simulator.detections.values() if incident["id"] in d["alertIds"]]
        if not detections:
            continue
        assets = {d["affectedAssetId"] for d in detections}
        assert " on " in incident["name"] and "alert" not in incident["name"], incident["name"]
        assert any(a.replace(".", "[.]") in incident["name"] for a in assets)
        assert {i["value"] for i in incident["indicators"] if i["role"] == "asset"} <= assets
        assert incident["indicators"] and incident["raw"] == alerts[incident["id"]]


def _detection_reads(sim):
    return sum(1 for _, path in sim.simulator.requests if path.endswith("/threat-detections"))


def test_enrichment_reads_at_most_enrich_detections_per_alert(gta, sim):
    fetch(gta, max_fetch=10, enrich_detections=1)
    assert _detection_reads(sim) == 10
    assert sim.simulator.count("/events/convicting", "GET") <= 10


def test_enrich_detections_0_reads_the_alert_list_only_and_names_risk_and_id(gta, sim):
    incidents = fetch(gta, max_fetch=10)
    assert _detection_reads(sim) == 0
    assert incidents[0]["name"] == f"{incidents[0]['raw']['risk']} risk alert {incidents[0]['id'][:12]}"
    assert incidents[0]["indicators"] == []


def test_an_alert_removed_before_its_detections_are_read_is_still_handed_over(gta, sim):
    first = fetch(gta, max_fetch=1)[0]
    gone = next(a for a in sim.simulator.alerts if a != first["id"])
    original = sim.simulator.alert_detections
    sim.simulator.alert_detections = lambda request, cid, alert_id: original(
        request, cid, "removed" if alert_id == gone else alert_id)   # answers 404 for that alert only
    incidents = fetch(gta, max_fetch=300, enrich_detections=2)
    assert gone in [i["id"] for i in incidents]


def test_the_cli_fetch_with_a_state_file_prints_only_what_is_new_and_then_the_update(capsys, tmp_path):
    state = str(tmp_path / "state.db")
    runs = []
    while not runs or runs[-1]:  # max_fetch (default 200) spreads a backlog over several runs
        assert main(["run", "cisco_gta", "fetch-incidents", "--simulate", "-o", "json", "--state", state]) == 0
        runs.append(json.loads(capsys.readouterr().out))
        assert len(runs) < 20
    ids = [i["id"] for run in runs for i in run]
    assert len(ids) == len(set(ids)) > 0
    assert main(["run", "cisco_gta", "fetch-incidents", "--simulate", "-o", "json", "--state", state]) == 0
    assert json.loads(capsys.readouterr().out) == []
    alert_id = ids[0]
    assert main(["run", "cisco_gta", "update-status", f"alert_id={alert_id}", "status=Open", "--simulate",
                 "--state", state]) == 0
    capsys.readouterr()
    assert main(["run", "cisco_gta", "fetch-incidents", "--simulate", "-o", "json", "--state", state]) == 0
    again = json.loads(capsys.readouterr().out)
    assert [(i["id"], i["status"]) for i in again] == [(alert_id, "Open")]
