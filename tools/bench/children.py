"""Running benchmark pieces in child processes: the simulator server, and measured children that
print one JSON line. Each child is a fresh interpreter, so its peak RSS and its timings are its own."""
from __future__ import annotations

import json
import subprocess
import sys
from contextlib import contextmanager
from typing import Any, Iterator



@contextmanager
def bench_server(*, alerts: int, events: bool = True, latency: float = 0.0) -> Iterator[dict[str, Any]]:
    """``tools.bench.server`` in a child; yields what it printed (url, params, alert_id)."""
    command = [sys.executable, "-m", "soarpacks.tools.bench.server", "--alerts", str(alerts), "--latency", str(latency),
               *([] if events else ["--no-events"])]
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline() if process.stdout else ""
        if not line:
            raise RuntimeError(f"the benchmark server did not start: {' '.join(command)}")
        yield json.loads(line)
    finally:
        if process.stdin:
            process.stdin.close()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def run_child(module: str, *args: str, timeout: float = 900) -> dict[str, Any]:
    """``python -m <module> args...`` in a fresh process; the JSON object it printed last."""
    done = subprocess.run([sys.executable, "-m", module, *args], capture_output=True, text=True,
                          timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"{module} failed ({done.returncode}): {done.stderr.strip()[-500:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def peak_rss_kb() -> int:
    """This process's peak RSS in KiB. Read from VmHWM: Linux keeps ``ru_maxrss`` across fork and exec,
    so a child started by a large process would report its parent's peak instead of its own."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    except (OSError, StopIteration):
        import resource
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
