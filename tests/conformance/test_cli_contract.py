"""The command-line contract every integration keeps: ``--out`` only appends, arguments are checked
before any request, and a fetch never hands over what a concurrent or earlier one did."""
from __future__ import annotations

import json

import pytest
import requests

from soarpacks.tools.cli import main

UNRELATED = '{"kept": "a line someone else wrote"}\nand a line that is not even JSON\n'


def _cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _fetch_args(integration):
    args = {a["name"] for a in integration.manifest.command("fetch-incidents").args}
    return ["max_fetch=5"] if "max_fetch" in args else []


def test_out_appends_after_unrelated_lines_and_never_truncates(integration, capsys, tmp_path):
    out = tmp_path / "out.jsonl"
    out.write_text(UNRELATED)
    for state in ("a.db", "b.db"):   # a second state file on the same file must not cut the first's lines
        before = out.read_bytes()
        code, stdout, err = _cli(capsys, "run", integration.id, "fetch-incidents", *_fetch_args(integration),
                                 "--simulate", "--state", str(tmp_path / state), "--out", str(out))
        assert code == 0, err
        assert out.read_bytes().startswith(before)
    lines = out.read_text().splitlines()
    assert len(lines) > 2 and all(json.loads(line)["source"] == integration.id for line in lines[2:])


def test_a_first_fetch_in_the_future_is_refused_before_any_request(integration, served, capsys, tmp_path,
                                                                     monkeypatch):
    if "first_fetch" not in {a["name"] for a in integration.manifest.command("fetch-incidents").args}:
        pytest.skip(f"{integration.id} has no first_fetch")
    monkeypatch.setattr(requests.Session, "request", lambda *a, **k: pytest.fail("a request was sent"))
    params = [f"--param={k}={v}" for k, v in served.params().items()]
    code, out, err = _cli(capsys, "run", integration.id, "fetch-incidents", *params, "first_fetch=2999-01-01",
                          "--state", str(tmp_path / "s.db"))
    assert code == 2 and "first_fetch" in err and "future" in err


def test_a_repeated_argument_is_refused_naming_it(integration, served, capsys, tmp_path):
    params = [f"--param={k}={v}" for k, v in served.params().items()]
    code, out, err = _cli(capsys, "run", integration.id, "fetch-incidents", "max_fetch=1", *params, "max_fetch=2",
                          "--state", str(tmp_path / "s.db"))
    assert code == 2 and "'max_fetch' is given twice" in err


def test_a_second_fetch_after_the_first_hands_over_nothing_twice(integration, capsys, tmp_path):
    state = tmp_path / "s.db"
    handed = []
    for _ in range(2):
        code, out, err = _cli(capsys, "run", integration.id, "fetch-incidents", *_fetch_args(integration), "--simulate",
                              "-o", "json", "--state", str(state))
        assert code == 0, err
        handed += [i["id"] for i in json.loads(out)]
    assert handed and len(handed) == len(set(handed))
