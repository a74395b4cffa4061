"""fetch-incidents to a file survives SIGKILL at any moment, for every integration.

Each trial runs ``soarpacks run <id> fetch-incidents --simulate --state S --out F`` in a fresh process
and kills it with SIGKILL at a random moment: sometimes at a random time within a clean run's duration,
sometimes frozen (SIGSTOP) the moment its first append shows or a few milliseconds later, so kills
land between writing incidents and committing the bookmark, the dangerous window. Then the same command runs to completion until a run appends nothing. With
``--simulate`` every process starts a simulator from the same seed, so the world is the same on every
restart; the file must then hold exactly the simulator's incidents, each once, and the state file must
be intact.

CI runs a couple of kills per integration. A soak by hand::

    SOARPACKS_CRASH_ROUNDS=20 SOARPACKS_CRASH_KILLS=6 python -m pytest tests/crash -q

``SOARPACKS_CRASH_SEED`` replays the kill schedule of a failure (every failure message names its seed).
"""
from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from soarpacks.integrations.common.outbox import outbox_key
from soarpacks.integrations.common.registry import discover
from soarpacks.integrations.common.retry import FAST_RETRY
from soarpacks.integrations.common.runner import Instance
from soarpacks.integrations.common.simkit import serve
from soarpacks.integrations.common.state import MemoryStateStore, SqliteStateStore

from .cliargs import as_cli_args

REPO = Path(__file__).resolve().parents[2]
ROUNDS = int(os.environ.get("SOARPACKS_CRASH_ROUNDS", "1"))
KILLS = int(os.environ.get("SOARPACKS_CRASH_KILLS", "3"))
SEED = int(os.environ.get("SOARPACKS_CRASH_SEED") or random.SystemRandom().randrange(1 << 32))
MAX_RUNS = 100
INTEGRATIONS = discover()


def _expected_ids(integration) -> set[str]:
    """What a drain of the same seeded world hands over, run after run until nothing comes."""
    simulator = integration.simulator_class()(seed=0)
    with serve(simulator) as served:
        instance = Instance.configure(integration, served.params(), store=MemoryStateStore(), retry=FAST_RETRY)
        ids: list[str] = []
        for _ in range(MAX_RUNS):
            batch = instance.fetch_all(simulator.drain_args())
            if not batch:
                break
            ids.extend(i["id"] for i in batch)
    assert len(ids) == len(set(ids)) == simulator.expected_incident_count()
    return set(ids)


def _drain_command(integration, state: Path, out: Path) -> list[str]:
    args = integration.simulator_class()(seed=0).drain_args()
    return [sys.executable, "-m", "soarpacks.tools.cli", "run", integration.id, "fetch-incidents", *as_cli_args(args),
            "--simulate", "--state", str(state), "--out", str(out)]


def _clean_run_duration(integration, tmp_path: Path) -> float:
    """How long one uninterrupted run takes here: the range random kill times are drawn from."""
    command = _drain_command(integration, tmp_path / "timing.sqlite3", tmp_path / "timing.jsonl")
    started = time.monotonic()
    _run_to_completion(command)
    return time.monotonic() - started


def _size(path: Path) -> int:
    return path.stat().st_size if path.exists() else 0


def _outbox_key(integration_id: str, out: Path) -> str:
    return outbox_key(f"{integration_id}/simulate/fetch-incidents", out)


def _committed(state: Path, out: Path, integration_id: str) -> int:
    if not state.exists():
        return 0
    store = SqliteStateStore(state)
    try:
        return int((store.load(_outbox_key(integration_id, out)) or {}).get("length", 0))
    finally:
        store.close()


def _run_and_kill(command: list[str], out: Path, state: Path, rng: random.Random, duration: float,
                  integration_id: str) -> str:
    """Start a run and SIGKILL it at a random moment; say where it died."""
    before = _size(out)
    process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        if rng.random() < 0.4:
            deadline = time.monotonic() + rng.uniform(0, duration)
            while time.monotonic() < deadline and process.poll() is None:
                time.sleep(0.001)
        else:
            # At a hand-over: freeze the run the moment its first append shows, between writing the
            # incidents and committing the bookmark (the dangerous window), or a few ms later.
            deadline = time.monotonic() + 60
            while process.poll() is None and _size(out) <= before and time.monotonic() < deadline:
                time.sleep(0.0002)
            if rng.random() < 0.5:
                process.send_signal(signal.SIGSTOP)
            else:
                time.sleep(rng.uniform(0, 0.015))
        if process.poll() is not None:
            return "finished"
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=60)
    return "uncommitted tail" if _size(out) > _committed(state, out, integration_id) else "killed"


def _run_to_completion(command: list[str]) -> int:
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return int(done.stdout.split()[0])  # "<n> incident(s) appended to <file>"


def _assert_intact(state: Path, out: Path, expected: set[str], why: str, integration_id: str) -> None:
    lines = out.read_text().splitlines()
    ids = [json.loads(line)["id"] for line in lines]  # a torn line would fail to parse here
    assert len(ids) == len(set(ids)), f"duplicates ({why})"
    assert set(ids) == expected, f"{len(expected - set(ids))} lost, {len(set(ids) - expected)} unknown ({why})"
    with sqlite3.connect(state) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok", why
    store = SqliteStateStore(state)
    try:
        record = store.load(_outbox_key(integration_id, out))
        assert record["length"] == out.stat().st_size and "pending" not in record, why
    finally:
        store.close()


@pytest.mark.parametrize("integration_id", sorted(INTEGRATIONS))
def test_sigkill_at_random_points_neither_loses_nor_duplicates_an_incident(integration_id, tmp_path):
    integration = INTEGRATIONS[integration_id]
    expected = _expected_ids(integration)
    rng = random.Random(f"{SEED}/{integration_id}")
    duration = _clean_run_duration(integration, tmp_path)
    for round_number in range(ROUNDS):
        state, out = tmp_path / f"state-{round_number}.sqlite3", tmp_path / f"incidents-{round_number}.jsonl"
        command = _drain_command(integration, state, out)
        outcomes = Counter(_run_and_kill(command, out, state, rng, duration, integration_id) for _ in range(KILLS))
        for _ in range(MAX_RUNS):
            if _run_to_completion(command) == 0:
                break
        else:
            pytest.fail(f"still appending after {MAX_RUNS} runs (SOARPACKS_CRASH_SEED={SEED})")
        _assert_intact(state, out, expected, f"round {round_number}, kills: {dict(outcomes)}, "
                                             f"SOARPACKS_CRASH_SEED={SEED}", integration_id)
