"""Alert Logic: the command handlers. The API client is in ``client.py``, the shapes in
``mapping.py`` and the packet payload analysis in ``payload.py``."""
from __future__ import annotations

from datetime import timedelta
from typing import Any, Iterator

from ..common import errors
from ..common.vendordata import dig, vendor_data
from ..common.registry import command
from ..common.results import CommandResult, FetchBatch
from ..common.retry import DEFAULT_RETRY, RetryPolicy
from ..common.timeutil import utcnow

from . import fetch, updates
# The log search and Responder commands, in their own module: imported so the registry finds them here.
from .action_handlers import (responder_block_history, responder_get_execution, responder_incident_responses,  # noqa: F401
                              responder_manage_block, responder_run, search_logs)
from .updates import list_updated_incidents  # noqa: F401  (a command: the registry reads this module)
from .client import DEFAULT_EVENT_WORKERS, AlertLogicClient
from .context_handlers import find_assets, get_asset, get_incident_assets, list_incident_filters  # noqa: F401 (registered commands)
from .evidence import log_evidence, logs_markdown
from .login import AIMS_URL
from .mapping import (analyse_event, event_id, event_markdown, incident_markdown,
                      iris_to_incident, legacy_to_incident, rollups)


def make_client(params: dict[str, Any], *, retry: RetryPolicy = DEFAULT_RETRY) -> AlertLogicClient:
    return AlertLogicClient(
        base_url=params.get("base_url") or None, aims_url=params.get("aims_url") or AIMS_URL,
        residency=params.get("residency") or "default",
        username=params.get("username"), password=params.get("password"),
        access_key_id=params.get("access_key_id"), secret_key=params.get("secret_key"),
        account_id=params.get("account_id"), mfa_code=params.get("mfa_code"), api_key=params.get("api_key"),
        legacy_base_url=params.get("legacy_base_url"), console_url=params.get("console_url") or "https://console.alertlogic.com",
        verify=not params["insecure"], proxy=bool(params.get("proxy")), retry=retry,
        event_workers=params.get("event_workers") or DEFAULT_EVENT_WORKERS)


# --- generic commands ------------------------------------------------------------------------------

@command("test-module")
def test_module(client: AlertLogicClient) -> CommandResult:
    now = fetch.whole_second(utcnow())
    client.incidents_page(now - timedelta(minutes=5), now, limit=1)
    checked = ["AIMS login", "IRIS incidents"]
    if client.legacy is not None:
        checked.append("legacy API key (not checked: the legacy API has no read without an incident id)")
    return CommandResult({"ok": True, "account_id": client.account_id, "checked": checked},
                         readable=f"ok: logged in to AIMS and read IRIS incidents of account {client.account_id}")


@command("fetch-incidents")
def fetch_incidents(client: AlertLogicClient, *, state: dict[str, Any] | None, first_fetch: str, max_fetch: int,
                    look_back: int = 0, include_updates: bool = True) -> Iterator[FetchBatch]:
    """Incidents by creation time, oldest first (see ``fetch.py``), then the ones handed over before
    that changed since, as updates (see ``updates.py``)."""
    new = fetch.fetch_incidents(client, state=state, first_fetch=first_fetch, max_fetch=max_fetch,
                                look_back=look_back)
    return updates.with_updates(new, client, state=state, max_fetch=max_fetch, look_back=look_back,
                                include_updates=include_updates)


@command("get-event")
def get_event(client: AlertLogicClient, *, incident_id: str, event_id: str,
              include_payloads: bool = True) -> CommandResult:
    incident_id = client.resolve_incident_id(incident_id)
    # IRIS has no read of one event: it is looked up among the incident's associated events.
    for event in client.iter_events(incident_id):
        if _event_id(event) == event_id:
            analysed = analyse_event(event, incident_id=incident_id, include_payloads=include_payloads)
            return CommandResult(analysed, raw=event, readable=event_markdown(analysed))
    raise errors.NotFoundError(f"alertlogic: incident {incident_id} has no event {event_id}")


def _event_id(event: dict[str, Any]) -> str | None:
    try:
        return event_id(event)
    except errors.VendorError:
        return None


