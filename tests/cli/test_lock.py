"""One fetch per state key at a time: a second run waits a bounded time, then exits 3 naming the holder."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from soarpacks.integrations.common.lock import state_lock
from soarpacks.tools.cli import main

REPO = Path(__file__).resolve().parents[2]
KEY = "cisco_gta/simulate/fetch-incidents"


def test_a_second_fetch_of_a_state_key_in_use_exits_3_naming_the_holders_pid(capsys, tmp_path, monkeypatch):
    state = tmp_path / "s.db"
    monkeypatch.setenv("SOARPACKS_LOCK_WAIT", "0.2")
    with state_lock(state, KEY):
        code = main(["run", "cisco_gta", "fetch-incidents", "--simulate", "--state", str(state)])
    out, err = capsys.readouterr()
    assert code == 3 and f"is in use by pid {os.getpid()}" in err and len(err.strip().splitlines()) == 1
    assert out == ""


def test_the_lock_is_free_again_once_a_run_ends(capsys, tmp_path, monkeypatch):
    state = tmp_path / "s.db"
    monkeypatch.setenv("SOARPACKS_LOCK_WAIT", "0")
    with state_lock(state, KEY):
        pass
    assert main(["run", "cisco_gta", "fetch-incidents", "--simulate", "--state", str(state), "-o", "json"]) == 0


def test_other_state_keys_are_not_blocked(capsys, tmp_path, monkeypatch):
    state = tmp_path / "s.db"
    monkeypatch.setenv("SOARPACKS_LOCK_WAIT", "0")
    with state_lock(state, "cisco_gta/other/fetch-incidents"):
        code = main(["run", "cisco_gta", "fetch-incidents", "--simulate", "--state", str(state), "-o", "json"])
    assert code == 0, capsys.readouterr().err


def test_two_concurrent_fetches_on_one_state_file_never_hand_anything_over_twice(tmp_path):
    state = tmp_path / "s.db"
    command = [sys.executable, "-m", "soarpacks.tools.cli", "run", "cisco_gta", "fetch-incidents", "max_fetch=50",
               "--simulate", "--state", str(state), "-o", "json"]
    env = {**os.environ, "SOARPACKS_LOCK_WAIT": "120"}
    runs = [subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)]
    handed = []
    for run in runs:
        out, err = run.communicate(timeout=180)
        assert run.returncode == 0, err
        handed.extend(i["id"] for i in json.loads(out))
    assert handed and len(handed) == len(set(handed))
