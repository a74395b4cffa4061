"""The simulator's Responder (``responder.v1.yaml``): executions, an incident's managed responses,
the managed response configurations, and the block history and its management.

A mixin of the Alert Logic ``Simulator`` (which mounts ``ROUTES`` and calls ``init_responder`` after
its incidents exist). Answers follow the documented schemas (tests/alertlogic/
test_simulator_search_responder_openapi.py validates them). Where the definitions are silent or
wrong:
- ``POST executions`` documents only its 201; a body without ``ref`` and a valid ``payload``, or a
  ``ref`` naming no playbook or action, is answered 400 ``{"error": ...}`` here;
- an execution is ``running`` for ``execution_polls`` (1) reads, then ``succeeded``;
- ``BlocksManageRequest`` names its property ``bobjs`` (an array) but requires ``bobj``: this
  simulator takes either, and ignores a request for a block it does not have (the answer is 202
  with an empty object either way, as documented);
- a managed block is ``blocking``/``unblocking`` until the next history read, then
  ``blocked``/``unblocked``;
- the history pages by ``limit`` (at most 100); ``marker`` is set while more blocks follow and
  ``continuation_id`` names the query; ``count`` is the number of matching blocks.
"""
from __future__ import annotations

import json
import random
import time
import uuid
from typing import Any

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from ..common.simkit import json_response

ROUTES = [
    Rule("/v1/<account_id>/executions", endpoint="responder_execute", methods=["POST"]),
    Rule("/v1/<account_id>/executions/<execution_id>", endpoint="responder_execution", methods=["GET"]),
    Rule("/v1/<account_id>/incidents/<incident_id>/responses", endpoint="responder_incident_responses",
         methods=["GET"]),
    Rule("/v1/<account_id>/mr_configs/<config_id>", endpoint="responder_mr_config", methods=["GET"]),
    Rule("/v1/<account_id>/blocks/history", endpoint="responder_block_history", methods=["POST"]),
    Rule("/v1/<account_id>/blocks/manage", endpoint="responder_manage_blocks", methods=["POST"]),
]
PAYLOAD_TYPES = ("action", "incident", "observation", "generic")
PLAYBOOKS = {"6C4B8E1A-0F0D-4A4E-9F43-1B2A3C4D5E6F": "Block attacker at the firewall",
             "9A1B2C3D-4E5F-4061-8A7B-8C9D0E1F2A3B": "Disable AD user"}
ACTIONS = ("paloalto.block_ip", "paloalto.unblock_ip", "ad.disable_user")
USER = "715A4EC0-9833-4D6E-9C03-A537E3F98D23"


