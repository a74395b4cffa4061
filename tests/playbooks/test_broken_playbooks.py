"""A broken playbook fails before any step runs, with one line that names the file, the step and
the problem, and exit code 2."""
from __future__ import annotations

import pytest

import soarpacks.tools.playbooks.targets as targets
from tests.playbooks.support import write_playbook
from soarpacks.tools.cli import main

GOOD_STEPS = """
  - id: fetch
    run: cisco_gta.fetch-incidents
    args: {max_fetch: 5}
"""


@pytest.fixture
def nothing_may_run(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a step was about to run")
    monkeypatch.setattr(targets, "open_instances", refuse)


def run_broken(tmp_path, capsys, body):
    path = write_playbook(tmp_path, "name: broken\n" + body)
    code = main(["playbook", "run", str(path), "--simulate"])
    err = capsys.readouterr().err.strip()
    return code, err


CASES = {
    "unknown integration": ("steps:\n  - {id: a, run: nosuch.get-event}", "no integration 'nosuch'"),
    "unknown command": ("steps:\n  - {id: a, run: cisco_gta.get-evnt}", "cisco_gta has no command 'get-evnt'"),
    "unsupported command": ("steps:\n  - {id: a, run: alphasoc.update-status}", "is not supported by AlphaSOC"),
    "unknown argument": ("steps:" + GOOD_STEPS + "  - {id: b, run: cisco_gta.get-event, args: {alert: x}}",
                         "has no argument 'alert'"),
    "missing required argument": ("steps:\n  - {id: a, run: cisco_gta.get-event}", "needs alert_id"),
    "literal not in the enum": ("steps:\n  - id: a\n    run: cisco_gta.update-status\n    args: {alert_id: '"
                                + "a" * 64 + "', status: Shut}", "status: 'Shut' is not one of New, Open, Closed"),
    "literal of the wrong type": ("steps:\n  - {id: a, run: cisco_gta.fetch-incidents, args: {max_fetch: lots}}",
                                  "max_fetch: 'lots' is not a whole number"),
    "reference to a step that runs later": (
        "steps:\n  - {id: a, run: cisco_gta.get-event, args: {alert_id: '${steps.b.outputs[0].id}'}}\n"
        "  - {id: b, run: cisco_gta.fetch-incidents}", "step 'b' runs later"),
    "reference to no step": ("steps:" + GOOD_STEPS + "  - {id: b, run: cisco_gta.get-event, "
                             "args: {alert_id: '${steps.fetc.outputs[0].id}'}}", "no step 'fetc' (steps: fetch)"),
    "field the output schema does not have": (
        "steps:" + GOOD_STEPS + "  - {id: b, run: cisco_gta.get-event, for_each: '${steps.fetch.outputs}', "
        "args: {alert_id: '${item.idd}'}}", "has no field 'idd' (fields: "),
    "item outside for_each": ("steps:" + GOOD_STEPS + "  - {id: b, run: cisco_gta.get-event, "
                              "args: {alert_id: '${item.id}'}}", "only defined in a step with for_each"),
    "for_each over something that is not a list": (
        "steps:" + GOOD_STEPS + "  - {id: b, run: cisco_gta.get-event, for_each: '${steps.fetch.outputs[0]}', "
        "args: {alert_id: '${item.id}'}}", "not a list"),
    "a list where one value is expected": (
        "steps:" + GOOD_STEPS + "  - {id: b, run: cisco_gta.get-event, "
        "args: {alert_id: '${steps.fetch.outputs[*].id}'}}", "use for_each"),
    "unknown input": ("steps:\n  - {id: a, run: cisco_gta.fetch-incidents, args: {first_fetch: '${inputs.since}'}}",
                      "no input 'since' (inputs: none)"),
    "unknown reference root": ("steps:\n  - {id: a, run: cisco_gta.fetch-incidents, args: {first_fetch: '${env.HOME}'}}",
                               "unknown root 'env'"),
    "unknown function": ("steps:" + GOOD_STEPS + "summary: {n: '${steps.fetch.outputs | length}'}",
                         "unknown function 'length'"),
    "unclosed reference": ("steps:\n  - {id: a, run: cisco_gta.fetch-incidents, args: {first_fetch: '${inputs.x'}}",
                           "is not closed"),
    "malformed condition": ("steps:" + GOOD_STEPS + "  - {id: b, run: cisco_gta.get-event, for_each: "
                            "'${steps.fetch.outputs}', if: '${item.severity} >= >= 3', args: {alert_id: '${item.id}'}}",
                            "write one comparison"),
    "bad regular expression": ("steps:" + GOOD_STEPS + "  - {id: b, run: cisco_gta.get-event, for_each: "
                               "'${steps.fetch.outputs}', if: \"${item.name} matches '(['\", "
                               "args: {alert_id: '${item.id}'}}", "bad regular expression"),
    "all over something that is not a list": (
        "steps:" + GOOD_STEPS + "  - {id: b, run: cisco_gta.get-event, for_each: '${steps.fetch.outputs}', "
        "if: 'all ${item.severity} > 2', args: {alert_id: '${item.id}'}}", "all needs a list"),
    "duplicate step id": ("steps:" + GOOD_STEPS + GOOD_STEPS, "the id is used by an earlier step too"),
    "unknown key in a step": ("steps:\n  - {id: a, run: cisco_gta.fetch-incidents, loop: x}", "unknown key"),
    "run that is not integration.command": ("steps:\n  - {id: a, run: fetch}", "must be <integration>.<command>"),
    "for_each that is not one reference": ("steps:" + GOOD_STEPS + "  - {id: b, run: cisco_gta.get-event, "
                                           "for_each: 'all of them', args: {alert_id: x}}", "must be one reference"),
    "YAML that does not parse": ("steps: [\n", "not valid YAML"),
}


@pytest.mark.parametrize("body,expected", CASES.values(), ids=list(CASES))
def test_a_broken_playbook_fails_before_any_step_runs_with_one_clear_line(tmp_path, capsys, nothing_may_run,
                                                                         body, expected):
    code, err = run_broken(tmp_path, capsys, body)
    assert code == 2
    assert expected in err
    assert len(err.splitlines()) == 1 and err.startswith("error (input): ")
    assert "pb.yaml" in err


def test_the_error_names_the_step(tmp_path, capsys, nothing_may_run):
    _, err = run_broken(tmp_path, capsys, "steps:" + GOOD_STEPS + "  - {id: enrich, run: cisco_gta.get-event}")
    assert "step 'enrich'" in err


def test_validate_reports_every_broken_file_and_exits_2(tmp_path, capsys):
    good = write_playbook(tmp_path, "name: good\nsteps:" + GOOD_STEPS, "good.yaml")
    bad = write_playbook(tmp_path, "name: bad\nsteps:\n  - {id: a, run: cisco_gta.nope}", "bad.yaml")
    code = main(["playbook", "validate", str(good), str(bad)])
    captured = capsys.readouterr()
    assert code == 2
    assert "ok: " in captured.out and "good.yaml" in captured.out
    assert "bad.yaml" in captured.err and "no command 'nope'" in captured.err


def test_every_shipped_playbook_validates(capsys):
    assert main(["playbook", "validate"]) == 0
