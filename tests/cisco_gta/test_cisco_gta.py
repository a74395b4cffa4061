"""Cisco Global Threat Alerts, against its simulator."""
from __future__ import annotations

import json

import pytest

from soarpacks.integrations.common import errors
from soarpacks.integrations.common.registry import get
from soarpacks.integrations.common.retry import FAST_RETRY
from soarpacks.integrations.common.runner import Instance
from soarpacks.integrations.common.simkit import serve
from soarpacks.integrations.common.state import MemoryStateStore
from soarpacks.integrations.cisco_gta.simulator import CLOSING_REASONS, Simulator
from soarpacks.tools.cli import main

GTA = get("cisco_gta")


@pytest.fixture
def sim():
    simulator = Simulator(alerts=300, retry_after=0)
    with serve(simulator) as served:
        yield served


@pytest.fixture
def gta(sim):
    return Instance.configure(GTA, sim.params(), store=MemoryStateStore(), retry=FAST_RETRY)


def fetch(instance, **args):
    """A fetch from the alert list alone unless a test asks for enrichment (it costs requests per alert)."""
    return instance.fetch_all({"first_fetch": "46 days", "enrich_detections": 0, **args})


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


def test_severity_follows_risk(gta):
    by_risk = {i["raw"]["risk"]: i["severity"] for i in fetch(gta, max_fetch=1000)}
    assert by_risk == {"Low": 1, "Medium": 2, "High": 3, "Critical": 4}


def test_get_event_returns_detections_with_their_convicting_events(gta, sim):
    alert_id = next(iter(sim.simulator.alerts))
    result = gta.run("get-event", {"alert_id": alert_id})
    detections = [d for d in sim.simulator.detections.values() if alert_id in d["alertIds"]]
    assert result.outputs["detectionCount"] == len(detections) >= 1
    assert all(e["threatDetectionIds"] for d in result.outputs["threatDetections"] for e in d["convictingEvents"])


def test_a_removed_alert_is_a_clear_not_found(gta, sim):
    alert_id = next(iter(sim.simulator.alerts))
    sim.simulator.remove_alert(alert_id)
    with pytest.raises(errors.NotFoundError, match="removed 45 days"):
        gta.run("get-event", {"alert_id": alert_id})


def test_closing_reasons_without_closed_are_rejected_before_any_request(gta, sim):
    before = len(sim.simulator.requests)
    with pytest.raises(errors.InputError, match="closing_reasons"):
        gta.run("update-status", {"alert_id": "a" * 64, "status": "Open", "closing_reasons": "FalsePositive"})
    assert len(sim.simulator.requests) == before


def test_update_status_sets_the_note_in_the_same_call(gta, sim):
    alert_id = next(iter(sim.simulator.alerts))
    result = gta.run("update-status", {"alert_id": alert_id, "status": "Open", "note": "ticket 42"})
    assert result.outputs["status"]["value"] == "Open" and result.outputs["note"] == "ticket 42"


def test_notes_can_be_set_and_deleted(gta, sim):
    alert_id = next(iter(sim.simulator.alerts))
    assert gta.run("cisco-gta-set-note", {"alert_id": alert_id, "note": "n"}).outputs["note"] == "n"
    assert gta.run("cisco-gta-delete-note", {"alert_id": alert_id}).outputs["note"] is None


def test_list_alerts_reads_every_page_when_the_limit_is_zero(gta, sim):
    sim.simulator.alerts.update({})
    result = gta.run("cisco-gta-list-alerts", {"limit": 0, "sort": "triggeredAt:asc"})
    assert len(result.outputs) == 300


def test_list_alerts_by_id_uses_the_bulk_search_in_chunks_of_1000():
    simulator = Simulator(alerts=1500)
    with serve(simulator) as served:
        instance = Instance.configure(GTA, served.params(), retry=FAST_RETRY)
        ids = list(simulator.alerts)
        result = instance.run("cisco-gta-list-alerts", {"alert_ids": ",".join(ids), "limit": 0})
        assert len(result.outputs) == 1500 and simulator.count("/alerts/search", "POST") == 2


