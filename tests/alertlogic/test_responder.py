"""The Responder commands against the simulator: executions, an incident's managed responses, the
block history and block/unblock."""
from __future__ import annotations

import pytest

from soarpacks.integrations.common import errors
from soarpacks.integrations.common.registry import get
from soarpacks.tools.packaging import xsoar

PLAYBOOK = "Block attacker at the firewall"
WRITES = {"alertlogic-responder-run", "alertlogic-responder-manage-block"}


def responder_requests(sim, method: str, suffix: str) -> list[str]:
    return [path for m, path in sim.requests if m == method and path.startswith("/v1/") and path.endswith(suffix)]


def incident_with_responses(sim, *, retired: bool = False) -> str:
    return next(i for i, ids in sim.incident_responses.items() if ("mr-retired" in ids) == retired)


def add_blocks(sim, count: int) -> None:
    template = sim.blocks[0]
    for n in range(count):
        sim.blocks.append({**template, "block_key": f"extra{n:05d}", "bobj": f"198.51.100.{n % 250}",
                           "status": "blocked", "time": template["time"] - n - 1})


# --- executions ----------------------------------------------------------------------------------

def test_run_on_an_incident_passes_the_incident_as_iris_has_it(al, sim):
    incident_id = incident_with_responses(sim)
    out = al.run("alertlogic-responder-run", {"ref": PLAYBOOK, "payload_type": "incident",
                                              "incident_id": incident_id}).outputs
    sent = sim.executions[out["execution_id"]]["payload"]
    assert sent["type"] == "incident" and sent["incident"] == sim.incidents[incident_id]


def test_run_returns_the_execution_record(al, sim):
    out = al.run("alertlogic-responder-run", {"ref": PLAYBOOK, "parameters": {"ip": "203.0.113.9"}}).outputs
    assert out["status"] == "requested" and out["playbook_id"] and out["ref"] == PLAYBOOK
    assert sim.executions[out["execution_id"]]["parameters"] == {"ip": "203.0.113.9"}


def test_run_is_sent_once_even_when_it_answers_503(al, sim):
    sim.faults.inject("503", path_contains="/executions")
    with pytest.raises(errors.VendorError):
        al.run("alertlogic-responder-run", {"ref": PLAYBOOK})
    assert len(responder_requests(sim, "POST", "/executions")) == 1


def test_an_incident_payload_needs_an_incident_id(al, sim):
    with pytest.raises(errors.InputError):
        al.run("alertlogic-responder-run", {"ref": PLAYBOOK, "payload_type": "incident"})
    assert responder_requests(sim, "POST", "/executions") == []


def test_parameters_must_be_a_json_object(al):
    with pytest.raises(errors.InputError):
        al.run("alertlogic-responder-run", {"ref": PLAYBOOK, "parameters": ["203.0.113.9"]})


def test_a_ref_responder_does_not_know_is_bad_input(al):
    with pytest.raises(errors.InputError) as failure:
        al.run("alertlogic-responder-run", {"ref": "no such playbook"})
    assert failure.value.exit_code == 2 and "no such playbook" in str(failure.value)


def test_an_execution_is_followed_from_running_to_succeeded(al):
    execution_id = al.run("alertlogic-responder-run", {"ref": PLAYBOOK}).outputs["execution_id"]
    first = al.run("alertlogic-responder-get-execution", {"execution_id": execution_id}).outputs
    second = al.run("alertlogic-responder-get-execution", {"execution_id": execution_id}).outputs
    assert (first["status"], first["ended"]) == ("running", None)
    assert second["status"] == "succeeded" and second["ended"] and second["result"] == "completed"


def test_an_unknown_execution_is_not_found(al):
    with pytest.raises(errors.NotFoundError) as failure:
        al.run("alertlogic-responder-get-execution", {"execution_id": "0" * 32})
    assert failure.value.exit_code == 2


# --- managed responses -----------------------------------------------------------------------------

def test_an_incidents_responses_are_named_with_their_type(al, sim):
    out = al.run("alertlogic-responder-incident-responses", {"incident_id": incident_with_responses(sim)}).outputs
    assert [(r["name"], r["type"], r["enabled"]) for r in out["responses"]] == [
        ("Block-attackers-at-the-edge", "paloalto_block", True)]


def test_a_deleted_response_is_listed_as_deleted(al, sim):
    out = al.run("alertlogic-responder-incident-responses",
                 {"incident_id": incident_with_responses(sim, retired=True)}).outputs
    assert [(r["id"], r["deleted"]) for r in out["responses"]] == [("mr-paloalto-edge", False), ("mr-retired", True)]


