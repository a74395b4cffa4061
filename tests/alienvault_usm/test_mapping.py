"""Alarms and events become incidents and outputs: severity, times, the vendor's quirks, indicators."""
from __future__ import annotations

import pytest

from soarpacks.integrations.alienvault_usm.client import as_bool, embedded_items, epoch_ms_field, unwrap_event
from soarpacks.integrations.alienvault_usm.mapping import alarm_output, alarm_severity, alarm_to_incident, event_output
from soarpacks.integrations.common import errors
from soarpacks.integrations.common.schemas import incident_validator

CONSOLE = "https://acme.alienvault.cloud"

# The shape of a real alarm (XSOAR's test data and the vendor docs), trimmed.
ALARM = {
    "uuid": "1036671a-764d-485c-a100-ec8ab695e9c8",
    "priority": 20,
    "priority_label": "low",
    "suppressed": False,
    "status": "open",
    "rule_intent": "Delivery & Attack",
    "rule_method": "Multiple Account Password Reset Attempts",
    "rule_strategy": "Anomalous User Behavior",
    "rule_id": "MultipleAccountPasswordResetAttempts",
    "rule_attack_id": "T1110",
    "rule_attack_tactic": ["Credential Access"],
    "rule_attack_technique": "Brute Force",
    "alarm_sources": ["203.0.113.7"],
    "alarm_destinations": ["dc-01.corp.example"],
    "source_username": "src.username",
    "destination_username": "some.user",
    "timestamp_occured": "1629188157000",
    "timestamp_received": "1629188223106",
    "alarm_labels": ["b1f0c3c2-0000-4000-8000-000000000001"],
    "packet_data": ["ev-1", "ev-2"],
    "events": [{
        "_links": {"self": {"href": "https://acme.alienvault.cloud/api/2.0/events/{eventId}", "templated": True}},
        "timeStamp": 1629188002363,
        "message": {"uuid": "ev-1", "event_name": "An attempt was made to reset an accounts password",
                    "suppressed": "false", "timestamp_occured": "1629187948000",
                    "file_hash_sha256": "a" * 64},
    }],
}


@pytest.mark.parametrize("alarm, severity", [
    ({"priority_label": "low", "priority": 80}, 1),
    ({"priority_label": "Medium"}, 2),
    ({"priority_label": "high"}, 3),
    ({"priority": 20}, 1),
    ({"priority": 50}, 2),
    ({"priority": "80"}, 3),
    ({"priority": 0}, 0),
    ({}, 0),
])
def test_severity_comes_from_priority_label_then_the_numeric_priority(alarm, severity):
    assert alarm_severity(alarm) == severity


def test_an_alarm_becomes_a_schema_valid_incident_with_a_console_link():
    incident = alarm_to_incident(ALARM, console_url=CONSOLE)
    incident_validator().validate(incident.to_dict())
    assert incident.id == ALARM["uuid"] and incident.source == "alienvault_usm"
    assert incident.name == "Multiple Account Password Reset Attempts on dc-01[.]corp[.]example"
    assert incident.occurred == "2021-08-17T08:15:57.000Z"
    assert incident.updated == "2021-08-17T08:17:03.106Z"
    assert incident.url == f"{CONSOLE}/#/alarm/{ALARM['uuid']}"
    assert incident.raw is ALARM
    assert incident.labels["rule_attack_tactic"] == "Credential Access"
    assert incident.labels["suppressed"] is False


def test_indicators_are_typed_with_their_role_and_include_event_file_hashes():
    indicators = alarm_to_incident(ALARM, console_url=CONSOLE).indicators
    assert {"type": "ip", "value": "203.0.113.7", "role": "source"} in indicators
    assert {"type": "host", "value": "dc-01.corp.example", "role": "destination"} in indicators
    assert {"type": "user", "value": "src.username", "role": "source"} in indicators
    assert {"type": "user", "value": "some.user", "role": "destination"} in indicators
    assert {"type": "hash", "value": "a" * 64, "role": "file"} in indicators
    assert len(indicators) == len({(i["type"], i["value"], i["role"]) for i in indicators})


def test_the_two_r_spelling_numbers_and_iso_twins_are_all_read_as_epoch_ms():
    assert epoch_ms_field({"timestamp_occured": "1517932134000"}, "timestamp_occured") == 1517932134000
    assert epoch_ms_field({"timestamp_occurred": "1517932134000"}, "timestamp_occured") == 1517932134000
    assert epoch_ms_field({"timestamp_occured": 1517932134000}, "timestamp_occured") == 1517932134000
    assert epoch_ms_field({"timestamp_occured_iso8601": "2018-02-06T15:48:54.000Z"},
                          "timestamp_occured") == 1517932134000
    assert epoch_ms_field({}, "timestamp_occured") is None


def test_an_alarm_without_any_occurred_time_is_a_vendor_error():
    with pytest.raises(errors.VendorError, match="timestamp_occured"):
        alarm_to_incident({"uuid": "x"}, console_url=CONSOLE)


def test_the_docs_list_example_with_id_and_two_r_time_still_maps():
    incident = alarm_to_incident({"id": "971918fd", "timestamp_occurred": "1748359996332", "status": "open",
                                  "priority_label": "medium"}, console_url=CONSOLE)
    assert incident.id == "971918fd" and incident.severity == 2
    assert incident.name == "USM Anywhere alarm 971918fd"


def test_event_wrappers_are_unwrapped_and_plain_events_pass_through():
    event = unwrap_event(ALARM["events"][0])
    assert event["uuid"] == "ev-1" and event["timestamp_received"] == "1629188002363"
    assert unwrap_event({"uuid": "ev-9", "has_alarm": True}) == {"uuid": "ev-9", "has_alarm": True}


def test_a_wrapper_whose_message_lacks_the_uuid_takes_it_from_an_untemplated_self_link():
    wrapper = {"_links": {"self": {"href": "https://x/api/2.0/events/ev-7", "templated": False}},
               "message": {"event_name": "n"}}
    assert unwrap_event(wrapper)["uuid"] == "ev-7"
    wrapper["_links"]["self"]["templated"] = True
    assert unwrap_event(wrapper)["uuid"] is None


@pytest.mark.parametrize("value, expected", [(False, False), ("false", False), ("True", True), (None, None),
                                             ("maybe", None)])
def test_suppressed_is_read_from_the_events_string_and_the_alarms_boolean(value, expected):
    assert as_bool(value) is expected


def test_event_output_normalises_times_and_the_suppressed_string():
    out = event_output(ALARM["events"][0])
    assert out["id"] == "ev-1" and out["suppressed"] is False
    assert out["occurred"] == "2021-08-17T08:12:28.000Z" and out["received"] == "2021-08-17T08:13:22.363Z"
    assert out["file_hashes"] == ["a" * 64]


def test_alarm_output_lists_events_and_every_event_id_including_packet_data_only_ones():
    out = alarm_output(ALARM, console_url=CONSOLE, with_events=True)
    assert out["event_ids"] == ["ev-1", "ev-2"]
    assert [e["id"] for e in out["events"]] == ["ev-1"]
    assert out["labels"] == ALARM["alarm_labels"] and out["severity"] == 1
    assert "events" not in alarm_output(ALARM, console_url=CONSOLE, with_events=False)


def test_embedded_items_tolerate_a_missing_embedded_and_refuse_an_unknown_shape():
    assert embedded_items({"page": {}}, "alarms") == []
    assert embedded_items({"_embedded": {"things": [1]}}, "alarms") == [1]
    with pytest.raises(errors.VendorError):
        embedded_items({"_embedded": {"a": [1], "b": [2]}}, "alarms")
