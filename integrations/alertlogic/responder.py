"""Containment through Alert Logic Responder (``responder.v1.yaml`` in the alertlogic-sdk-definitions
package): playbook and action executions, the managed responses configured for an incident, and
the blocks the managed responses put in place (their history, and block/unblock).

The host is the account's ``responder`` host from the endpoints service (production:
``api.responder.alertlogic.com``), with the same AIMS token as IRIS (``X-AIMS-Auth-Token``).

Writes (``executions``, ``blocks/manage``) are sent once, never retried: a resent execution runs
the response twice. The block history query is a POST but only reads, so it is retried.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Iterator

from ..common import errors
from ..common.http import HttpClient
from ..common.vendordata import reads_vendor_data

VENDOR = "alertlogic"
HISTORY_PAGE = 100          # BlocksHistoryQuery.limit: at most 100 per request
BLOCK_INTENTS = ("block_soft", "unblock_soft", "block_force", "unblock_force")


class ResponderApi:
    def __init__(self, http: HttpClient, account_id: str) -> None:
        self.http = http
        self.account_id = account_id

    def _path(self, suffix: str) -> str:
        return f"/v1/{self.account_id}/{suffix}"

    @reads_vendor_data
    def execute(self, ref: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Enqueues the playbook or action ``ref`` (id or name) with ``payload`` (CreateExecution)."""
        answer = self.http.send_json("POST", self._path("executions"), json_body={"ref": ref, "payload": payload})
        if not isinstance(answer, dict) or not answer.get("id"):
            raise errors.VendorError(f"{VENDOR}: Responder accepted the execution without an execution id")
        return answer

    @reads_vendor_data
    def execution(self, execution_id: str) -> dict[str, Any]:
        try:
            answer = self.http.get_json(self._path(f"executions/{execution_id}"))
        except errors.NotFoundError:
            raise errors.NotFoundError(f"{VENDOR}: no Responder execution {execution_id} "
                                       f"in account {self.account_id}") from None
        if not isinstance(answer, dict) or not isinstance(answer.get("status"), str):
            raise errors.VendorError(f"{VENDOR}: execution {execution_id}: the answer has no status")
        return answer

    @reads_vendor_data
    def incident_responses(self, incident_id: str) -> list[str]:
        """The ids of the managed response configurations that apply to the incident."""
        try:
            answer = self.http.get_json(self._path(f"incidents/{incident_id}/responses"))
        except errors.NotFoundError:
            raise errors.NotFoundError(f"{VENDOR}: Responder knows no incident {incident_id}") from None
        ids = answer.get("mr_config_ids") if isinstance(answer, dict) else None
        if not isinstance(ids, list):
            raise errors.VendorError(f"{VENDOR}: incident {incident_id} responses: no mr_config_ids list")
        return [str(i) for i in ids]

    @reads_vendor_data
    def mr_config(self, config_id: str) -> dict[str, Any]:
        answer = self.http.get_json(self._path(f"mr_configs/{config_id}"))
        if not isinstance(answer, dict):
            raise errors.VendorError(f"{VENDOR}: managed response {config_id}: the answer is not an object")
        return answer

    @reads_vendor_data
    def block_history(self, *, filters: dict[str, Any], start: datetime | None = None,
                      end: datetime | None = None) -> Iterator[dict[str, Any]]:
        """Every block matching ``filters`` (BlocksHistoryQuery.filter), page by page: the answer's
        ``marker`` and ``continuation_id`` are sent back until an answer has no marker."""
        query: dict[str, Any] = {"limit": HISTORY_PAGE}
        if filters:
            query["filter"] = filters
        if start is not None:
            query["start_timestamp"] = int(start.timestamp())
        if end is not None:
            query["end_timestamp"] = int(end.timestamp())
        while True:
            page = self.http.send_json("POST", self._path("blocks/history"), json_body=query, retry_unsafe=True)
            blocks = page.get("blocks") if isinstance(page, dict) else None
            if not isinstance(blocks, list):
                raise errors.VendorError(f"{VENDOR}: the block history answer has no blocks list")
            yield from blocks
            marker = page.get("marker")
            if not blocks or not marker:
                return
            query["marker"] = marker
            if page.get("continuation_id"):
                query["continuation_id"] = page["continuation_id"]

    def manage_blocks(self, requests: list[dict[str, Any]]) -> Any:
        """Asks Responder to block or unblock (``intent``) objects; the change is asynchronous (202):
        the block history shows ``blocking``/``unblocking``, then the outcome."""
        return self.http.send_json("POST", self._path("blocks/manage"), json_body={"requests": requests})
