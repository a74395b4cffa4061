"""Cold start: a fresh ``soarpacks run cisco_gta get-event`` process against a local simulator (what a
SOAR platform does for every command) versus a fresh ``python -c "import requests"`` (the least any
Python integration pays), and ``python -c pass`` for scale. Median of interleaved runs."""
from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from soarpacks.tools.bench.children import bench_server


@dataclass
class ColdStart:
    seconds: dict[str, float]  # median per command

    @property
    def ratio(self) -> float:
        return self.seconds["get-event"] / self.seconds["import requests"]


def _wall(command: list[str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=120)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command[:6])}... failed: {done.stderr.strip()[-300:]}")
    return elapsed


def get_event_command(server: dict, state: Path) -> list[str]:
    params = [f"--param={k}={v}" for k, v in server["params"].items()]
    return [sys.executable, "-m", "soarpacks.tools.cli", "run", "cisco_gta", "get-event", f"alert_id={server['alert_id']}",
            *params, f"--state={state}"]


def measure(*, repeats: int = 9) -> ColdStart:
    with tempfile.TemporaryDirectory() as scratch, bench_server(alerts=300) as server:
        commands = {
            "get-event": get_event_command(server, Path(scratch) / "state.sqlite3"),
            "import requests": [sys.executable, "-c", "import requests"],
            "python": [sys.executable, "-c", "pass"],
        }
        for command in commands.values():
            _wall(command)  # warm the OS file cache and .pyc files first
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(repeats):
            for name, command in commands.items():
                times[name].append(_wall(command))
    return ColdStart({name: statistics.median(values) for name, values in times.items()})
