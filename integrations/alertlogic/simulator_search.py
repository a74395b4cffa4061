"""The simulator's Expert Mode Search (``search.v2.yaml``): submit, status, results, complete, release.

A mixin of the Alert Logic ``Simulator`` (which mounts ``ROUTES`` and calls ``init_search``).
Answers follow the documented schemas (tests/alertlogic/test_simulator_search_responder_openapi.py
validates them). Assumptions where the definitions are silent, each unfavourable to a client:
- a search needs ``search_polls`` status reads (3) before it completes; results read while it runs
  answer ``pending`` without rows;
- an ``interactive`` search (``search_type=auto`` and no aggregation in the query) is ``suspended``
  once more than ``suspend_at`` (50) rows matched, ``total_found`` then counts those; ``complete``
  runs it to the end;
- ``search_failure`` makes every search end ``failed``;
- AL-SQL is far beyond a simulator: a query is accepted when it is ``SELECT cols FROM logmsgs
  [WHERE ...] [ORDER BY time_recv [ASC|DESC]] [LIMIT n]`` with known columns (or ``*``), and the
  WHERE clause keeps the messages containing every quoted literal in it (case-insensitive);
  anything else is the documented 400 ``{"error": ...}``;
- results page by ``limit``/``offset`` (the documented default limit is 100); ``remaining`` counts
  the rows after the page and ``next_token`` is set while some remain;
- releasing an unknown search answers the documented 204; a released search's results answer the
  documented ``released`` shape.
"""
from __future__ import annotations

import base64
import random
import re
import time
import uuid
from typing import Any

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from ..common.simkit import json_response

ROUTES = [
    Rule("/search/v2/<account_id>/searches", endpoint="search_submit", methods=["POST"]),
    Rule("/search/v2/<account_id>/searches/<search_uuid>/status", endpoint="search_status", methods=["GET"]),
    Rule("/search/v2/<account_id>/searches/<search_uuid>/complete", endpoint="search_complete", methods=["POST"]),
    Rule("/search/v2/<account_id>/searches/<search_uuid>", endpoint="search_results", methods=["GET"]),
    Rule("/search/v2/<account_id>/searches/<search_uuid>", endpoint="search_release", methods=["DELETE"]),
]
FIELDS = ("time_recv", "message", "host_name")
QUERY = re.compile(r"^\s*SELECT\s+(?P<columns>.+?)\s+FROM\s+(?P<table>\w+)(?:\s+WHERE\s+(?P<where>.+?))?"
                   r"(?:\s+ORDER\s+BY\s+time_recv(?:\s+(?P<order>ASC|DESC))?)?(?:\s+LIMIT\s+(?P<limit>\d+))?\s*$",
                   re.IGNORECASE | re.DOTALL)
AGGREGATION = re.compile(r"\b(COUNT|SUM|AVG|MIN|MAX)\s*\(|\bGROUP\s+BY\b", re.IGNORECASE)
LOG_HOSTS = ("web-01", "web-02", "db-01", "vpn-gw")


