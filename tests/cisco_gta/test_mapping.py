"""Cisco GTA alerts as incidents: severity from the manifest's risk table, names and indicators from the
threat detections."""
from __future__ import annotations

import pytest

from soarpacks.integrations.common.schemas import incident_validator
from soarpacks.integrations.cisco_gta.mapping import alert_to_incident, detection_indicators

from .conftest import GTA, fetch

ALERT = {"id": "a" * 64, "risk": "High", "triggeredAt": "2026-11-30T10:00:00Z", "modifiedAt": "2026-11-30T11:00:00Z",
         "status": {"value": "Open"}, "etaFlag": False}


@pytest.mark.parametrize("risk, severity", [("Low", 1), ("Medium", 2), ("High", 3), ("Critical", 4),
                                            ("Unheard-of", 0)])
def test_severity_is_the_manifests_for_the_risk(risk, severity):
    incident = alert_to_incident({**ALERT, "risk": risk}, console_url="https://cta.example", change="new")
    assert incident["severity"] == severity == GTA.manifest.severity_mapping.get(risk, 0)


def test_an_alert_without_detections_is_a_valid_incident_named_after_its_risk_and_id():
    incident = alert_to_incident(ALERT, console_url="https://cta.example", change="new")
    incident_validator().validate(incident)
    assert incident["name"] == f"High risk alert {'a' * 12}" and incident["indicators"] == []
    assert incident["status"] == "Open" and incident["url"] == f"https://cta.example/alerts/{'a' * 64}"


def test_severity_follows_risk(gta):
    by_risk = {i["raw"]["risk"]: i["severity"] for i in fetch(gta, max_fetch=1000)}
    assert by_risk == {"Low": 1, "Medium": 2, "High": 3, "Critical": 4}


def test_indicators_are_the_affected_assets_and_the_remote_sides_convicting_events_name():
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
