"""Playbooks as XSOAR playbooks: per-incident where they start with a fetch, commands by brand, and
every approximation said out loud. (demisto-sdk's own schemas check the exported files in
tests/packaging/test_xsoar.py, which packs them.)"""
from __future__ import annotations

import json

import pytest
import yaml

from tests.playbooks.support import PLAYBOOKS, REPO
from soarpacks.tools.playbooks.xsoar_export import export_xsoar_playbook


def _walk(playbook):
    """Task names in order from the start task, following every branch."""
    seen, order, queue = set(), [], [playbook["starttaskid"]]
    while queue:
        number = queue.pop(0)
        if number in seen:
            continue
        seen.add(number)
        order.append(number)
        for targets in playbook["tasks"][number].get("nexttasks", {}).values():
            queue.extend(targets)
    return order


@pytest.mark.parametrize("path", PLAYBOOKS, ids=lambda p: p.stem)
def test_every_task_is_reachable_from_the_start_and_the_playbook_ends_in_done(path):
    exported = export_xsoar_playbook(path)
    assert sorted(_walk(exported)) == sorted(exported["tasks"])
    last = [t for t in exported["tasks"].values() if not t.get("nexttasks")]
    assert [t["task"]["name"] for t in last] == ["Done"]


@pytest.mark.parametrize("path", PLAYBOOKS, ids=lambda p: p.stem)
def test_the_export_is_the_same_every_time(path):
    dump = lambda: yaml.safe_dump(export_xsoar_playbook(path), sort_keys=True)  # noqa: E731
    assert dump() == dump()


def test_a_playbook_that_starts_with_a_fetch_runs_per_incident():
    exported = export_xsoar_playbook(REPO / "playbooks" / "cisco_gta_triage.yaml")
    commands = [t for t in exported["tasks"].values() if t["task"].get("iscommand")]
    assert [t["task"]["script"] for t in commands] == [
        "Cisco Global Threat Alerts|||cisco-gta-get-alert", "Cisco Global Threat Alerts|||cisco-gta-update-alert-status",
        "Cisco Global Threat Alerts|||cisco-gta-update-alert-status"]
    assert commands[0]["scriptarguments"]["alert_id"] == {"simple": "${incident.dbotmirrorid}"}
    assert "Runs on each incident" in exported["description"]


def test_an_if_becomes_a_condition_task_whose_yes_branch_runs_the_step_and_default_skips_it():
    exported = export_xsoar_playbook(REPO / "playbooks" / "cisco_gta_triage.yaml")
    tasks = exported["tasks"]
    condition = next(t for t in tasks.values() if t["type"] == "condition")
    rule = condition["conditions"][0]["condition"][0][0]
    assert rule["operator"] == "isEqualString" and rule["right"] == {"value": {"simple": "Critical"}}
    step = tasks[condition["nexttasks"]["yes"][0]]
    assert step["task"]["script"].endswith("|||cisco-gta-update-alert-status")
    assert condition["nexttasks"]["#default#"] == step["nexttasks"]["#none#"]


def test_a_condition_xsoar_cannot_express_becomes_a_manual_decision_and_is_listed():
    exported = export_xsoar_playbook(REPO / "playbooks" / "alertlogic_incident_review.yaml")
    manual = [t for t in exported["tasks"].values() if t["type"] == "condition" and "conditions" not in t]
    assert len(manual) == 1 and "all ${item.events[*].response_code}" in manual[0]["task"]["name"]
    assert "no 'all' over a list" in exported["description"]


def test_inputs_keep_their_defaults():
    exported = export_xsoar_playbook(REPO / "playbooks" / "alphasoc_c2_hunt.yaml")
    threats = next(i for i in exported["inputs"] if i["key"] == "threats")
    assert threats["value"] == {"simple": "c2_communication,ransomware_callback"}
    json.dumps(exported)  # plain data only
