"""``soarpacks run ... -o ocsf``: findings as JSON Lines on stdout or appended to ``--out``."""
from __future__ import annotations

import json

from soarpacks.tools.cli import main

ALERT = "8604a65e7429087cf64c021bc48649df4dde51fcab9dfc67f0bec02c092e14f6"   # the simulator's, seed 0


def _cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _lines(text):
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_fetch_with_o_ocsf_prints_one_detection_finding_per_line(capsys, tmp_path):
    code, out, err = _cli(capsys, "run", "cisco_gta", "fetch-incidents", "max_fetch=4", "--simulate", "-o", "ocsf",
                          f"--state={tmp_path / 's.db'}")
    assert code == 0, err
    findings = _lines(out)
    assert len(findings) == 4
    assert {f["class_uid"] for f in findings} == {2004}
    assert all("raw_data" not in f for f in findings)


def test_include_raw_true_adds_the_vendor_object_as_raw_data(capsys, tmp_path):
    code, out, err = _cli(capsys, "run", "cisco_gta", "fetch-incidents", "max_fetch=2", "include_raw=true",
                          "--simulate", "-o", "ocsf", f"--state={tmp_path / 's.db'}")
    assert code == 0, err
    for finding in _lines(out):
        assert json.loads(finding["raw_data"])["id"] == finding["finding_info"]["uid"]


def test_include_raw_is_no_argument_of_the_command_without_o_ocsf(capsys, tmp_path):
    code, out, err = _cli(capsys, "run", "cisco_gta", "fetch-incidents", "include_raw=true", "--simulate", "-o", "json",
                          f"--state={tmp_path / 's.db'}")
    assert code == 2 and "include_raw" in err


def test_a_get_command_with_o_ocsf_prints_its_finding(capsys, tmp_path):
    code, out, err = _cli(capsys, "run", "cisco_gta", "cisco-gta-get-alert", f"alert_id={ALERT}", "--simulate",
                          "-o", "ocsf", f"--state={tmp_path / 's.db'}")
    assert code == 0, err
    [finding] = _lines(out)
    assert finding["finding_info"]["uid"] == ALERT and finding["evidences"]


def test_fetch_with_out_appends_findings_exactly_once_as_the_bookmark_advances(capsys, tmp_path):
    out_file, state = tmp_path / "findings.jsonl", f"--state={tmp_path / 's.db'}"
    for _ in range(2):
        code, out, err = _cli(capsys, "run", "alienvault_usm", "fetch-incidents", "max_fetch=7", "--simulate",
                              "-o", "ocsf", f"--out={out_file}", state)
        assert code == 0, err
        assert "7 OCSF finding(s) appended" in out
    findings = _lines(out_file.read_text())
    uids = [f["finding_info"]["uid"] for f in findings]
    assert len(uids) == 14 == len(set(uids))


def test_a_get_command_with_out_appends_to_the_file(capsys, tmp_path):
    out_file = tmp_path / "findings.jsonl"
    out_file.write_text('{"earlier": true}\n')
    code, out, err = _cli(capsys, "run", "alienvault_usm", "alienvault-get-events-by-alarm",
                          "alarm_id=5ec17dbe-176e-41b1-a426-4cd51ea45cd6", "--simulate", "-o", "ocsf",
                          f"--out={out_file}", f"--state={tmp_path / 's.db'}")
    assert code == 0, err
    lines = _lines(out_file.read_text())
    assert lines[0] == {"earlier": True} and len(lines) == 4 and lines[1]["class_uid"] == 2004


def test_a_command_without_an_ocsf_form_exits_2_with_one_line(capsys, tmp_path):
    code, out, err = _cli(capsys, "run", "alphasoc", "alphasoc-get-threat", "threat_id=c2_communication",
                          "--simulate", "-o", "ocsf", f"--state={tmp_path / 's.db'}")
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "no OCSF form" in err
