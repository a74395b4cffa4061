"""The IRIS incident as an incident: severity from the manifest's threat-rating table, indicators,
status, console link, times."""
from __future__ import annotations

from soarpacks.integrations.alertlogic.mapping import iris_to_incident
from soarpacks.integrations.common.schemas import incident_validator


def test_incidents_map_severity_from_the_threat_rating_and_validate(al, sim):
    ratings = {"Info": 1, "Low": 1, "Medium": 2, "High": 3, "Critical": 4}
    for rating in ratings:
        sim.add_incident(threat_rating=rating)
    validator = incident_validator()
    for incident in al.fetch_all({"first_fetch": "30 days", "max_fetch": 1000}):
        validator.validate(incident)
        assert incident["severity"] == ratings[incident["labels"]["threat_rating"]]
        raw = incident["raw"]
        assert incident["labels"]["friendly_id"] == raw["humanFriendlyId"]
        assert {"type": "ip", "value": raw["attacker"]["ip"], "role": "attacker"} in incident["indicators"]
        assert incident["status"] == raw["customer_status"]["status"]
        assert incident["url"].endswith(f"/#/incidents/{raw['incidentId']}?aaid={raw['accountId']}")


def test_an_unknown_threat_rating_is_severity_zero():
    incident = iris_to_incident({"incidentId": "abc", "accountId": "1", "createTime": 1700000000,
                                 "incident": {"threatRating": "Weird"}}, console_url="https://c")
    assert incident.severity == 0 and incident.occurred == "2023-11-14T22:13:20.000Z"
