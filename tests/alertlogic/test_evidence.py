"""alertlogic-get-incident's log evidence: the associated logs (returnSource=log), each with its raw
message from the search service, against the simulator."""
from __future__ import annotations

from soarpacks.integrations.alertlogic.evidence import MESSAGE_BATCH
from soarpacks.integrations.alertlogic.simulator_context import LOG_PREVIEW
from soarpacks.integrations.common.registry import get
from soarpacks.integrations.common.schemas import validate_output


def incident_with_logs(sim, count: int) -> str:
    incident_id = sim.add_incident(events=1)
    sim.set_logs(incident_id, count)
    return incident_id


def test_every_associated_log_is_read_across_pages_in_order(al, sim):
    incident_id = incident_with_logs(sim, 23)
    out = al.run("alertlogic-get-incident", {"incident_id": incident_id}).outputs
    expected = [log["id"]["msgid"] for log in sim.log_elaborations(incident_id)]
    assert [log["id"] for log in out["logs"]] == expected
    assert out["log_count"] == out["log_total"] == 23 and out["logs_truncated"] is False
    assert sim.count("/elaborations/associated") >= 3  # the service's page cap is 10


def test_each_log_carries_its_whole_raw_message_not_the_elaborations_preview(al, sim):
    incident_id = incident_with_logs(sim, 4)
    out = al.run("alertlogic-get-incident", {"incident_id": incident_id}).outputs
    raw = sim.raw_messages()
    long_line = next(log for log in out["logs"] if len(raw[log["id"]]["message"]) > LOG_PREVIEW)
    assert long_line["message"] == raw[long_line["id"]]["message"] and long_line["message_complete"] is True
    assert long_line["fields"]["program"] and out["logs_warning"] is None


def test_max_logs_caps_what_is_read_and_says_so(al, sim):
    incident_id = incident_with_logs(sim, 23)
    out = al.run("alertlogic-get-incident", {"incident_id": incident_id, "max_logs": 5}).outputs
    assert out["log_count"] == 5 and out["log_total"] == 23 and out["logs_truncated"] is True


def test_max_logs_zero_reads_no_logs_and_asks_the_search_service_nothing(al, sim):
    incident_id = incident_with_logs(sim, 3)
    out = al.run("alertlogic-get-incident", {"incident_id": incident_id, "max_logs": 0}).outputs
    assert out["logs"] == [] and out["log_total"] is None
    assert sim.count("returnSource") == 0 and sim.count("/search/") == 0


def test_raw_messages_are_asked_for_in_batches(al, sim):
    incident_id = incident_with_logs(sim, MESSAGE_BATCH * 2 + 3)
    al.run("alertlogic-get-incident", {"incident_id": incident_id, "max_logs": 5000})
    assert sim.count("/search/v1/") == 3


def test_the_search_host_is_the_one_the_endpoints_service_names(al, sim):
    al.run("alertlogic-get-incident", {"incident_id": incident_with_logs(sim, 2)})
    assert sim.count("/services/search/endpoint") == 1


def test_a_message_the_search_service_no_longer_holds_keeps_its_preview_with_a_warning(al, sim):
    incident_id = incident_with_logs(sim, 3)
    gone = sim.log_elaborations(incident_id)[1]
    sim.forget_message(gone["id"]["msgid"])
    out = al.run("alertlogic-get-incident", {"incident_id": incident_id}).outputs
    kept = out["logs"][1]
    assert kept["message"] == gone["message"] and kept["message_complete"] is False and kept["error"]
    assert "1 log(s)" in out["logs_warning"] and all(log["message_complete"] for log in out["logs"][::2])


def test_a_search_service_that_fails_keeps_the_logs_and_the_events_with_a_warning(al, sim):
    incident_id = incident_with_logs(sim, 3)
    sim.faults.inject("404", times=5, path_contains="/search/v1/")
    result = al.run("alertlogic-get-incident", {"incident_id": incident_id})
    out = result.outputs
    assert out["log_count"] == 3 and out["event_count"] == 1
    assert "search service gave no raw messages" in out["logs_warning"]
    assert "**Warning:** the search service" in result.readable


def test_the_outputs_with_logs_fit_the_commands_schema(al, sim):
    incident_id = incident_with_logs(sim, 12)
    result = al.run("alertlogic-get-incident", {"incident_id": incident_id})
    manifest = get("alertlogic").manifest
    validate_output(manifest, manifest.command("alertlogic-get-incident"), result.outputs)
