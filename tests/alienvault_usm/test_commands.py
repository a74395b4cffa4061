"""The commands end to end against the simulator: what each returns, the filters it passes, the labels
it changes, and the clear errors it gives."""
from __future__ import annotations

import pytest

from soarpacks.integrations.alienvault_usm.simulator import EVENT_KINDS, Simulator
from soarpacks.integrations.common import errors
from soarpacks.integrations.common.schemas import validate_output
from soarpacks.integrations.common.simkit import serve

from .conftest import INTEGRATION, make_instance

MISSING = "00000000-0000-4000-8000-000000000000"


def outputs_valid(name, result):
    validate_output(INTEGRATION.manifest, INTEGRATION.manifest.command(name), result.outputs)
    return result.outputs


def first_alarm(sim):
    return sorted(sim.alarms.values(), key=lambda a: a["_order"])[0]


def test_test_module_reports_ok_and_how_many_alarms_the_client_sees(instance, sim):
    out = outputs_valid("test-module", instance.run("test-module"))
    assert out["ok"] is True and out["alarms"] == len(sim.alarms)


def test_get_alarm_unwraps_its_events_from_the_wrappers(instance, sim):
    alarm = first_alarm(sim)
    result = instance.run("alienvault-get-alarm", {"alarm_id": alarm["uuid"]})
    out = outputs_valid("alienvault-get-alarm", result)
    assert [e["id"] for e in out["events"]] == alarm["_event_ids"]
    assert all(e["name"] and isinstance(e["suppressed"], bool) for e in out["events"])
    assert result.raw["events"][0]["message"]["uuid"] == alarm["_event_ids"][0]
    assert "Events" in result.markdown()


def test_get_alarm_for_a_missing_alarm_is_a_clear_not_found_error(instance):
    with pytest.raises(errors.NotFoundError, match=f"alarm {MISSING} not found") as failure:
        instance.run("alienvault-get-alarm", {"alarm_id": MISSING})
    assert failure.value.exit_code == 2   # an id the caller gave: bad input


def test_get_event_returns_one_event_with_the_suppressed_string_as_a_boolean(instance, sim):
    event = next(iter(sim.events.values()))
    result = instance.run("get-event", {"event_id": event["uuid"]})
    out = outputs_valid("get-event", result)
    assert out["id"] == event["uuid"] and out["suppressed"] is (event["suppressed"] == "true")
    assert result.raw["suppressed"] in ("true", "false")


def test_search_alarms_reads_every_page_with_limit_zero(instance, sim):
    out = outputs_valid("alienvault-search-alarms",
                        instance.run("alienvault-search-alarms", {"limit": 0, "sort": "asc"}))
    assert len(out) == len(sim.alarms) == len({a["id"] for a in out})
    assert [a["occurred"] for a in out] == sorted(a["occurred"] for a in out)


def test_search_alarms_stops_at_the_limit_newest_first_by_default(instance, sim):
    out = instance.run("alienvault-search-alarms", {"limit": 7}).outputs
    newest = max(sim.alarms.values(), key=lambda a: (int(a["timestamp_occured"]), a["_order"]))
    assert len(out) == 7 and out[0]["id"] == newest["uuid"]
    assert [a["occurred"] for a in out] == sorted((a["occurred"] for a in out), reverse=True)


def test_search_alarms_applies_every_filter(instance, sim):
    alarm = first_alarm(sim)
    args = {"limit": 0, "status": alarm["status"], "priority_label": alarm["priority_label"],
            "suppressed": str(alarm["suppressed"]).lower(), "rule_intent": alarm["rule_intent"],
            "rule_method": alarm["rule_method"], "rule_strategy": alarm["rule_strategy"],
            "alarm_sensor_sources": alarm["sensor_uuid"], "start_time": alarm["timestamp_occured"],
            "end_time": alarm["timestamp_occured"]}
    out = instance.run("alienvault-search-alarms", args).outputs
    assert alarm["uuid"] in {a["id"] for a in out}
    assert all(a["status"] == alarm["status"] and a["rule_method"] == alarm["rule_method"] for a in out)


def test_search_alarms_with_start_after_end_is_an_input_error(instance):
    with pytest.raises(errors.InputError, match="start_time is after end_time"):
        instance.run("alienvault-search-alarms", {"start_time": "1 hour", "end_time": "2 days"})


