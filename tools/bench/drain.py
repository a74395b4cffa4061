"""Draining N Cisco GTA alerts: fetch-incidents (run after run, as a scheduler would, until a run hands
over nothing) against the floor, a bare ``requests`` loop that walks the same alerts with the API's
cursor and parses each page's JSON. Each drain runs in its own fresh process against the same
simulator server; its peak RSS is measured there too.

Child mode: ``python -m tools.bench.drain --mode soarpacks|floor --server '<json>' --first-fetch T``.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from soarpacks.tools.bench.children import bench_server, peak_rss_kb, run_child

FLOOR_PAGE = 1000  # the API's largest page, which fetch-incidents also asks for
MAX_FETCH = 10000  # the manifest's maximum: the fewest runs a drain can take
# The floor reads the alert list only, so fetch-incidents does too: with enrichment (the manifest's default
# reads 3 threat detections per alert) it would make 3 more requests per alert, which no floor makes.
FETCH_ARGS = {"max_fetch": MAX_FETCH, "enrich_detections": 0}


def _first_fetch() -> str:
    """Before the simulator's whole 45-day world, fixed for the run so every drain asks the same."""
    from soarpacks.integrations.common.simkit import Simulator
    from soarpacks.integrations.common.timeutil import rfc3339
    return rfc3339(Simulator().anchor - timedelta(days=46))


def drain_floor(server: dict[str, Any], first_fetch: str) -> tuple[int, float]:
    import requests
    params = server["params"]
    session = requests.Session()
    token = session.post(params["token_url"], data={"grant_type": "client_credentials"},
                         auth=(params["client_id"], params["client_secret"]), timeout=60).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    customer = session.get(params["identity_url"], headers=headers, timeout=60).json()["identity"]["customerId"]
    url = f"{params['base_url']}/alert-management/customer/{customer}/alerts"
    query: dict[str, Any] = {"sort": "triggeredAt:asc", "triggeredAfter": first_fetch, "size": FLOOR_PAGE}
    count = 0
    started = time.perf_counter()
    while True:
        response = session.get(url, params=query, headers=headers, timeout=60)
        response.raise_for_status()
        body = response.json()
        count += len(body["items"])
        if not body["pageInfo"]["hasNextPage"]:
            break
        query["after"] = body["pageInfo"]["endCursor"]
    return count, time.perf_counter() - started


def drain_soarpacks(server: dict[str, Any], first_fetch: str) -> tuple[int, float]:
    from soarpacks.integrations.common.registry import get
    from soarpacks.integrations.common.runner import Instance
    from soarpacks.integrations.common.state import MemoryStateStore
    instance = Instance.configure(get("cisco_gta"), server["params"], store=MemoryStateStore())
    instance.run("test-module")  # token and customer id outside the measurement, as the floor does
    count = 0
    started = time.perf_counter()
    while True:
        handed = instance.run("fetch-incidents", {"first_fetch": first_fetch, **FETCH_ARGS},
                              emit=lambda incidents: None)
        count += handed
        if handed == 0:
            break
    return count, time.perf_counter() - started


@dataclass
class DrainResult:
    alerts: int
    latency: float
    seconds: dict[str, float]  # best of the repeats, per mode
    peak_rss_mb: dict[str, float]  # largest over the repeats, per mode

    def rate(self, mode: str) -> float:
        return self.alerts / self.seconds[mode]

    @property
    def ratio(self) -> float:
        return self.seconds["soarpacks"] / self.seconds["floor"]


def measure(alerts: int, *, repeats: int = 3, latency: float = 0.0) -> DrainResult:
    first_fetch = _first_fetch()
    seconds: dict[str, float] = {}
    rss: dict[str, float] = {}
    with bench_server(alerts=alerts, events=False, latency=latency) as server:
        for _ in range(repeats):
            for mode in ("floor", "soarpacks"):  # alternated, so drift in the machine hits both
                result = run_child("soarpacks.tools.bench.drain", "--mode", mode, "--server", json.dumps(server),
                                   "--first-fetch", first_fetch)
                if result["count"] != server["alerts"]:
                    raise RuntimeError(f"{mode} drained {result['count']} of {server['alerts']} alerts")
                seconds[mode] = min(seconds.get(mode, float("inf")), result["seconds"])
                rss[mode] = max(rss.get(mode, 0.0), result["peak_rss_kb"] / 1024)
    return DrainResult(alerts, latency, seconds, rss)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=["soarpacks", "floor"], required=True)
    parser.add_argument("--server", required=True, help="the JSON line tools.bench.server printed")
    parser.add_argument("--first-fetch", required=True)
    options = parser.parse_args(argv)
    drain = drain_soarpacks if options.mode == "soarpacks" else drain_floor
    count, seconds = drain(json.loads(options.server), options.first_fetch)
    peak = peak_rss_kb()
    print(json.dumps({"mode": options.mode, "count": count, "seconds": seconds, "peak_rss_kb": peak}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