def test_list_alerts_filters_by_risk(gta):
    result = gta.run("cisco-gta-list-alerts", {"risk": "Critical", "limit": 0})
    assert result.outputs and {a["risk"] for a in result.outputs} == {"Critical"}


def test_events_resume_from_the_stored_sequence_number(gta, sim):
    total = len(sim.simulator.events)
    first = gta.run("cisco-gta-list-events", {"resume": "true", "limit": 100}).outputs
    rest = gta.run("cisco-gta-list-events", {"resume": "true", "limit": 100000}).outputs
    numbers = [e["modificationSequenceNumber"] for e in first + rest]
    assert len(numbers) == len(set(numbers)) == total and numbers == sorted(numbers)


def test_the_customer_id_is_looked_up_when_not_configured(sim):
    params = {k: v for k, v in sim.params().items() if k != "customer_id"}
    instance = Instance.configure(GTA, params, retry=FAST_RETRY)
    assert instance.run("test-module").outputs["customer_id"] == "CTA123456789"


def test_a_wrong_client_secret_is_an_auth_error(sim):
    instance = Instance.configure(GTA, {**sim.params(), "client_secret": "wrong-secret"}, retry=FAST_RETRY)
    with pytest.raises(errors.AuthError, match="unknown client"):
        instance.run("test-module")


def test_the_simulator_rejects_a_lowercase_bearer_like_the_vendor(sim):
    import requests
    token = requests.post(sim.url + "/iroh/oauth2/token", data={"grant_type": "client_credentials"},
                          auth=("sim-client", "canary-cisco-gta-secret")).json()["access_token"]
    url = sim.url + "/alert-management/customer/CTA123456789/alerts?size=1"
    assert requests.get(url, headers={"Authorization": f"bearer {token}"}).status_code == 401
    assert requests.get(url, headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert requests.get(url.replace("size=1", "size=1001"), headers={"Authorization": f"Bearer {token}"}).status_code == 400


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


# --- incidents an analyst can triage: threat, asset and indicators from the threat detections ----------

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


def test_an_unknown_closing_reason_is_rejected_before_any_request_naming_the_allowed_ones(gta, sim):
    before = len(sim.simulator.requests)
    with pytest.raises(errors.InputError, match="FalsePositive, Remediated, AcceptedRisk, Duplicate, Other"):
        gta.run("update-status", {"alert_id": "a" * 64, "status": "Closed", "closing_reasons": ["NotARealReason"]})
    assert len(sim.simulator.requests) == before


def test_the_manifest_closing_reasons_are_the_ones_the_simulator_accepts():
    arg = next(a for a in get("cisco_gta").manifest.command("update-status").args if a["name"] == "closing_reasons")
    assert set(arg["enum"]) == CLOSING_REASONS


def test_indicators_are_the_affected_assets_and_the_remote_sides_convicting_events_name():
    from soarpacks.integrations.cisco_gta.handlers import detection_indicators
    detections = [{"affectedAssetId": "10.0.0.5", "convictingEvents": [
        {"remoteIp": "203.0.113.9", "remoteHost": "c2.example.net"}, {"url": "http://c2.example.net/beacon"}]},
        {"affectedAssetId": "laptop-17", "convictingEvents": [{"remoteIp": "203.0.113.9"}]}]
    assert detection_indicators(detections) == [
        {"type": "ip", "value": "10.0.0.5", "role": "asset"},
        {"type": "ip", "value": "203.0.113.9", "role": "remote"},
        {"type": "domain", "value": "c2.example.net", "role": "remote"},
        {"type": "url", "value": "http://c2.example.net/beacon", "role": "remote"},
        {"type": "host", "value": "laptop-17", "role": "asset"},
    ]
