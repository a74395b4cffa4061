"""alertlogic-get-incident on a 200-event incident, against the simulator with 20 ms added to every
request: associated-event pages fetched concurrently (the default) vs one after another.

Run: ``python -m tools.bench.alertlogic_concurrency [--events 200] [--latency 0.02] [--workers 8]``.
Prints both timings and the ratio, measured in this one run, and checks that both ways give the
same incident (roll-ups included). The simulator serves from its own process (``--serve``), as a
vendor's API would: in ours, its threads would take the interpreter lock from the client's.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from typing import Any

from soarpacks.integrations.alertlogic.simulator import Simulator
from soarpacks.integrations.common.registry import get
from soarpacks.integrations.common.retry import FAST_RETRY
from soarpacks.integrations.common.runner import Instance
from soarpacks.integrations.common.simkit import serve
from soarpacks.integrations.common.state import MemoryStateStore


def _instance(params: dict[str, Any]) -> Instance:
    instance = Instance.configure(get("alertlogic"), params, store=MemoryStateStore(), retry=FAST_RETRY)
    instance.run("test-module")  # log in outside the measurement: both ways share one login
    return instance


def _timed(instance: Instance, incident_id: str) -> tuple[float, dict[str, Any]]:
    started = time.perf_counter()
    outputs = instance.run("alertlogic-get-incident", {"incident_id": incident_id}).outputs
    return time.perf_counter() - started, outputs


def serve_forever(events: int, latency: float) -> int:
    """``--serve``: the simulator with one incident of ``events`` events; prints one JSON line (params,
    incident id, page cap) and serves until standard input closes."""
    simulator = Simulator(seed=0, incidents=1, latency=latency)
    incident_id = simulator.add_incident(events=events)
    with serve(simulator) as running:
        print(json.dumps({"params": running.params(), "incident_id": incident_id,
                          "page_cap": simulator.event_page_cap}), flush=True)
        sys.stdin.read()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.02, help="seconds added to every request")
    parser.add_argument("--workers", type=int, default=8, help="event_workers for the concurrent run")
    parser.add_argument("--rounds", type=int, default=3, help="best of N for each way")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.serve:
        return serve_forever(options.events, options.latency)
    server = subprocess.Popen([sys.executable, "-m", __spec__.name if __spec__ else "soarpacks.tools.bench."
                               "alertlogic_concurrency", "--serve", "--events", str(options.events),
                               "--latency", str(options.latency)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              text=True)
    try:
        started = json.loads(server.stdout.readline())  # type: ignore[union-attr]
        params, incident_id = started["params"], started["incident_id"]
        # Alternated, best of the rounds each: drift in the machine hits both ways.
        one, many = _instance({**params, "event_workers": 1}), _instance({**params, "event_workers": options.workers})
        sequential = concurrent = float("inf")
        for _ in range(options.rounds):
            seconds, seq_out = _timed(one, incident_id)
            sequential = min(sequential, seconds)
            seconds, con_out = _timed(many, incident_id)
            concurrent = min(concurrent, seconds)
        count = seq_out["event_count"]
    finally:
        server.stdin.close()  # type: ignore[union-attr]
        server.wait(timeout=10)
    if seq_out != con_out:
        print("MISMATCH: concurrent and sequential reads gave different incidents")
        return 1
    pages = -(-count // started["page_cap"])
    print(f"alertlogic-get-incident: {count} events in {pages} pages of at most {started['page_cap']}, "
          f"{options.latency * 1000:.0f} ms per request (best of {options.rounds})")
    print(f"  one page after another : {sequential * 1000:8.1f} ms")
    print(f"  {options.workers} pages at a time     : {concurrent * 1000:8.1f} ms")
    print(f"  ratio (sequential / concurrent): {sequential / concurrent:.1f}x   (same roll-ups: yes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
