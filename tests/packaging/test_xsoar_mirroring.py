"""xsoar incoming mirroring: declared from the manifest's ``mirroring`` block, and under the stand-in
demistomock against the Cisco simulator, a changed alert reaches XSOAR through get-modified-remote-data /
get-remote-data, not as a second incident. (demisto-sdk validates the mirroring YAML in test_xsoar.py.)"""
from __future__ import annotations

import dataclasses
import json
import sys
from datetime import datetime, timedelta, timezone

import pytest

from soarpacks.integrations.common import errors
from soarpacks.integrations.common.timeutil import parse_time
from soarpacks.tools.packaging import xsoar

from .helpers import STANDINS, fetch_limit_args, platform_settings, run_python
from .test_xsoar import _unified

MIRRORING_COMMANDS = {"get-remote-data", "get-modified-remote-data", "get-mapping-fields"}
# The two packs with vendor writes (issue 16 point 5): each test runs against both simulators.
TWO_WAY = ["cisco_gta", "alertlogic"]


class Cisco:
    """What the SOC does in Cisco's console, and how an alert reads, in the Cisco simulator."""

    @staticmethod
    def latest_change(simulator):
        return max(parse_time(a["modifiedAt"]) for a in simulator.alerts.values())

    @staticmethod
    def close_in_console(simulator, remote_id, at=None):
        simulator.alerts[remote_id]["status"] = {"value": "Closed", "closingReasons": ["FalsePositive"]}
        simulator.touch(remote_id)

    @staticmethod
    def remote_status(raw):
        return raw["status"]["value"]

    @staticmethod
    def closed(simulator, remote_id):
        alert = simulator.alerts[remote_id]
        if alert["status"]["value"] != "Closed":
            return None
        return alert["status"]["closingReasons"], alert.get("note")

    closed_false_positive = (["FalsePositive"], "benign scanner")
    closed_status = "Closed"


class AlertLogic:
    """The same in the Alert Logic simulator: a console edit completes the incident."""

    @staticmethod
    def latest_change(simulator):
        return max(parse_time(i["updateTime"]) for i in simulator.incidents.values())

    @staticmethod
    def close_in_console(simulator, remote_id, at=None):
        simulator.console_edit(remote_id, status="completed", reason_code="threat_not_valid", at=at)

    @staticmethod
    def remote_status(raw):
        return raw["customer_status"]["status"]

    @staticmethod
    def closed(simulator, remote_id):
        status = simulator.incidents[remote_id]["customer_status"]
        if status["status"] != "completed":
            return None
        return status["reason_code"], status["notes"]

    closed_false_positive = ("threat_not_valid", "benign scanner")
    closed_status = "completed"


VENDORS = {"cisco_gta": Cisco, "alertlogic": AlertLogic}


def test_integrations_with_a_mirroring_block_declare_their_mirroring_directions_and_others_do_not(integration,
                                                                                                  dist):
    unified = _unified(dist, integration)
    script, settings = unified["script"], {c["name"]: c for c in unified["configuration"]}
    commands = {c["name"]: c for c in script["commands"]}
    if "mirroring" not in integration.manifest.data:
        assert not {"ismappable", "isremotesyncin"} & set(script) and "mirror_direction" not in settings
        assert not MIRRORING_COMMANDS & set(commands)
        return
    outgoing = "close" in integration.manifest.data["mirroring"]
    assert script["isfetch"] and script["ismappable"] and script["isremotesyncin"]
    assert script["isremotesyncout"] is outgoing
    assert settings["mirror_direction"]["options"] == ["None", "Incoming"] + (
        ["Outgoing", "Incoming And Outgoing"] if outgoing else [])
    assert settings["mirror_direction"]["defaultvalue"] == "None"
    assert MIRRORING_COMMANDS <= set(commands)
    assert ("update-remote-system" in commands) is outgoing
    assert [a["name"] for a in commands["get-remote-data"]["arguments"]] == ["id", "lastUpdate"]
    assert [a["name"] for a in commands["get-modified-remote-data"]["arguments"]] == ["lastUpdate"]


def test_a_mirroring_block_naming_an_unknown_command_or_argument_fails_the_build():
    from soarpacks.integrations.common.registry import discover
    manifest = discover()["cisco_gta"].manifest
    good = manifest.data["mirroring"]
    for bad in ({**good, "get": {"command": "no-such-command", "id_arg": "alert_id"}},
                {**good, "modified": {**good["modified"], "since_arg": "no_such_arg"}}):
        broken = dataclasses.replace(manifest, data={**manifest.data, "mirroring": bad})
        with pytest.raises(errors.ConfigError):
            xsoar.configuration(broken)


