"""Every playbook in playbooks/ runs green against the simulators (parametrised over the files), and
each does what its description promises."""
from __future__ import annotations

import re

import pytest

from soarpacks.integrations.common.registry import discover
from tests.playbooks.support import PLAYBOOKS, REPO, simulated_run

INSTALLED = set(discover())


def _by_name(name):
    return REPO / "playbooks" / f"{name}.yaml"


@pytest.mark.parametrize("path", PLAYBOOKS, ids=lambda p: p.stem)
def test_the_playbook_runs_green_against_the_simulators(path):
    with simulated_run(path) as (result, _):
        assert result.failures == 0
        assert result.calls > 0
        assert not [o.step.id for o in result.steps if o.skipped], "a step was skipped in the simulated world"
        empty = [label for label, value in result.summary.items() if value in (None, "", [], {})]
        assert empty == [], f"summary entries with nothing to show: {empty}"


@pytest.mark.parametrize("path", PLAYBOOKS, ids=lambda p: p.stem)
def test_the_playbook_uses_only_installed_integrations(path):
    from soarpacks.tools.playbooks.model import load_playbook
    assert set(load_playbook(path).integrations) <= INSTALLED


def test_cisco_triage_opens_critical_alerts_with_a_note_and_closes_low_ones_with_a_reason():
    # From before the simulator's oldest alert: with the default "3 days", which 20 alerts come first
    # depended on the time of day (the world is anchored at midnight), and after ~06:00 UTC none was Critical.
    inputs = {"max_alerts": "20", "first_fetch": "46 days"}
    with simulated_run(_by_name("cisco_gta_triage"), inputs) as (result, instances):
        enriched = result.steps[1].outputs
        critical = {a["id"] for a in enriched if a["risk"] == "Critical"}
        low = {a["id"] for a in enriched if a["risk"] == "Low"}
        assert critical and low
        after = instances["cisco_gta"].run("cisco-gta-list-alerts", {"alert_ids": sorted(critical | low),
                                                                     "limit": 100}).outputs
    by_id = {alert["id"]: alert for alert in after}
    for alert_id in critical:
        assert by_id[alert_id]["status"]["value"] == "Open"
        assert by_id[alert_id]["note"].startswith("Critical: ")
    for alert_id in low:
        assert by_id[alert_id]["status"] == {"value": "Closed", "closingReasons": ["FalsePositive"]}


def test_cisco_triage_with_a_playbook_bookmark_does_not_triage_an_alert_twice():
    with simulated_run(_by_name("cisco_gta_triage"), {"max_alerts": "5"}) as (result, instances):
        first = [incident["id"] for incident in result.steps[0].outputs]
        again = instances["cisco_gta"].fetch_all({"max_fetch": 5, "include_updates": False})
    assert len(first) == 5 and not set(first) & {incident["id"] for incident in again}


def test_alertlogic_review_completes_exactly_the_incidents_whose_events_all_got_4xx():
    with simulated_run(_by_name("alertlogic_incident_review")) as (result, instances):
        analysed = result.steps[1].outputs
        refused = {i["id"] for i in analysed if i["events"] and i["status"] == "open"
                   and all(re.fullmatch(r"4\d\d", str(e["response_code"])) for e in i["events"])}
        completed = {o["incident_id"] for o in result.steps[2].outputs}
        assert refused and completed == refused
        detail = instances["alertlogic"].run("alertlogic-get-incident", {"incident_id": sorted(refused)[0]}).outputs
    assert detail["status"] == "completed"
    assert "Response codes" in result.summary and "403" in result.summary["Response codes"]


def test_alphasoc_hunt_reports_only_the_alerts_the_uploaded_telemetry_produced():
    with simulated_run(_by_name("alphasoc_c2_hunt")) as (result, _):
        hunt = result.steps[2].outputs
    assert result.summary["Events rejected"] == {"missing ts": 1}
    assert {i["raw"]["event"]["srcHost"] for i in hunt} <= {"ws-021", "ws-014", "srv-088", "ws-042"}
    assert {t for i in hunt for t in i["raw"]["threats"]} & {"c2_communication", "ransomware_callback"}
    assert {t["id"] for t in result.steps[3].outputs} == {t for i in hunt for t in i["raw"]["threats"]}


def test_silo_exposure_groups_blocked_urls_and_exploits_by_user():
    with simulated_run(_by_name("authentic8_silo_exposure")) as (result, _):
        blocked = result.steps[0].outputs
    by_user = result.summary["Blocked URLs by user"]
    assert sum(by_user.values()) == len(blocked) and set(by_user) == {log["user_id"] for log in blocked}
    assert {log["type"] for log in blocked} == {"BLOCKED URL"}


def test_usm_labelling_puts_each_priority_label_on_the_alarms_of_that_priority():
    with simulated_run(_by_name("alienvault_usm_alarm_labels")) as (result, instances):
        alarms = result.steps[0].outputs
        sample = {label: next(a for a in alarms if a["labels"]["priority_label"] == label)
                  for label in ("high", "medium", "low")}
        seen = {label: instances["alienvault_usm"].run("alienvault-list-labels", {"alarm_id": a["id"]}).outputs
                for label, a in sample.items()}
    inputs = result.playbook.simulate_inputs
    for label, labels in seen.items():
        assert labels["labels"] == [inputs[f"{label}_label"]]


def test_usm_simulate_inputs_name_labels_that_exist_in_the_simulator():
    from soarpacks.integrations.alienvault_usm.simulator import Simulator
    from soarpacks.tools.playbooks.model import load_playbook
    catalog = Simulator(seed=0).label_catalog
    assert set(load_playbook(_by_name("alienvault_usm_alarm_labels")).simulate_inputs.values()) <= set(catalog)
