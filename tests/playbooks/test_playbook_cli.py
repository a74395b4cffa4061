"""``soarpacks playbook run``: inputs, the plan, the step lines, JSON, errors while running."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from soarpacks.integrations.common import errors
from tests.playbooks.support import REPO, write_playbook
from soarpacks.tools.cli import main
from soarpacks.tools.playbooks.model import load_playbook
from soarpacks.tools.playbooks.runner import resolve_inputs
from soarpacks.tools.playbooks.targets import _instances_by_integration

MISSING_ALERT = "0" * 64
ENRICH_MISSING = f"""
name: enrich a missing alert
steps:
  - id: fetch
    run: cisco_gta.fetch-incidents
    args: {{max_fetch: 2, include_updates: false}}
  - id: enrich
    run: cisco_gta.get-event
    for_each: ${{steps.fetch.outputs}}
    args: {{alert_id: "{MISSING_ALERT}"}}
"""


def test_dry_run_shows_the_plan_with_the_inputs_and_which_steps_write_and_runs_nothing(capsys, monkeypatch):
    import soarpacks.tools.playbooks.targets as targets
    monkeypatch.setattr(targets, "open_instances", lambda *a, **k: pytest.fail("dry run opened an instance"))
    assert main(["playbook", "run", "cisco_gta_triage", "--dry-run", "--input", "max_alerts=7"]) == 0
    out = capsys.readouterr().out
    assert "max_alerts = 7" in out
    assert "cisco_gta.update-status (WRITES)" in out and "cisco_gta.get-event (reads)" in out
    assert "for each: ${steps.fetch.outputs}" in out and "Nothing was run" in out


def test_a_run_prints_one_line_per_step_and_the_summary(capsys):
    assert main(["playbook", "run", "cisco_gta_triage", "--simulate", "--input", "max_alerts=3"]) == 0
    out = capsys.readouterr().out
    assert "1. fetch" in out and "3 incidents" in out and "2. enrich" in out
    assert "| Alerts triaged | 3 |" in out


def test_json_output_carries_steps_and_typed_summary_values(capsys):
    assert main(["playbook", "run", "cisco_gta_triage", "--simulate", "--input", "max_alerts=3", "-o", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["summary"]["Alerts triaged"] == 3
    assert [step["id"] for step in report["steps"]] == ["fetch", "enrich", "open_critical", "close_low"]


@pytest.mark.parametrize("given,message", [("max_alerts=many", "not a whole number"),
                                           ("max_alert=3", "unknown argument 'max_alert'"),
                                           ("max_alerts=0", "max_alerts")])
def test_a_bad_input_is_refused_before_anything_runs(capsys, given, message):
    assert main(["playbook", "run", "cisco_gta_triage", "--simulate", "--input", given]) == 2
    assert message in capsys.readouterr().err


def test_a_required_input_left_out_is_refused(tmp_path, capsys):
    path = write_playbook(tmp_path, """
        name: needs one
        inputs: [{name: label, type: string, required: true}]
        steps: [{id: a, run: alienvault_usm.test-module}]
    """)
    assert main(["playbook", "run", str(path), "--simulate"]) == 2
    assert "label is required" in capsys.readouterr().err


def test_a_failing_call_names_its_step_and_item_and_keeps_its_exit_code(tmp_path, capsys):
    path = write_playbook(tmp_path, ENRICH_MISSING)
    code = main(["playbook", "run", str(path), "--simulate"])
    err = capsys.readouterr().err
    assert code == errors.NotFoundError.exit_code
    assert "step 'enrich' (item 1 of 2): cisco_gta.get-event:" in err


def test_on_error_continue_reports_failed_items_and_goes_on(tmp_path, capsys):
    path = write_playbook(tmp_path, ENRICH_MISSING.replace("    args: {alert_id", "    on_error: continue\n"
                                                                                 "    args: {alert_id"))
    assert main(["playbook", "run", str(path), "--simulate"]) == 0
    out = capsys.readouterr().out
    assert "2 items, 2 failed" in out and "failed: item 1 of 2: not-found:" in out
    assert "3 call(s), 2 failed" in out


def test_a_path_input_default_is_next_to_the_playbook_and_a_given_one_relative_to_the_working_dir(tmp_path):
    playbook = load_playbook(REPO / "playbooks" / "alphasoc_c2_hunt.yaml")
    default = Path(resolve_inputs(playbook, {})["telemetry_file"])
    assert default == REPO / "playbooks" / "data" / "alphasoc_c2_hunt_dns.ndjson" and default.is_file()
    given = resolve_inputs(playbook, {"telemetry_file": "mine.ndjson"}, cwd=tmp_path)["telemetry_file"]
    assert Path(given) == tmp_path / "mine.ndjson"


def test_simulate_inputs_apply_only_with_simulate_and_a_given_input_wins():
    playbook = load_playbook(REPO / "playbooks" / "alienvault_usm_alarm_labels.yaml")
    assert resolve_inputs(playbook, {}, simulate=True)["high_label"] == playbook.simulate_inputs["high_label"]
    assert resolve_inputs(playbook, {"high_label": "mine"}, simulate=True)["high_label"] == "mine"
    with pytest.raises(errors.InputError, match="high_label is required"):
        resolve_inputs(playbook, {})


def test_simulate_with_a_config_file_is_refused(capsys):
    assert main(["playbook", "run", "cisco_gta_triage", "--simulate", "--config", "x.yaml"]) == 2
    assert "leave out --config" in capsys.readouterr().err


CONFIG = """
instances:
  gta-prod: {integration: cisco_gta, params: {client_id: a}}
  gta-lab: {integration: cisco_gta, params: {client_id: b}}
  usm: {integration: alienvault_usm, params: {client_id: c}}
"""


def test_config_instances_are_matched_to_integrations_by_name_or_by_being_the_only_one(tmp_path):
    config = tmp_path / "instances.yaml"
    config.write_text(CONFIG)
    playbook = load_playbook(REPO / "playbooks" / "alienvault_usm_alarm_labels.yaml")
    assert _instances_by_integration(playbook, str(config), []) == {"alienvault_usm": "usm"}
    triage = load_playbook(REPO / "playbooks" / "cisco_gta_triage.yaml")
    assert _instances_by_integration(triage, str(config), ["gta-lab"]) == {"cisco_gta": "gta-lab"}
    with pytest.raises(errors.InputError, match="several cisco_gta instances"):
        _instances_by_integration(triage, str(config), [])
    with pytest.raises(errors.ConfigError, match="no instance 'gta-test'"):
        _instances_by_integration(triage, str(config), ["gta-test"])


def test_a_real_run_keeps_the_playbook_bookmark_apart_from_the_instance_bookmark(tmp_path, capsys):
    from soarpacks.integrations.common.state import SqliteStateStore
    state = tmp_path / "state.db"
    assert main(["playbook", "run", "cisco_gta_triage", "--simulate", "--state", str(state),
                 "--input", "max_alerts=2"]) == 0
    keys = [row[0] for row in SqliteStateStore(state)._db.execute("SELECT key FROM state")]
    assert "cisco_gta/simulate/playbook/cisco_gta_triage/fetch-incidents" in keys
    assert "cisco_gta/simulate/fetch-incidents" not in keys