class SearchSimulation:
    """Expert Mode Search over a seeded set of log messages."""

    account_id: str
    lock: Any
    anchor: Any
    seed: int

    def init_search(self, *, messages: int = 300) -> None:
        # Its own random stream: the incidents of a seed stay what they were before search existed.
        rng = random.Random(self.seed ^ 0x5EA4C4)
        start = int(self.anchor.timestamp()) - 3 * 86400
        self.search_polls = 3
        self.suspend_at = 50
        self.search_failure = False
        self.searches: dict[str, dict[str, Any]] = {}
        self.log_messages: list[dict[str, Any]] = []
        for index in range(messages):
            ip = f"203.0.113.{rng.randint(2, 250)}"
            host = LOG_HOSTS[index % len(LOG_HOSTS)]
            line = (f"sshd[{rng.randint(100, 9999)}]: Failed password for root from {ip} port {rng.randint(1024, 65535)} ssh2"
                    if index % 3 == 0 else f'{ip} - - "GET /index.php?id={index} HTTP/1.1" {rng.choice((200, 404, 500))}')
            self.log_messages.append({
                "id": base64.b64encode(rng.getrandbits(96).to_bytes(12, "big")).decode(),
                "fields": {"time_recv": start + index * 800 + rng.randint(0, 700), "message": f"{host} {line}",
                           "host_name": host}})

    def search_examples(self) -> dict[str, dict[str, Any]]:
        return {"alertlogic-search-logs": {"query": "SELECT time_recv, message FROM logmsgs WHERE "
                                                    "CONTAINS(message, 'Failed password')",
                                           "start_time": "3 days", "search_type": "batch", "timeout": 60}}

    # --- helpers -------------------------------------------------------------------------------------
    def _search_error(self, message: str, status: int = 400) -> Response:
        return json_response({"error": message}, status)

    def _search_of(self, account_id: str, search_uuid: str) -> tuple[dict[str, Any] | None, Response | None]:
        if account_id != self.account_id:
            return None, Response(status=403)   # AIMSForbidden: documented without a body
        search = self.searches.get(search_uuid)
        if search is None:
            return None, self._search_error("can not find such uuid", 404)
        return search, None

    def _search_head(self, search: dict[str, Any]) -> dict[str, Any]:
        return {"account_id": self.account_id, "search_uuid": search["uuid"], "search_status": search["status"],
                "external_details": search.get("external_details", ""), "status_details": ""}

    def _search_window(self, request: Request) -> tuple[int, int] | Response:
        try:
            start, end, frame = (int(request.args[k]) if k in request.args else None
                                 for k in ("start", "end", "timeframe"))
        except ValueError:
            return self._search_error("start, end and timeframe must be integers")
        now = int(time.time())
        if frame is not None:
            if start is not None or end is not None:
                return self._search_error("timeframe is mutually exclusive with start and end")
            return now - frame, now
        if (start is None) != (end is None):
            return self._search_error("start must be used with end")
        return (start, end) if start is not None else (now - 86400, now)

    # --- endpoints -----------------------------------------------------------------------------------
    def search_submit(self, request: Request, account_id: str) -> Response:
        if account_id != self.account_id:
            return self._search_error(f"account {account_id} is not accessible")
        requested = request.args.get("search_type", "auto")
        if requested not in ("auto", "batch", "report"):
            return self._search_error(f"invalid search_type {requested}")
        window = self._search_window(request)
        if isinstance(window, Response):
            return window
        query = request.get_data(as_text=True)
        parsed = QUERY.match(query)
        if not parsed or parsed.group("table").lower() != "logmsgs":
            return self._search_error("invalid query: expected SELECT ... FROM logmsgs ...")
        columns = [c.strip() for c in parsed.group("columns").split(",")]
        columns = list(FIELDS[:2]) if columns == ["*"] else columns
        unknown = [c for c in columns if c not in FIELDS]
        if unknown:
            return self._search_error(f"unknown field {unknown[0]}")
        literals = [text.lower() for text in re.findall(r"'([^']*)'", parsed.group("where") or "")]
        rows = [m for m in self.log_messages if window[0] <= m["fields"]["time_recv"] <= window[1]
                and all(text in m["fields"]["message"].lower() for text in literals)]
        if (parsed.group("order") or "").upper() == "DESC":
            rows.reverse()
        if parsed.group("limit"):
            rows = rows[:int(parsed.group("limit"))]
        kind = requested if requested != "auto" else ("batch" if AGGREGATION.search(query) else "interactive")
        search = {"uuid": str(uuid.uuid4()), "status": "pending", "query": query, "requested": requested,
                  "type": kind, "columns": columns, "rows": rows, "polls_left": self.search_polls,
                  "window": window, "submitted": time.time(), "found": 0}
        with self.lock:
            self.searches[search["uuid"]] = search
        return json_response(self._search_head(search), 201)

    def _advance(self, search: dict[str, Any]) -> None:
        """One status read's worth of work on a running search."""
        if search["status"] != "pending":
            return
        search["polls_left"] -= 1
        if search["polls_left"] > 0:
            return
        if self.search_failure:
            search.update(status="failed", external_details="the search exceeded its resources")
        elif search["type"] == "interactive" and not search.get("run_to_end") and len(search["rows"]) > self.suspend_at:
            search.update(status="suspended", found=self.suspend_at)
        else:
            search.update(status="complete", found=len(search["rows"]))

    def search_status(self, request: Request, account_id: str, search_uuid: str) -> Response:
        search, problem = self._search_of(account_id, search_uuid)
        if problem:
            return problem
        with self.lock:
            self._advance(search)
            done = self.search_polls - max(search["polls_left"], 0)
            body = {**self._search_head(search),
                    "details": {"request": search["query"], "requested_type": search["requested"],
                                "search_type": search["type"], "stats": {},
                                "submit_ts": search["submitted"], "update_ts": time.time()},
                    "search_start": search["window"][0], "search_end": search["window"][1],
                    "progress": 100 if search["status"] != "pending" else int(100 * done / self.search_polls),
                    "search_progress": {"input_scanned_bytes": 180 * len(self.log_messages),
                                        "input_scanned_records": len(self.log_messages),
                                        "estimated_output_records": len(search["rows"])},
                    "total_found": search["found"]}
        return json_response(body)

    def search_complete(self, request: Request, account_id: str, search_uuid: str) -> Response:
        search, problem = self._search_of(account_id, search_uuid)
        if problem:
            return problem
        with self.lock:
            if search["status"] != "suspended":
                return Response(status=200)
            search.update(status="pending", polls_left=self.search_polls, run_to_end=True)
        return Response(status=202)

    def search_results(self, request: Request, account_id: str, search_uuid: str) -> Response:
        search, problem = self._search_of(account_id, search_uuid)
        if problem:
            return problem
        head = {**self._search_head(search), "data_type": "logmsgs"}
        if search["status"] == "pending":
            return json_response({**head, "progress": 0})
        if search["status"] in ("failed", "released"):
            return json_response(head)
        try:
            limit = int(request.args.get("limit", 100))
            offset = int(request.args.get("offset", 0))
        except ValueError:
            return self._search_error("limit and offset must be integers")
        found = search["rows"][:search["found"]]
        page = found[offset:offset + limit]
        remaining = max(len(found) - offset - len(page), 0)
        body = {**head, "offset": offset, "remaining": remaining, "total_found": len(found),
                "search_start": search["window"][0], "search_end": search["window"][1],
                "results": {"columns": search["columns"], "metadata": {},
                            "results": [{"fields": {c: m["fields"][c] for c in search["columns"]},
                                         "id": {"account_id": self.account_id, "aid": int(self.account_id),
                                                "datatype": "logmsgs", "msgid": m["id"]}} for m in page]}}
        if remaining:
            body["next_token"] = base64.b64encode(f"{search_uuid}:{offset + len(page)}".encode()).decode()
        return json_response(body)

    def search_release(self, request: Request, account_id: str, search_uuid: str) -> Response:
        if account_id != self.account_id:
            return Response(status=403)
        with self.lock:
            search = self.searches.get(search_uuid)
            if search is None:
                return Response(status=204)
            search.update(status="released", rows=[], found=0)
        return Response(status=202)
