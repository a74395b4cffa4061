"""An alert as an incident: its name, severity (through the manifest), indicators, id and time."""
from __future__ import annotations

import json

import pytest

from soarpacks.integrations.alphasoc import mapping
from soarpacks.integrations.common.manifest import vendor_manifest
from soarpacks.integrations.common.schemas import incident_validator
from tests.alphasoc.support import THREATS, dns_alert


def test_an_alert_becomes_one_schema_valid_incident_named_after_its_worst_threat():
    alert = dns_alert(1, threats=["young_domain", "c2_communication"])
    incident = mapping.alert_to_incident(alert, THREATS)
    incident_validator().validate(incident)
    assert incident["name"] == ("C2 communication attempt indicating infection (+1 more): www[.]bad-1[.]example. "
                                "from john-pc")
    assert incident["severity"] == 4 and incident["labels"]["vendor_severity"] == 5
    assert incident["occurred"] == "2024-03-01T10:00:01.000Z" and incident["source"] == "alphasoc"
    assert incident["raw"] == alert


@pytest.mark.parametrize("vendor, expected", [(5, 4), (4, 3), (3, 2), (2, 1), (1, 1), (0, 0)])
def test_alphasoc_severity_1_to_5_maps_to_the_incident_scale(vendor, expected):
    assert mapping.incident_severity(vendor) == expected


def test_the_severity_mapping_is_read_from_the_manifest(monkeypatch):
    table = vendor_manifest("alphasoc").severity_mapping
    assert {level: mapping.incident_severity(int(level)) for level in table} == table
    # Changed in the manifest, changed in the incidents: the code keeps no copy of its own.
    monkeypatch.setattr(mapping, "severity_table", lambda: {1: 0, 2: 0, 3: 1, 4: 2, 5: 3})
    assert mapping.incident_severity(5) == 3 and mapping.incident_severity(9) == 3


def test_indicators_cover_source_destination_url_and_ja3():
    alert = {"eventType": "tls", "threats": ["c2_communication"], "event": {
        "ts": "2024-03-01T10:00:00Z", "srcIP": "10.1.1.1", "srcHost": "pc", "srcUser": "ann",
        "destIP": "188.68.55.50", "ja3": "724dedf93fb5a3636a0f1ee8fcec8801", "certHash": "9fcc5c1e"}}
    http = {"eventType": "http", "threats": [], "wisdom": {"domain": "microsoft775.com"},
            "event": {"ts": "2024-03-01T10:00:00Z", "srcIP": "10.1.1.1", "url": "http://microsoft775.com/wpad.dat"}}
    found = {(i["type"], i["value"], i["role"]) for i in mapping.alert_to_incident(alert, THREATS)["indicators"]}
    assert found >= {("ip", "10.1.1.1", "source"), ("host", "pc", "source"), ("user", "ann", "source"),
                     ("ip", "188.68.55.50", "destination"), ("ja3", "724dedf93fb5a3636a0f1ee8fcec8801", "client"),
                     ("hash", "9fcc5c1e", "certificate")}
    found = {(i["type"], i["value"]) for i in mapping.alert_to_incident(http, THREATS)["indicators"]}
    assert {("url", "http://microsoft775.com/wpad.dat"), ("domain", "microsoft775.com")} <= found


def test_the_incident_id_is_stable_and_ignores_enrichment_that_alphasoc_may_amend():
    alert = dns_alert(1)
    amended = json.loads(json.dumps(alert))
    amended["wisdom"]["flags"].append("young_domain")
    assert mapping.alert_id(alert) == mapping.alert_id(amended)
    assert mapping.alert_id(alert) != mapping.alert_id(dns_alert(2))


def test_an_alert_without_a_usable_timestamp_still_maps_to_a_valid_incident():
    alert = dns_alert(1)
    del alert["event"]["ts"]
    incident_validator().validate(mapping.alert_to_incident(alert, {}))