def test_search_events_applies_its_filters_and_pages_to_the_end(instance, sim):
    plugin = EVENT_KINDS[1][0]
    out = outputs_valid("alienvault-search-events",
                        instance.run("alienvault-search-events", {"plugin": plugin, "limit": 0}))
    assert len(out) == sum(1 for e in sim.events.values() if e["plugin"] == plugin) > 25
    assert {e["plugin"] for e in out} == {plugin}
    only_suppressed = instance.run("alienvault-search-events", {"suppressed": "true", "limit": 0}).outputs
    assert only_suppressed and all(e["suppressed"] is True for e in only_suppressed)


def test_search_events_reads_the_older_event_resources_key():
    sim = Simulator(seed=5, events_key="eventResources")
    with serve(sim) as running:
        out = make_instance(running).run("alienvault-search-events", {"limit": 30}).outputs
    assert len(out) == 30


def test_paging_works_when_the_api_links_name_an_internal_host():
    sim = Simulator(seed=5, link_host="mysubdomain.aveng.us")
    with serve(sim) as running:
        out = make_instance(running, page_size=20).run("alienvault-search-alarms", {"limit": 0}).outputs
    assert len(out) == len(sim.alarms)


def test_get_events_by_alarm_reads_events_the_alarm_only_references(served, sim):
    alarm = first_alarm(sim)
    orphan = next(e for e in sim.events.values() if not e["has_alarm"])
    # An id only in packet_data: the alarm's events array left it out.
    alarm["packet_data"] = alarm["packet_data"] + [orphan["uuid"]]
    before = sim.count(f"/events/{orphan['uuid']}")
    out = outputs_valid("alienvault-get-events-by-alarm",
                        make_instance(served).run("alienvault-get-events-by-alarm", {"alarm_id": alarm["uuid"]}))
    assert [e["id"] for e in out] == alarm["_event_ids"] + [orphan["uuid"]]
    assert sim.count(f"/events/{orphan['uuid']}") == before + 1


def test_get_events_by_alarm_honours_its_limit(instance, sim):
    alarm = max(sim.alarms.values(), key=lambda a: len(a["_event_ids"]))
    assert len(instance.run("alienvault-get-events-by-alarm", {"alarm_id": alarm["uuid"], "limit": 1}).outputs) == 1


def test_adding_and_removing_a_label_is_idempotent_and_shows_the_labels_after(instance, sim):
    alarm, label = first_alarm(sim)["uuid"], sim.label_catalog[2]
    for _ in range(2):
        out = outputs_valid("alienvault-add-label",
                            instance.run("alienvault-add-label", {"alarm_id": alarm, "label_id": label}))
        assert out == {"id": alarm, "label_id": label, "labels": [label]}
    assert instance.run("alienvault-list-labels", {"alarm_id": alarm}).outputs["labels"] == [label]
    assert instance.run("alienvault-get-alarm", {"alarm_id": alarm}).outputs["labels"] == [label]
    for _ in range(2):
        out = instance.run("alienvault-remove-label", {"alarm_id": alarm, "label_id": label}).outputs
        assert out["labels"] == []


def test_a_label_on_a_missing_alarm_or_an_unknown_label_is_a_clear_404(instance, sim):
    alarm = first_alarm(sim)["uuid"]
    with pytest.raises(errors.NotFoundError, match="does not exist.*console"):
        instance.run("alienvault-add-label", {"alarm_id": alarm, "label_id": MISSING})
    with pytest.raises(errors.NotFoundError, match=f"alarm {MISSING}"):
        instance.run("alienvault-remove-label", {"alarm_id": MISSING, "label_id": sim.label_catalog[0]})
    with pytest.raises(errors.NotFoundError, match=f"alarm {MISSING} not found"):
        instance.run("alienvault-list-labels", {"alarm_id": MISSING})


def test_a_read_only_client_cannot_change_labels_and_is_told_which_role_can():
    sim = Simulator(seed=5, role="Read-Only")
    with serve(sim) as running:
        with pytest.raises(errors.AuthError, match="Analyst or Manager") as failure:
            make_instance(running).run("alienvault-add-label", {"alarm_id": first_alarm(sim)["uuid"],
                                                                "label_id": sim.label_catalog[0]})
    assert failure.value.exit_code == 3


def test_update_status_is_not_supported_and_points_to_labels(instance):
    with pytest.raises(errors.NotSupportedError, match="no endpoint to change an alarm's status.*label"):
        instance.run("update-status", {})


def test_ids_that_are_not_uuids_are_refused_before_any_request(instance, sim):
    before = len(sim.requests)
    with pytest.raises(errors.InputError):
        instance.run("alienvault-get-alarm", {"alarm_id": "../events"})
    with pytest.raises(errors.InputError):
        instance.run("alienvault-add-label", {"alarm_id": first_alarm(sim)["uuid"], "label_id": "a/b"})
    assert len(sim.requests) == before
