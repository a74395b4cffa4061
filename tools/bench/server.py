"""The Cisco GTA simulator in its own process, for benchmarks: the client under test then has a core
to itself, and the server's work does not count against it.

The simulator filters, sorts and scans its whole world on every page (simple and faithful, but at
100k alerts a page costs it half a second, which would drown the client's cost we want to see).
``IndexedSimulator`` answers the queries a drain makes from sorted indexes instead, byte for byte the
same (``check_same_answers`` proves it on a small world before every benchmark run).

Run: ``python -m tools.bench.server --alerts 100000 [--no-events]``: prints one JSON line (url, params,
an alert id) and serves until its standard input closes.
"""
from __future__ import annotations

import argparse
import base64
import json
import logging
import sys
import threading
from bisect import bisect_right
from typing import Any

from werkzeug.serving import make_server
from werkzeug.test import Client
from werkzeug.wrappers import Request, Response

from soarpacks.integrations.cisco_gta.simulator import CUSTOMER, Simulator
from soarpacks.integrations.common.simkit import json_response
from soarpacks.integrations.common.timeutil import parse_time

_INDEXED_ARGS = {"sort", "triggeredAfter", "modifiedAfter", "size", "after"}


class IndexedSimulator(Simulator):
    def __init__(self, *, events: bool = True, **kwargs: Any) -> None:
        self._events = events
        super().__init__(**kwargs)
        self._by_triggered = sorted(self.alerts.values(), key=lambda a: (a["triggeredAt"], a["id"]))
        self._triggered_keys = [(a["triggeredAt"], a["id"]) for a in self._by_triggered]
        self._triggered_times = [parse_time(a["triggeredAt"]) for a in self._by_triggered]
        self._by_modified = sorted(self.alerts.values(), key=lambda a: parse_time(a["modifiedAt"]))
        self._modified_times = [parse_time(a["modifiedAt"]) for a in self._by_modified]

    def _add_event(self, *args: Any) -> None:
        # Events matter to get-event, not to a drain; without them a 100k world builds in seconds.
        if self._events:
            super()._add_event(*args)

    def list_alerts(self, request: Request, cid: str) -> Response:
        args = request.args
        if cid != CUSTOMER or self.changed or set(args) - _INDEXED_ARGS:
            return super().list_alerts(request, cid)
        try:
            sort = args.get("sort", "triggeredAt:desc")
            if "modifiedAfter" in args and "triggeredAfter" not in args:
                # Alerts modified since a bookmark: few. Narrow them by index, let the simulator page them.
                low = bisect_right(self._modified_times, parse_time(args["modifiedAfter"]))
                field, _, direction = sort.partition(":")
                if field not in ("triggeredAt", "modifiedAt"):
                    return super().list_alerts(request, cid)
                return self._page(request, self._by_modified[low:], lambda a: (a[field], a["id"]),
                                  reverse=direction == "desc")
            if sort != "triggeredAt:asc" or "modifiedAfter" in args:
                return super().list_alerts(request, cid)
            low = bisect_right(self._triggered_times, parse_time(args["triggeredAfter"])) if "triggeredAfter" in args else 0
        except Exception:  # noqa: BLE001 - anything unusual: the simulator's own answer, errors included
            return super().list_alerts(request, cid)
        return self._indexed_page(request, low)

    def _indexed_page(self, request: Request, low: int) -> Response:
        size = self._size(request)
        if isinstance(size, Response):
            return size
        start = low
        if request.args.get("after"):
            try:
                position = tuple(json.loads(base64.urlsafe_b64decode(request.args["after"].encode())))
            except ValueError:
                return json_response({"message": "Invalid cursor"}, 400)
            start = max(low, bisect_right(self._triggered_keys, position))
        page = self._by_triggered[start:start + size]
        more = start + size < len(self._by_triggered)

        def cursor(item: dict[str, Any]) -> str:
            return base64.urlsafe_b64encode(json.dumps([item["triggeredAt"], item["id"]]).encode()).decode()

        end = cursor(page[-1]) if page and more else None
        query = {k: v for k, v in request.args.items() if k != "after"}
        next_link = None if not end else request.path + "?" + "&".join(
            f"{k}={v}" for k, v in {**query, "after": end}.items())
        return json_response({"items": page, "pageInfo": {
            "previous": None, "next": next_link, "hasNextPage": more, "hasPreviousPage": start > low,
            "startCursor": cursor(page[0]) if page and start > low else None, "endCursor": end}})


def check_same_answers(alerts: int = 400) -> None:
    """The indexed answers equal the simulator's own, for the queries a drain makes."""
    plain, indexed = Simulator(alerts=alerts, seed=3), IndexedSimulator(alerts=alerts, seed=3)
    indexed.tokens = plain.tokens
    token = plain.tokens.issue()
    headers = {"Authorization": f"Bearer {token}"}
    base = f"/alert-management/customer/{CUSTOMER}/alerts"
    middle = sorted(a["triggeredAt"] for a in plain.alerts.values())[alerts // 2]
    queries = [{"sort": "triggeredAt:asc", "size": "50"},
               {"sort": "triggeredAt:asc", "size": "1000", "triggeredAfter": "2000-01-01T00:00:00.000Z"},
               {"sort": "triggeredAt:asc", "size": "37", "triggeredAfter": middle},
               {"modifiedAfter": middle, "size": "1000"},
               {"modifiedAfter": "2100-01-01T00:00:00.000Z"}]
    for query in queries:
        url = base
        for _ in range(alerts):
            a = Client(plain).get(url, query_string=query if url == base else None, headers=headers)
            b = Client(indexed).get(url, query_string=query if url == base else None, headers=headers)
            if (a.status_code, a.get_json()) != (b.status_code, b.get_json()):
                raise AssertionError(f"indexed simulator differs from the simulator on {url} {query}")
            body = a.get_json()
            if not body["pageInfo"]["next"]:
                break
            url = body["pageInfo"]["next"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alerts", type=int, default=3000)
    parser.add_argument("--no-events", action="store_true", help="skip detections' events (drain benchmarks)")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every request (a distant API)")
    options = parser.parse_args(argv)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    simulator = IndexedSimulator(alerts=options.alerts, events=not options.no_events, seed=0,
                                 latency=options.latency)
    server = make_server("127.0.0.1", 0, simulator, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(json.dumps({"url": url, "params": simulator.integration_params(url), "alert_id": next(iter(simulator.alerts)),
                      "alerts": len(simulator.alerts)}), flush=True)
    sys.stdin.read()  # until the parent closes our stdin (or dies)
    server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