class ResponderSimulation:
    account_id: str
    lock: Any
    seed: int
    incidents: dict[str, dict[str, Any]]

    def init_responder(self) -> None:
        rng = random.Random(self.seed ^ 0x8E5B0D)
        self.execution_polls = 1
        self.executions: dict[str, dict[str, Any]] = {}
        self.mr_configs: dict[str, dict[str, Any] | None] = {
            "mr-paloalto-edge": {"type": "paloalto_block", "name": "Block-attackers-at-the-edge",
                                 "connection_target_id": "conn-pa-01", "tag": "al-mr", "ttl_sec": 604800,
                                 "approval_options": "none", "block_external_attackers": "auto", "enabled": True},
            "mr-retired": None,   # deleted: answered 410
        }
        self.incident_responses: dict[str, list[str]] = {}
        self.blocks: list[dict[str, Any]] = []
        for index, (incident_id, incident) in enumerate(self.incidents.items()):
            if index % 3:
                continue
            self.incident_responses[incident_id] = ["mr-paloalto-edge"] + (["mr-retired"] if index % 2 else [])
            self.blocks.append({
                "block_key": f"{rng.getrandbits(64):016x}", "bk_tm_bucket": incident["createTime"] // 3600 * 3600,
                "bk_category": "MR", "bk_location_type": "paloalto", "bk_location_id": "conn-pa-01",
                "bobj": incident["attacker"]["ip"], "status": "blocked" if index % 2 == 0 else "unblocked",
                "incident_id": incident_id, "human_friendly_id": incident["humanFriendlyId"],
                "response_name": "Block-attackers-at-the-edge", "intent": "block_soft",
                "time": incident["createTime"]})
        self.blocks.sort(key=lambda b: -b["time"])   # newest first

    def responder_examples(self) -> dict[str, dict[str, Any]]:
        incident_id = next(iter(self.incident_responses))
        blocked = next(b for b in self.blocks if b["status"] == "blocked")
        return {
            "alertlogic-responder-run": {"ref": "Block attacker at the firewall", "payload_type": "incident",
                                         "incident_id": incident_id},
            "alertlogic-responder-get-execution": {"execution_id": self.example_execution()},
            "alertlogic-responder-incident-responses": {"incident_id": incident_id},
            "alertlogic-responder-block-history": {"incident_id": incident_id},
            "alertlogic-responder-manage-block": {"bobj": blocked["bobj"], "block_key": blocked["block_key"],
                                                  "action": "unblock"},
        }

    def example_execution(self) -> str:
        """An execution that exists, for get-execution's example (created here if none was run)."""
        with self.lock:
            if not self.executions:
                execution_id = uuid.uuid4().hex
                now = int(time.time())
                record = {"id": execution_id, "account_id": self.account_id, "status": "requested",
                          "created": {"at": now, "by": USER}, "modified": {"at": now, "by": USER},
                          "playbook_id": next(iter(PLAYBOOKS)), "type": "generic", "deployment_id": str(uuid.uuid4())}
                self.executions[execution_id] = {"record": record, "reads": 0, "parameters": {}}
            return next(iter(self.executions))

    def _responder_account(self, account_id: str) -> Response | None:
        return None if account_id == self.account_id else json_response({"message": "Forbidden"}, 403)

    @staticmethod
    def _responder_body(request: Request) -> dict[str, Any] | None:
        try:
            body = json.loads(request.get_data() or b"null")
        except ValueError:
            return None
        return body if isinstance(body, dict) else None

    # --- executions ----------------------------------------------------------------------------------
    def responder_execute(self, request: Request, account_id: str) -> Response:
        denied = self._responder_account(account_id)
        if denied:
            return denied
        body = self._responder_body(request)
        payload = (body or {}).get("payload")
        if not body or not isinstance(body.get("ref"), str) or not isinstance(payload, dict) \
                or payload.get("type") not in PAYLOAD_TYPES:
            return json_response({"error": "ref and a payload with a valid type are required"}, 400)
        if payload["type"] == "incident" and not isinstance(payload.get("incident"), dict):
            return json_response({"error": "an incident payload needs the incident object"}, 400)
        ref = body["ref"]
        playbook = next((pid for pid, name in PLAYBOOKS.items() if ref in (pid, name)), None)
        if playbook is None and ref not in ACTIONS:
            return json_response({"error": f"no playbook or action {ref}"}, 400)
        now = int(time.time())
        record: dict[str, Any] = {"id": uuid.uuid4().hex, "account_id": self.account_id, "status": "requested",
                                  "created": {"at": now, "by": USER}, "modified": {"at": now, "by": USER},
                                  "deployment_id": str(uuid.uuid4())}
        if playbook:
            record["playbook_id"] = playbook
        if payload["type"] != "action":   # ExecutionRecord.type (PayloadType) has no "action"
            record["type"] = payload["type"]
        with self.lock:
            self.executions[record["id"]] = {"record": record, "reads": 0, "payload": payload,
                                               "parameters": payload.get("parameters") or {}}
        return json_response(record, 201)

    def responder_execution(self, request: Request, account_id: str, execution_id: str) -> Response:
        denied = self._responder_account(account_id)
        if denied:
            return denied
        with self.lock:
            execution = self.executions.get(execution_id)
            if execution is None:
                return Response(status=404)
            execution["reads"] += 1
            done = execution["reads"] > self.execution_polls
        record = execution["record"]
        started = record["created"]["at"]
        body: dict[str, Any] = {"status": "succeeded" if done else "running", "start_timestamp": started,
                                "parameters": execution["parameters"], "elapsed_seconds": 4.2 if done else 1.0,
                                "tasks": [{**record, "id": f"{record['id']}-1",
                                           "status": "succeeded" if done else "running"}]}
        if done:
            body.update(end_timestamp=started + 4.2, result="completed")
        return json_response(body)

    # --- managed responses ---------------------------------------------------------------------------
    def responder_incident_responses(self, request: Request, account_id: str, incident_id: str) -> Response:
        denied = self._responder_account(account_id)
        if denied:
            return denied
        if incident_id not in self.incidents:
            return Response(status=404)
        return json_response({"mr_config_ids": self.incident_responses.get(incident_id, [])})

    def responder_mr_config(self, request: Request, account_id: str, config_id: str) -> Response:
        denied = self._responder_account(account_id)
        if denied:
            return denied
        if config_id not in self.mr_configs:
            return Response(status=404)
        config = self.mr_configs[config_id]
        return json_response(config) if config is not None else Response(status=410)

    # --- blocks --------------------------------------------------------------------------------------
    def _matches(self, block: dict[str, Any], query: dict[str, Any]) -> bool:
        filters = query.get("filter") or {}
        for name in ("bobj", "status", "incident_id", "human_friendly_id", "response_name"):
            if name in filters and block[name] not in filters[name]:
                return False
        start, end = query.get("start_timestamp"), query.get("end_timestamp")
        return (start is None or block["time"] >= start) and (end is None or block["time"] <= end)

    def responder_block_history(self, request: Request, account_id: str) -> Response:
        denied = self._responder_account(account_id)
        if denied:
            return denied
        query = self._responder_body(request)
        limit = (query or {}).get("limit", 50)
        if query is None or not isinstance(limit, int) or not 1 <= limit <= 100:
            return json_response({"error": "a BlocksHistoryQuery object with limit 1-100 is required"}, 400)
        with self.lock:
            for block in self.blocks:   # an asynchronous change is done by the next read
                block["status"] = {"blocking": "blocked", "unblocking": "unblocked"}.get(block["status"], block["status"])
            matching = [b for b in self.blocks if self._matches(b, query)]
        try:
            offset = int(query.get("marker") or 0)
        except ValueError:
            return json_response({"error": "invalid marker"}, 400)
        page = matching[offset:offset + limit]
        body: dict[str, Any] = {"blocks": [{k: v for k, v in b.items() if k not in ("intent", "time")} for b in page],
                                "count": len(matching), "summary": {"statuses": []}}
        if offset + len(page) < len(matching):
            body.update(marker=str(offset + len(page)),
                        continuation_id=query.get("continuation_id") or uuid.uuid4().hex)
        return json_response(body)

    def responder_manage_blocks(self, request: Request, account_id: str) -> Response:
        denied = self._responder_account(account_id)
        if denied:
            return denied
        body = self._responder_body(request)
        items = (body or {}).get("requests")
        if not isinstance(items, list) or not all(isinstance(i, dict) and i.get("intent") in
                                                  ("block_soft", "unblock_soft", "block_force", "unblock_force")
                                                  and i.get("block_key") and (i.get("bobj") or i.get("bobjs"))
                                                  for i in items):
            return json_response({"error": "requests of bobj, block_key and intent are required"}, 400)
        with self.lock:
            for item in items:
                wanted = {item["bobj"]} if item.get("bobj") else set(item["bobjs"])
                for block in self.blocks:
                    if block["block_key"] == item["block_key"] and block["bobj"] in wanted:
                        block["status"] = "blocking" if item["intent"].startswith("block") else "unblocking"
                        block["intent"] = item["intent"]
        return json_response({}, 202)