def test_responses_are_found_by_the_friendly_id(al, sim):
    incident_id = incident_with_responses(sim)
    out = al.run("alertlogic-responder-incident-responses",
                 {"incident_id": sim.incidents[incident_id]["humanFriendlyId"]}).outputs
    assert out["incident_id"] == incident_id and out["responses"]


def test_the_responder_host_comes_from_the_endpoints_service(al, sim):
    al.run("alertlogic-responder-incident-responses", {"incident_id": incident_with_responses(sim)})
    assert any(path.endswith("/services/responder/endpoint") for _, path in sim.requests)


# --- blocks ----------------------------------------------------------------------------------------

def test_block_history_is_read_page_by_page_to_the_end(al, sim):
    add_blocks(sim, 230)
    out = al.run("alertlogic-responder-block-history", {"limit": 10_000}).outputs
    assert len(out) == len(sim.blocks) == len({b["block_key"] for b in out})
    assert len(responder_requests(sim, "POST", "/blocks/history")) == 3


def test_block_history_stops_at_the_limit(al, sim):
    add_blocks(sim, 230)
    out = al.run("alertlogic-responder-block-history", {"limit": 120}).outputs
    assert len(out) == 120 and len(responder_requests(sim, "POST", "/blocks/history")) == 2


def test_block_history_filters_by_object_and_status(al, sim):
    blocked = next(b for b in sim.blocks if b["status"] == "blocked")
    out = al.run("alertlogic-responder-block-history", {"bobj": blocked["bobj"], "status": ["blocked"]}).outputs
    assert [b["block_key"] for b in out] == [blocked["block_key"]]


def test_block_history_sends_only_the_time_bounds_given(al, sim):
    newest = sim.blocks[0]
    out = al.run("alertlogic-responder-block-history", {"start_time": str(newest["time"])}).outputs
    assert [b["block_key"] for b in out] == [newest["block_key"]]


def test_an_unknown_block_status_is_bad_input(al, sim):
    with pytest.raises(errors.InputError) as failure:
        al.run("alertlogic-responder-block-history", {"status": ["frozen"]})
    assert "frozen" in str(failure.value) and responder_requests(sim, "POST", "/blocks/history") == []


def test_unblock_is_accepted_and_the_history_shows_the_outcome(al, sim):
    blocked = next(b for b in sim.blocks if b["status"] == "blocked")
    change = al.run("alertlogic-responder-manage-block", {"bobj": blocked["bobj"], "block_key": blocked["block_key"],
                                                          "action": "unblock"}).outputs
    after = al.run("alertlogic-responder-block-history", {"bobj": blocked["bobj"]}).outputs
    assert (change["intent"], change["expected_status"]) == ("unblock_soft", "unblocking")
    assert [b["status"] for b in after] == ["unblocked"]


def test_force_sends_the_force_intent(al, sim):
    unblocked = next(b for b in sim.blocks if b["status"] == "unblocked")
    change = al.run("alertlogic-responder-manage-block", {"bobj": unblocked["bobj"], "action": "block",
                                                          "block_key": unblocked["block_key"], "force": True}).outputs
    assert change["intent"] == "block_force" and unblocked["intent"] == "block_force"


def test_a_block_responder_does_not_have_is_not_found_and_nothing_is_changed(al, sim):
    blocked = next(b for b in sim.blocks if b["status"] == "blocked")
    with pytest.raises(errors.NotFoundError):
        al.run("alertlogic-responder-manage-block", {"bobj": blocked["bobj"], "block_key": "typo", "action": "unblock"})
    assert responder_requests(sim, "POST", "/blocks/manage") == [] and blocked["status"] == "blocked"


# --- the manifest ----------------------------------------------------------------------------------

def test_run_and_manage_block_are_the_responder_commands_marked_write():
    manifest = get("alertlogic").manifest
    responder = {c.name: c.effect for c in manifest.commands.values() if "responder" in c.name or "search" in c.name}
    assert {name for name, effect in responder.items() if effect == "write"} == WRITES


def test_xsoar_marks_the_write_commands_potentially_harmful():
    manifest = get("alertlogic").manifest
    entries = {c.name: xsoar.command_entry(manifest, c) for c in manifest.commands.values() if c.name.startswith("alertlogic-")}
    assert {name for name, entry in entries.items() if entry.get("execution")} >= WRITES
    assert not entries["alertlogic-responder-block-history"].get("execution")
