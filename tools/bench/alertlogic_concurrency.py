"""alertlogic-get-incident on a 200-event incident, against the simulator with 20 ms added to every
request: associated-event pages fetched concurrently (the default) vs one after another.

Run: ``python -m tools.bench.alertlogic_concurrency [--events 200] [--latency 0.02] [--workers 6]``.
Prints both timings and the ratio, measured in this one run, and checks that both ways give the
same incident (roll-ups included).
"""
from __future__ import annotations

import argparse
import time
from typing import Any

from soarpacks.integrations.alertlogic.simulator import Simulator
from soarpacks.integrations.common.registry import get
from soarpacks.integrations.common.retry import FAST_RETRY
from soarpacks.integrations.common.runner import Instance
from soarpacks.integrations.common.simkit import serve
from soarpacks.integrations.common.state import MemoryStateStore


def _timed(params: dict[str, Any], incident_id: str, rounds: int) -> tuple[float, dict[str, Any], int]:
    instance = Instance.configure(get("alertlogic"), params, store=MemoryStateStore(), retry=FAST_RETRY)
    instance.run("test-module")  # log in outside the measurement: both ways share one login
    best = float("inf")
    outputs: dict[str, Any] = {}
    for _ in range(rounds):
        started = time.perf_counter()
        outputs = instance.run("alertlogic-get-incident", {"incident_id": incident_id}).outputs
        best = min(best, time.perf_counter() - started)
    return best, outputs, outputs["event_count"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.02, help="seconds added to every request")
    parser.add_argument("--workers", type=int, default=8, help="event_workers for the concurrent run")
    parser.add_argument("--rounds", type=int, default=3, help="best of N for each way")
    options = parser.parse_args(argv)

    simulator = Simulator(seed=0, incidents=1, latency=options.latency)
    incident_id = simulator.add_incident(events=options.events)
    with serve(simulator) as running:
        params = running.params()
        before = simulator.count("elaborations")
        sequential, seq_out, count = _timed({**params, "event_workers": 1}, incident_id, options.rounds)
        pages = (simulator.count("elaborations") - before) // options.rounds
        concurrent, con_out, _ = _timed({**params, "event_workers": options.workers}, incident_id, options.rounds)
    if seq_out != con_out:
        print("MISMATCH: concurrent and sequential reads gave different incidents")
        return 1
    print(f"alertlogic-get-incident: {count} events in {pages} pages of at most {simulator.event_page_cap}, "
          f"{options.latency * 1000:.0f} ms per request (best of {options.rounds})")
    print(f"  one page after another : {sequential * 1000:8.1f} ms")
    print(f"  {options.workers} pages at a time     : {concurrent * 1000:8.1f} ms")
    print(f"  ratio (sequential / concurrent): {sequential / concurrent:.1f}x   (same roll-ups: yes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