def _run(script, invocations, tmp_path, name, last_run=None):
    plan = tmp_path / f"{name}.json"
    plan.write_text(json.dumps({"script": str(script), "invocations": invocations, "lastRun": last_run or {}}))
    folder = tmp_path / name
    folder.mkdir()
    outcome = run_python(sys.executable, STANDINS / "run_xsoar.py", str(plan), tmp=folder)
    for run in outcome["runs"]:
        assert run["raised"] is None and not run["errors"], run["errors"] or run["raised"]
    return outcome["runs"]


@pytest.mark.parametrize("integration", TWO_WAY, indirect=True)
def test_a_changed_alert_is_mirrored_in_and_not_fetched_again(integration, dist, served, tmp_path):
    script = tmp_path / "integration.py"
    script.write_text(_unified(dist, integration)["script"]["script"], encoding="utf-8")
    simulator = served.simulator
    args = fetch_limit_args(integration, simulator)
    settings = platform_settings(integration, served, args, credentials=True)
    mirrored = {**settings, "isFetch": True, "mirror_direction": "Incoming"}
    unmirrored = {**settings, "isFetch": True, "mirror_direction": "None"}

    expected = simulator.expected_incident_count()
    runs = -(-expected // int(args.get("max_fetch") or expected)) + 1  # enough to drain, plus one
    *draining, fetched = _run(script, [{"command": "fetch-incidents", "params": mirrored}] * runs, tmp_path, "fetch")
    assert fetched["incidents"] == [], "still fetching"
    incidents = [i for run in draining for i in run["incidents"]]
    assert len(incidents) == expected
    for incident in incidents:
        assert incident["dbotMirrorDirection"] == "In" and incident["dbotMirrorInstance"] == "stand-in"
    alert_id = incidents[0]["dbotMirrorId"]

    # The SOC closes the alert in the vendor's console after it was fetched.
    vendor = VENDORS[integration.id]
    with simulator.lock:
        # Two seconds past every earlier change: Alert Logic's list overlaps the time asked by one second.
        since = vendor.latest_change(simulator) + timedelta(seconds=2)
        vendor.close_in_console(simulator, alert_id, at=max(datetime.now(timezone.utc), since + timedelta(seconds=1)))
    last_update = since.astimezone(timezone.utc).isoformat()  # XSOAR's lastUpdate: ISO 8601 with an offset

    modified, remote, mapping, refetch = _run(script, [
        {"command": "get-modified-remote-data", "params": mirrored, "args": {"lastUpdate": last_update}},
        {"command": "get-remote-data", "params": mirrored, "args": {"id": alert_id, "lastUpdate": last_update}},
        {"command": "get-mapping-fields", "params": mirrored},
        {"command": "fetch-incidents", "params": mirrored},
    ], tmp_path, "mirror", last_run=fetched["lastRun"])
    (entry,) = modified["results"]
    assert entry["Type"] == 1 and entry["Contents"] == [alert_id]
    ((obj, *entries),) = remote["results"]
    assert obj["id"] == alert_id and vendor.remote_status(obj["raw"]) == vendor.closed_status
    assert entries and all(e["Type"] == 1 for e in entries)
    ((incident_type, fields),) = mapping["results"][0].items()
    assert incident_type == integration.manifest.name and {"id", "status", "raw"} <= set(fields)
    assert refetch["incidents"] == [], "mirroring on: the update became a second incident"



@pytest.mark.parametrize("integration", TWO_WAY, indirect=True)
def test_with_mirroring_off_a_changed_alert_never_becomes_a_second_incident(integration, dist, served, tmp_path):
    script = tmp_path / "integration.py"
    script.write_text(_unified(dist, integration)["script"]["script"], encoding="utf-8")
    simulator = served.simulator
    args = {**fetch_limit_args(integration, simulator), "include_updates": True}
    unmirrored = {**platform_settings(integration, served, args, credentials=True), "isFetch": True,
                  "mirror_direction": "None"}
    expected = simulator.expected_incident_count()
    runs = -(-expected // int(args.get("max_fetch") or expected)) + 1
    *draining, fetched = _run(script, [{"command": "fetch-incidents", "params": unmirrored}] * runs, tmp_path,
                              "fetch")
    incidents = [i for run in draining for i in run["incidents"]]
    assert fetched["incidents"] == [] and len(incidents) == expected
    assert all("dbotMirrorDirection" not in i for i in incidents)
    alert_id = incidents[0]["dbotMirrorId"]

    VENDORS[integration.id].close_in_console(simulator, alert_id)
    (after,) = _run(script, [{"command": "fetch-incidents", "params": unmirrored}], tmp_path, "after",
                    last_run=fetched["lastRun"])
    assert after["incidents"] == [], "the changed alert came back as a second incident"
    assert after["lastRun"] != fetched["lastRun"], "the bookmark did not move past the update"


def _closing(integration, dist, served, tmp_path, direction):
    """Fetch everything with ``direction``, then XSOAR closes the first incident as a false positive."""
    script = tmp_path / "integration.py"
    script.write_text(_unified(dist, integration)["script"]["script"], encoding="utf-8")
    simulator = served.simulator
    args = fetch_limit_args(integration, simulator)
    settings = {**platform_settings(integration, served, args, credentials=True), "isFetch": True,
                "mirror_direction": direction}
    (first, *_) = _run(script, [{"command": "fetch-incidents", "params": settings}], tmp_path, "fetch")
    incident = first["incidents"][0]
    alert_id = incident["dbotMirrorId"]
    (update,) = _run(script, [{"command": "update-remote-system", "params": settings, "args": {
        "remoteId": alert_id, "status": 2, "incidentChanged": True,
        "delta": {"closeReason": "False Positive", "closeNotes": "benign scanner"},
        "data": {"id": alert_id}}}], tmp_path, "update")
    return incident, update, VENDORS[integration.id].closed(simulator, alert_id)


@pytest.mark.parametrize("integration", TWO_WAY, indirect=True)
@pytest.mark.parametrize("direction,label", [("Outgoing", "Out"), ("Incoming And Outgoing", "Both")])
def test_closing_a_mirrored_out_incident_closes_the_alert_with_the_mapped_reason(integration, dist, served, tmp_path,
                                                                                direction, label):
    incident, update, closed = _closing(integration, dist, served, tmp_path, direction)
    assert incident["dbotMirrorDirection"] == label
    assert update["results"] == [incident["dbotMirrorId"]]
    assert closed == VENDORS[integration.id].closed_false_positive


@pytest.mark.parametrize("integration", TWO_WAY, indirect=True)
def test_closing_an_incident_mirrored_in_only_leaves_the_alert_alone(integration, dist, served, tmp_path):
    incident, update, closed = _closing(integration, dist, served, tmp_path, "Incoming")
    assert incident["dbotMirrorDirection"] == "In"
    assert update["results"] == [incident["dbotMirrorId"]]
    assert closed is None


@pytest.mark.parametrize("integration", TWO_WAY, indirect=True)
def test_closing_an_incident_with_mirroring_off_leaves_the_alert_alone(integration, dist, served, tmp_path):
    incident, update, closed = _closing(integration, dist, served, tmp_path, "None")
    assert "dbotMirrorDirection" not in incident
    assert update["results"] == [incident["dbotMirrorId"]]
    assert closed is None


@pytest.mark.parametrize("integration", ["cisco_gta"], indirect=True)
def test_an_xsoar_close_reason_cisco_does_not_know_closes_the_alert_as_other(integration, served):
    from soarpacks.integrations.common.platform import mirroring

    class Recorder:
        def run(self, command, args):
            self.call = (command, args)

    recorder = Recorder()
    mirroring.close(recorder, integration.manifest, "a" * 64, reason="Custom reason")
    assert recorder.call == ("update-status", {"status": "Closed", "alert_id": "a" * 64, "closing_reasons": ["Other"]})


@pytest.mark.parametrize("integration", ["alertlogic"], indirect=True)
def test_an_xsoar_close_reason_alert_logic_does_not_know_completes_the_incident_as_other_with_default_notes(
        integration, served):
    from soarpacks.integrations.common.platform import mirroring

    class Recorder:
        def run(self, command, args):
            self.call = (command, args)

    recorder = Recorder()
    mirroring.close(recorder, integration.manifest, "a" * 16, reason="Custom reason")
    # Alert Logic's complete takes one reason code (not a list) and requires notes.
    assert recorder.call == ("update-status", {"status": "completed", "notes": "Closed in Cortex XSOAR.",
                                               "incident_id": "a" * 16, "reason_code": "other"})


@pytest.mark.parametrize("integration", ["alertlogic"], indirect=True)
def test_a_mirrored_in_alert_logic_incident_carries_the_fields_the_incoming_mapper_reads(integration, served):
    from soarpacks.integrations.common.platform import mirroring
    from soarpacks.tools.packaging.xsoar_content import FIELDS
    from tests.support import simulated_instance

    simulator = served.simulator
    incident_id = next(iter(simulator.incidents))
    AlertLogic.close_in_console(simulator, incident_id)
    instance = simulated_instance("alertlogic", served)
    obj = mirroring.mirrored(integration.manifest, incident_id, mirroring.current(instance, integration.manifest,
                                                                                  incident_id))
    assert obj["raw"] == simulator.incidents[incident_id]
    assert obj["status"] == "completed"
    assert {f.path.split(".")[0] for f in FIELDS} <= set(obj)
