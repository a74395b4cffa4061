"""Cisco GTA commands other than fetch: the alert detail, status and notes, listing alerts and events."""
from __future__ import annotations

import pytest

from soarpacks.integrations.common import errors


def test_get_event_returns_detections_with_their_convicting_events(gta, sim):
    alert_id = next(iter(sim.simulator.alerts))
    result = gta.run("get-event", {"alert_id": alert_id})
    detections = [d for d in sim.simulator.detections.values() if alert_id in d["alertIds"]]
    assert result.outputs["detectionCount"] == len(detections) >= 1
    assert all(e["threatDetectionIds"] for d in result.outputs["threatDetections"] for e in d["convictingEvents"])


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


def test_list_alerts_filters_by_risk(gta):
    result = gta.run("cisco-gta-list-alerts", {"risk": "Critical", "limit": 0})
    assert result.outputs and {a["risk"] for a in result.outputs} == {"Critical"}


def test_events_resume_from_the_stored_sequence_number(gta, sim):
    total = len(sim.simulator.events)
    first = gta.run("cisco-gta-list-events", {"resume": "true", "limit": 100}).outputs
    rest = gta.run("cisco-gta-list-events", {"resume": "true", "limit": 100000}).outputs
    numbers = [e["modificationSequenceNumber"] for e in first + rest]
    assert len(numbers) == len(set(numbers)) == total and numbers == sorted(numbers)


def test_an_unknown_closing_reason_is_rejected_before_any_request_naming_the_allowed_ones(gta, sim):
    before = len(sim.simulator.requests)
    with pytest.raises(errors.InputError, match="FalsePositive, Remediated, AcceptedRisk, Duplicate, Other"):
        gta.run("update-status", {"alert_id": "a" * 64, "status": "Closed", "closing_reasons": ["NotARealReason"]})
    assert len(sim.simulator.requests) == before