@command("update-status")
def update_status(client: AlertLogicClient, *, incident_id: str, status: str, notes: str,
                  reason_code: str | None = None) -> CommandResult:
    if status == "completed" and not reason_code:
        raise errors.InputError("update-status: reason_code is required to complete an incident")
    if status == "open" and reason_code:
        raise errors.InputError("update-status: reason_code applies only when completing an incident")
    incident_id = client.resolve_incident_id(incident_id)
    try:
        if status == "completed":
            answer = client.complete(incident_id, reason_code=reason_code or "", notes=notes)
        else:
            answer = client.reopen(incident_id, notes=notes)
    except errors.InputError as exc:
        # Alert Logic refuses a transition to the current status with a 400 ("Incident X status is
        # currently the same completed"). A playbook asks for a state, and the incident is in it:
        # that is success with changed=false, not a failure to retry or escalate.
        if "currently the same" not in str(exc):
            raise
        outputs = {"incident_id": incident_id, "status": status, "previous_status": status, "changed": False,
                   "reason_code": None, "notes": notes, "status_change_time": None}
        return CommandResult(outputs, raw={"error": str(exc)},
                             readable=f"Incident {incident_id} is already {status}: nothing changed.")
    with vendor_data("alertlogic status change"):
        new, old = dig(answer, "new") or {}, dig(answer, "old") or {}
        outputs = {"incident_id": incident_id, "status": new.get("status", status),
                   "previous_status": old.get("status"), "changed": True,
                   "reason_code": new.get("reason_code") or reason_code,
                   "notes": new.get("notes", notes), "status_change_time": new.get("status_change_time")}
    return CommandResult(outputs, raw=answer)


# --- Alert Logic commands --------------------------------------------------------------------------

@command("alertlogic-get-incident")
def get_incident(client: AlertLogicClient, *, incident_id: str, max_events: int,
                 max_logs: int, include_payloads: bool = True) -> CommandResult:
    """The incident, its associated events (pages fetched concurrently), each event analysed, the
    seed's roll-ups across them, and its associated logs with their raw messages (``evidence.py``)."""
    incident, (events, total, missing) = client.incident_with_events(incident_id, max_events=max_events)
    with vendor_data("alertlogic incident"):
        real_id = str(incident.get("incidentId") or incident_id)
    analysed: list[dict[str, Any]] = []
    seen: set[str] = set()
    for event in events:
        item = analyse_event(event, incident_id=real_id, include_payloads=include_payloads)
        if item["id"] not in seen:  # offset paging over a list that grew can repeat an event
            seen.add(item["id"])
            analysed.append(item)
    details = iris_to_incident(incident, console_url=client.console_url).to_dict()
    del details["raw"]
    details.update({"event_count": len(analysed), "event_total": total, "events_truncated": total > len(events),
                    **rollups(analysed), "events": analysed, "events_warning": _missing_pages_warning(missing)})
    details.update(log_evidence(client, real_id, max_logs=max_logs))
    readable = incident_markdown(details)
    if details["events_warning"]:
        readable = f"**Warning:** {details['events_warning']}\n\n{readable}"
    if details["logs"] or details["logs_warning"]:
        readable += "\n\n" + logs_markdown(details)
    return CommandResult(details, raw={"incident": incident, "events": events}, readable=readable)


def _missing_pages_warning(offsets: list[int]) -> str | None:
    if not offsets:
        return None
    where = ", ".join(str(o) for o in offsets)
    return (f"{len(offsets)} page(s) of events answered 404 (not found) at offset(s) {where}: their events are "
            "missing here; the rest are shown")


@command("alertlogic-add-feedback")
def add_feedback(client: AlertLogicClient, *, incident_id: str, feedback: str, reason: str) -> CommandResult:
    incident_id = client.resolve_incident_id(incident_id)
    answer = client.add_feedback(incident_id, feedback=feedback, reason=reason)
    outputs = {"incident_id": incident_id, "feedback": dig(answer, "feedback") or feedback,
               "feedback_reason": dig(answer, "feedback_reason") or reason,
               "feedback_user": dig(answer, "feedback_user"), "feedback_uid": dig(answer, "feedback_uid"),
               "feedback_datetime": dig(answer, "feedback_datetime")}
    return CommandResult(outputs, raw=answer)


@command("alertlogic-get-legacy-incident")
def get_legacy_incident(client: AlertLogicClient, *, incident_id: int, customer_id: str | None = None) -> CommandResult:
    raw = client.legacy_incident(incident_id, customer_id=customer_id)
    outputs = legacy_to_incident(raw).to_dict()
    del outputs["raw"]
    with vendor_data("alertlogic legacy incident"):
        outputs["event_ids"] = [str(e) for e in raw.get("event_ids") or []]
    return CommandResult(outputs, raw=raw)

