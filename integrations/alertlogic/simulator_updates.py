"""The simulator's incident updates: ``partner_incidents`` and changes made in the Alert Logic console.

Never shipped (like every ``simulator*.py``). Mounted by ``simulator.py``: ``UpdatesSimulator`` is a
base of its ``Simulator`` and ``ROUTES`` are added to its routes. As ``iris.v3.yaml`` (alertlogic-sdk-definitions) documents
``GET /iris/v3/{account_id}/partner_incidents``: ``start_time``/``end_time`` (epoch or ISO,
required), ``time_stamp`` = ``createTime`` (the default) or ``updateTime``, anything else the
documented 400 "time_stamp query string must be updateTime or createTime"; ``aid`` (comma-separated
managed accounts); ``pagination=true&limit&offset`` as for ``incidents_by_time``; without
``pagination`` a bare list. The answer holds the incidents of the account *and the accounts it
manages*: ``managed_incident`` adds one of another account, which a client must not take for its own.

Assumptions where the file is silent (unfavourable to a client, as for ``incidents_by_time``):
no documented order, so id order (and a new order per page with ``unstable_order``); an edit becomes
visible to ``time_stamp=updateTime`` only after ``index()`` when made with ``indexed=False``.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from ..common.simkit import json_response

ROUTES = [Rule("/iris/v3/<account_id>/partner_incidents", endpoint="partner_incidents", methods=["GET"])]
TIME_STAMPS = ("createTime", "updateTime")


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat()


class UpdatesSimulator:
    """Console edits and ``partner_incidents``; uses the IRIS simulator's incidents, lock and helpers."""

    incidents: dict[str, dict[str, Any]]
    unindexed: set[str]

    def console_edit(self, incident_id: str, *, status: str, reason_code: str = "other",
                     notes: str = "changed in the console", at: datetime | None = None,
                     indexed: bool = True) -> None:
        """An analyst changes the incident's status in the Alert Logic console (``completed`` with a
        reason code, or ``open``): its ``customer_status`` and ``updateTime`` change, as the
        complete/reopen endpoints change them."""
        moment = (at or datetime.now(timezone.utc)).replace(microsecond=0)
        with self.lock:  # type: ignore[attr-defined]
            incident = self.incidents[incident_id]
            new = {"status": status, "status_change_time": _iso(moment), "notes": notes,
                   "reason_code": reason_code if status == "completed" else "other"}
            incident["customer_status"] = new
            incident["updateTime"] = int(moment.timestamp())
            incident["updatetime_str"] = _iso(moment)
            if not indexed:
                self.unindexed.add(incident_id)

    def managed_incident(self, *, account_id: str = "134299999", **kwargs: Any) -> str:
        """An incident of an account this one manages: ``partner_incidents`` lists it, the account's own
        incident reads do not."""
        incident_id = self.add_incident(**kwargs)  # type: ignore[attr-defined]
        with self.lock:  # type: ignore[attr-defined]
            self.incidents[incident_id]["accountId"] = account_id
        return incident_id

    def partner_incidents(self, request: Request, account_id: str) -> Response:
        denied = self._account(account_id)  # type: ignore[attr-defined]
        if denied:
            return denied
        start_text, end_text = request.args.get("start_time"), request.args.get("end_time")
        if not start_text or not end_text:
            return json_response({"code": 400, "error": "start_time and end_time query strings must be provided"}, 400)
        field = request.args.get("time_stamp", "createTime")
        if field not in TIME_STAMPS:
            return json_response({"code": 400, "error": "time_stamp query string must be updateTime or createTime"}, 400)
        start, end = self._time_arg(start_text), self._time_arg(end_text)  # type: ignore[attr-defined]
        if start is None or end is None:
            return json_response({"code": 400, "error": "Invalid arguments"}, 400)
        wanted = set(filter(None, request.args.get("aid", "").split(","))) or None
        with self.lock:  # type: ignore[attr-defined]
            items = [dict(inc) for key, inc in sorted(self.incidents.items())
                     if start <= inc[field] <= end and key not in self.unindexed
                     and (wanted is None or inc["accountId"] in wanted)]
            if self.unstable_order:  # type: ignore[attr-defined]
                self.rng.shuffle(items)  # type: ignore[attr-defined]
        if request.args.get("pagination", "").lower() != "true":
            return json_response(items)
        limit = self._int_arg(request, "limit", 100, 1)  # type: ignore[attr-defined]
        offset = self._int_arg(request, "offset", 0, 0)  # type: ignore[attr-defined]
        if isinstance(limit, Response):
            return limit
        if isinstance(offset, Response):
            return offset
        limit = min(limit, self.incident_page_cap)  # type: ignore[attr-defined]
        base = (f"/iris/v3/{account_id}/partner_incidents?start_time={start_text}&end_time={end_text}"
                f"&time_stamp={field}&pagination=true&limit={limit}")
        return json_response({"iris_items": items[offset:offset + limit], "metadata": {
            "limit": limit, "offset": offset, "total_count": len(items),
            "links": {"first": f"{base}&offset=0", "self": f"{base}&offset={offset}",
                      "prev": f"{base}&offset={max(0, offset - limit)}",
                      "next": f"{base}&offset={offset + limit}" if offset + limit < len(items) else None}}})


def command_examples(sim: Any) -> dict[str, dict[str, Any]]:
    return {"alertlogic-list-updated-incidents": {"updated_after": "30 days", "limit": 0}}
