"""Alert Logic: the hunting and containment commands (log search, Responder). ``handlers.py``
imports them, so the registry finds them with the others; the API calls are in ``search.py`` and
``responder.py``."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from ..common import errors
from ..common.registry import command
from ..common.results import CommandResult, markdown_table
from ..common.timeutil import parse_time, rfc3339, utcnow
from ..common.vendordata import vendor_data
from .client import AlertLogicClient
from .responder import ResponderApi
from .search import SearchApi, run_search

BLOCK_STATUSES = ("blocking", "blocked", "unblocking", "unblocked", "timeout_blocking", "timeout_unblocking",
                  "block_fail", "unblock_fail")


def _window(start_time: str | None, end_time: str | None) -> tuple[datetime, datetime]:
    now = utcnow()
    end = parse_time(end_time, now=now) if end_time else now
    start = parse_time(start_time or "24 hours", now=now)
    if start >= end:
        raise errors.InputError(f"start_time ({rfc3339(start)}) must be before end_time ({rfc3339(end)})")
    return start, end


# --- log search ------------------------------------------------------------------------------------

@command("alertlogic-search-logs")
def search_logs(client: AlertLogicClient, *, query: str, start_time: str = "24 hours", end_time: str | None = None,
                search_type: str = "auto", limit: int = 1000, timeout: int = 300) -> CommandResult:
    """One Expert Mode log search from submit to release (see ``search.py``)."""
    start, end = _window(start_time, end_time)
    api = SearchApi(client.service_http("search"), client.account_id)
    done = run_search(api, query, start=start, end=end, search_type=search_type, timeout=timeout, limit=limit)
    warnings = list(done.warnings)
    if done.status == "suspended":
        warnings.append("the search was suspended by Alert Logic after enough rows matched: rows past "
                        f"{done.total_found} were not searched")
    outputs = {"search_uuid": done.search_uuid, "query": query, "start": rfc3339(start), "end": rfc3339(end),
               "search_type": done.search_type, "status": done.status, "total_found": done.total_found,
               "returned": len(done.rows),
               "truncated": isinstance(done.total_found, int) and done.total_found > len(done.rows),
               "columns": done.columns, "rows": done.rows, "released": done.released,
               "warning": "; ".join(warnings) or None}
    return CommandResult(outputs, raw={"search_uuid": done.search_uuid, "rows": done.rows},
                         readable=_search_markdown(outputs))


def _search_markdown(outputs: dict[str, Any]) -> str:
    head = (f"### Log search {outputs['search_uuid']}\n\n{outputs['returned']} of {outputs['total_found']} row(s) "
            f"from {outputs['start']} to {outputs['end']} ({outputs['status']}).")
    if outputs["warning"]:
        head = f"**Warning:** {outputs['warning']}\n\n{head}"
    columns = outputs["columns"][:8] or None
    rows = [row["fields"] for row in outputs["rows"]]
    return head + "\n\n" + markdown_table(rows, columns=columns)


# --- Responder -------------------------------------------------------------------------------------

def _responder(client: AlertLogicClient) -> ResponderApi:
    return ResponderApi(client.service_http("responder"), client.account_id)


def _stamp(record: Any) -> str | None:
    at = record.get("at") if isinstance(record, dict) else None
    return rfc3339(parse_time(at)) if isinstance(at, (int, float)) else None


def _execution_record(record: dict[str, Any]) -> dict[str, Any]:
    with vendor_data("alertlogic responder execution"):
        created = record.get("created") or {}
        return {"execution_id": str(record["id"]), "status": record.get("status"), "type": record.get("type"),
                "playbook_id": record.get("playbook_id"), "account_id": record.get("account_id"),
                "created": _stamp(created), "created_by": created.get("by") if isinstance(created, dict) else None}


@command("alertlogic-responder-run")
def responder_run(client: AlertLogicClient, *, ref: str, payload_type: str = "generic",
                  incident_id: str | None = None, parameters: dict[str, Any] | None = None) -> CommandResult:
    """Runs a Responder playbook or action; with payload_type=incident, on the IRIS incident."""
    if parameters is not None and not isinstance(parameters, dict):
        raise errors.InputError("alertlogic-responder-run: parameters must be a JSON object")
    if (payload_type == "incident") != bool(incident_id):
        raise errors.InputError("alertlogic-responder-run: incident_id is required with payload_type=incident, "
                                "and applies only to it")
    payload: dict[str, Any] = {"type": payload_type, "parameters": parameters or {}}
    if incident_id:
        # The playbook gets the incident as IRIS has it: the object Responder's own triggers pass.
        payload["incident"] = client.incident(incident_id)
    answer = _responder(client).execute(ref, payload)
    outputs = {**_execution_record(answer), "ref": ref}
    return CommandResult(outputs, raw=answer)


@command("alertlogic-responder-get-execution")
def responder_get_execution(client: AlertLogicClient, *, execution_id: str) -> CommandResult:
    answer = _responder(client).execution(execution_id)
    with vendor_data("alertlogic responder execution"):
        started, ended = answer.get("start_timestamp"), answer.get("end_timestamp")
        outputs = {"execution_id": execution_id, "status": answer["status"], "result": answer.get("result"),
                   "started": rfc3339(parse_time(started)) if isinstance(started, (int, float)) else None,
                   "ended": rfc3339(parse_time(ended)) if isinstance(ended, (int, float)) else None,
                   "elapsed_seconds": answer.get("elapsed_seconds"), "parameters": answer.get("parameters") or {},
                   "tasks": [_execution_record(task) for task in answer.get("tasks") or []]}
    return CommandResult(outputs, raw=answer)


@command("alertlogic-responder-incident-responses")
def responder_incident_responses(client: AlertLogicClient, *, incident_id: str) -> CommandResult:
    """The managed responses configured for an incident, each with its name, type and state."""
    incident_id = client.resolve_incident_id(incident_id)
    api = _responder(client)
    responses = [_mr_config(api, config_id) for config_id in api.incident_responses(incident_id)]
    return CommandResult({"incident_id": incident_id, "responses": responses}, raw=responses)


def _mr_config(api: ResponderApi, config_id: str) -> dict[str, Any]:
    try:
        config = api.mr_config(config_id)
    except errors.SoarpacksError as exc:
        if exc.status != 410:   # 410: "the MR config is deleted but it was here before"
            raise
        return {"id": config_id, "name": None, "type": None, "enabled": None, "ttl_sec": None, "deleted": True}
    with vendor_data("alertlogic managed response"):
        return {"id": config_id, "name": config.get("name"), "type": config.get("type"),
                "enabled": config.get("enabled"), "ttl_sec": config.get("ttl_sec"), "deleted": False}


@command("alertlogic-responder-block-history")
def responder_block_history(client: AlertLogicClient, *, bobj: str | None = None, incident_id: str | None = None,
                            status: list[str] | None = None, start_time: str | None = None,
                            end_time: str | None = None, limit: int = 100) -> CommandResult:
    """Blocks put in place by managed responses, newest first as Responder sends them, to ``limit``."""
    unknown = sorted(set(status or ()) - set(BLOCK_STATUSES))
    if unknown:
        raise errors.InputError(f"status: unknown block status {', '.join(unknown)} "
                                f"(known: {', '.join(BLOCK_STATUSES)})")
    filters: dict[str, Any] = {}
    if bobj:
        filters["bobj"] = [bobj]
    if incident_id:
        filters["incident_id"] = [client.resolve_incident_id(incident_id)]
    if status:
        filters["status"] = list(status)
    now = utcnow()
    start = parse_time(start_time, now=now) if start_time else None
    end = parse_time(end_time, now=now) if end_time else None
    if start is not None and end is not None and start >= end:
        raise errors.InputError(f"start_time ({rfc3339(start)}) must be before end_time ({rfc3339(end)})")
    blocks: list[dict[str, Any]] = []
    for block in _responder(client).block_history(filters=filters, start=start, end=end):
        blocks.append(_block(block))
        if len(blocks) >= limit:
            break
    return CommandResult(blocks, raw=blocks)


def _block(block: dict[str, Any]) -> dict[str, Any]:
    with vendor_data("alertlogic block"):
        return {"block_key": str(block["block_key"]), "bobj": block.get("bobj"), "status": block.get("status"),
                "category": block.get("bk_category"), "location_type": block.get("bk_location_type"),
                "location_id": block.get("bk_location_id"), "incident_id": block.get("incident_id"),
                "human_friendly_id": block.get("human_friendly_id"), "response_name": block.get("response_name")}


@command("alertlogic-responder-manage-block")
def responder_manage_block(client: AlertLogicClient, *, bobj: str, block_key: str, action: str,
                           force: bool = False) -> CommandResult:
    """Blocks or unblocks an object of a block Responder knows (``block_key`` from the history)."""
    intent = f"{action}_{'force' if force else 'soft'}"
    api = _responder(client)
    # Responder answers 202 whatever the request names; a typo in block_key would be "accepted" and
    # change nothing. So the block is looked up first, and an unknown one is the caller's error.
    if not any(str(b.get("block_key")) == block_key for b in api.block_history(filters={"bobj": [bobj]})):
        raise errors.NotFoundError(f"alertlogic: Responder has no block {block_key} of {bobj}")
    # responder.v1.yaml's BlocksManageRequest names the property ``bobjs`` (an array) but requires
    # ``bobj``: the history's own field (a string) is sent, one request per object.
    answer = api.manage_blocks([{"bobj": bobj, "block_key": block_key, "intent": intent}])
    outputs = {"bobj": bobj, "block_key": block_key, "intent": intent, "accepted": True,
               "expected_status": "blocking" if action == "block" else "unblocking"}
    return CommandResult(outputs, raw=answer,
                         readable=f"Responder accepted {intent} of {bobj} (block {block_key}); "
                                  "alertlogic-responder-block-history shows the outcome.")
