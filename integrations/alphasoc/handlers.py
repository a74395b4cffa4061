"""AlphaSOC: the command handlers. The API client is in ``client.py``, alerts and definitions as
incidents and outputs in ``mapping.py``, the follow loop of fetch-incidents in ``fetch.py`` and the
telemetry reader and batcher in ``telemetry.py``.

The API has no alert ids, no per-alert lookup and no alert status: ``get-event`` and ``update-status``
are declared unsupported in the manifest.
"""
from __future__ import annotations

import difflib
import os
import sys
from typing import Any, Iterator

from ..common import errors
from ..common.registry import command
from ..common.results import CommandResult, FetchBatch

from . import fetch, mapping, telemetry
from .client import AlphaSocClient, make_client  # noqa: F401 - the registry finds make_client here

# Handlers take no defaults for arguments the manifest gives a default: the runner always passes those
# (``soarpacks validate`` checks it), and a second copy of a default here would drift from the manifest.


@command("fetch-incidents")
def fetch_incidents(client: AlphaSocClient, *, max_fetch: int, min_severity: int, include_policy: bool,
                    threats: list[str] | None = None, first_fetch: str | None = None,
                    state: dict[str, Any] | None = None) -> Iterator[FetchBatch]:
    """New alerts since the stored follow bookmark, one batch per page (see ``fetch.py``).

    The API has no time filter: the first run (no bookmark) starts at whatever the API still holds, so
    ``first_fetch`` is applied here, to the alerts' event times, and kept in the bookmark for the runs that
    finish that backlog. Alerts without a usable time are kept (better shown than silently lost)."""
    filters = fetch.Filters(min_severity=min_severity, include_policy=include_policy, threats=list(threats or []))
    yield from fetch.alert_batches(client, max_fetch=max_fetch, filters=filters, first_fetch=first_fetch, state=state)


# --- account ---------------------------------------------------------------------------------------

@command("test-module")
def test_module(client: AlphaSocClient) -> CommandResult:
    """The account status call: proves the URL and the key, and shows AlphaSOC's own messages."""
    status = client.account_status()
    account = mapping.account(status)
    if account["expired"]:
        raise errors.AuthError(f"AlphaSOC: the API key expired ({account['expiration_date'] or 'date unknown'})")
    return CommandResult(outputs={"ok": True, **account}, raw=status, title="AlphaSOC: ok",
                         extra=mapping.account_messages(account))


@command("alphasoc-account-status")
def account_status(client: AlphaSocClient) -> CommandResult:
    status = client.account_status()
    account = mapping.account(status)
    return CommandResult(outputs=account, raw=status, title="AlphaSOC account", extra=mapping.account_messages(account))


# --- inventory -------------------------------------------------------------------------------------

def _lookup(inventory: dict[str, dict[str, Any]], key: str, what: str) -> dict[str, Any]:
    if key in inventory:
        return inventory[key]
    close = difflib.get_close_matches(key, list(inventory), n=3)
    hint = f" (did you mean {', '.join(close)}?)" if close else ""
    raise errors.NotFoundError(f"AlphaSOC has no {what} {key!r} in its inventory{hint}")


@command("alphasoc-get-threat")
def get_threat(client: AlphaSocClient, *, threat_id: str) -> CommandResult:
    inventory = client.threats()
    definition = _lookup(inventory, threat_id, "threat")
    return CommandResult(outputs=mapping.threat(threat_id, definition), raw={threat_id: definition})


@command("alphasoc-list-threats")
def list_threats(client: AlphaSocClient, *, min_severity: int, include_policy: bool) -> CommandResult:
    inventory = client.threats()
    rows = [mapping.threat(k, v) for k, v in inventory.items()]
    rows = [r for r in rows if r["severity"] >= min_severity and (include_policy or not r["policy"])]
    rows.sort(key=lambda r: (-r["severity"], r["id"]))
    return CommandResult(outputs=rows, raw={"threats": inventory}, title=f"AlphaSOC threats ({len(rows)})")


@command("alphasoc-get-flag")
def get_flag(client: AlphaSocClient, *, flag_id: str) -> CommandResult:
    inventory = client.flags()
    definition = _lookup(inventory, flag_id, "flag")
    return CommandResult(outputs=mapping.flag(flag_id, definition), raw={flag_id: definition})


@command("alphasoc-list-flags")
def list_flags(client: AlphaSocClient, *, type: str | None = None) -> CommandResult:  # noqa: A002 - the API's word
    inventory = client.flags()
    rows = sorted((mapping.flag(k, v) for k, v in inventory.items()), key=lambda r: (r["type"], r["id"]))
    if type:
        rows = [r for r in rows if r["type"] == type]
    return CommandResult(outputs=rows, raw={"flags": inventory}, title=f"AlphaSOC flags ({len(rows)})")


# --- telemetry -------------------------------------------------------------------------------------

@command("alphasoc-submit-telemetry")
def submit_telemetry(client: AlphaSocClient, *, event_type: str, format: str, start_at: int,  # noqa: A002
                     limit: int, max_batch_bytes: int, file: str | None = None, events: Any = None) -> CommandResult:
    """Streams events from a file (or the ``events`` argument) to ``/v1/events/<type>`` in gzip
    batches; a progress line goes to stderr only when it is a terminal (never to stdout)."""
    if (file is None) == (events is None):
        raise errors.InputError("alphasoc-submit-telemetry: give either file=PATH or events=JSON (not both)")
    progress = telemetry.Progress(sys.stderr) if sys.stderr.isatty() else None
    if file is not None:
        with telemetry.FileSource(file, format=format) as source:
            if progress:
                progress.track(source)
            result = telemetry.upload(client.post_events, event_type, source.records(), start_at=start_at,
                                      limit=limit or None, max_batch_bytes=max_batch_bytes, progress=progress)
        result = {"source": os.path.basename(file), **result}
    else:
        records = telemetry.records_from_value(events)
        result = telemetry.upload(client.post_events, event_type, records, start_at=start_at,
                                  limit=limit or None, max_batch_bytes=max_batch_bytes, progress=progress)
        result = {"source": "arguments", **result}
    return CommandResult(outputs=result, raw=None, title="AlphaSOC telemetry upload",
                         extra=mapping.telemetry_details(result))
