"""Authentic8 Silo Log Extraction: the command handlers. The command-array protocol is in
``client.py``, logs as incidents and outputs in ``mapping.py``, the fetch rounds and bookmarks in
``fetch.py``."""
from __future__ import annotations

from typing import Any, Iterator

from ..common import errors
from ..common.manifest import vendor_manifest
from ..common.registry import command
from ..common.results import CommandResult, FetchBatch
from ..common.retry import DEFAULT_RETRY, RetryPolicy
from ..common.timeutil import parse_time
from ..common.vendordata import vendor_data

from . import fetch
from .client import VENDOR, SiloApi, connect, extractlog, log_seq
from .mapping import log_entry, log_type_row


def make_client(params: dict[str, Any], *, retry: RetryPolicy = DEFAULT_RETRY) -> SiloApi:
    base_url = params.get("base_url") or vendor_manifest(VENDOR).param("base_url")["default"]
    return connect(base_url=base_url, token=params["token"], org=params["org"], insecure=params["insecure"],
                   proxy=bool(params.get("proxy")), retry=retry)


@command("test-module")
def test_module(api: SiloApi) -> CommandResult:
    # One POST checks the token (setauth), the API (get_log_types) and the org (a one-log extract).
    types_reply, org_reply = api.call([{"command": "get_log_types"},
                                       extractlog(api.org, "ADMIN_AUDIT", start_seq=0, limit=1)])
    info = types_reply.value()
    org_reply.value()
    with vendor_data("authentic8 log types"):
        outputs = {"ok": True, "org": api.org, "version": str(info.get("version", "")),
                   "log_types": len(info.get("log_types") or [])}
    return CommandResult(outputs, raw=info, readable=f"ok: token accepted, org {api.org!r} readable, "
                                                     f"{outputs['log_types']} log types (API {outputs['version']})")


@command("authentic8-get-log-types")
def get_log_types(api: SiloApi) -> CommandResult:
    info = api.get_log_types()
    with vendor_data("authentic8 log types"):
        rows = [log_type_row(name) for name in info["log_types"]]
    return CommandResult(rows, raw=info, title=f"Silo log types (API {info.get('version', '?')})")


@command("fetch-incidents")
def fetch_incidents(api: SiloApi, *, state: dict[str, Any] | None, log_types: list[str], first_fetch: str,
                    max_fetch: int, page_size: int) -> Iterator[FetchBatch]:
    """New logs of each type since its stored next_seq, one POST per round for all types (``fetch.py``)."""
    yield from fetch.rounds(api, state=state, log_types=log_types, first_fetch=first_fetch, max_fetch=max_fetch,
                            page_size=page_size)


@command("get-event")
def get_event(api: SiloApi, *, log_type: str, seq_id: int, org: str | None = None) -> CommandResult:
    org = org or api.org
    # end_seq bounds the vendor's scan; start_seq is inclusive, and the check below is what counts.
    page = api.extract(org, log_type, start_seq=seq_id, end_seq=seq_id + 1, limit=1)
    record = next((r for r in page.logs if log_seq(r) == seq_id), None)
    if record is None:
        raise errors.NotFoundError(f"{VENDOR}: no {log_type} log with seq_id {seq_id} in org {org!r} "
                                   "(Silo keeps logs for 90 days)")
    return CommandResult(log_entry(record, org=org, log_type=log_type), raw=record)


@command("authentic8-extract-logs")
def extract_logs(api: SiloApi, *, log_type: str, limit: int, org: str | None = None, start_seq: int | None = None,
                 end_seq: int | None = None, start_time: str | None = None,
                 end_time: str | None = None) -> CommandResult:
    org = org or api.org
    since = parse_time(start_time) if start_time else None
    until = parse_time(end_time) if end_time else None
    if start_seq is not None and end_seq is not None and end_seq <= start_seq:
        raise errors.InputError("authentic8-extract-logs: end_seq must be greater than start_seq")
    if since and until and until <= since:
        raise errors.InputError("authentic8-extract-logs: end_time must be later than start_time")
    found = api.extract_upto(org, log_type, limit=limit, start_seq=start_seq or 0, end_seq=end_seq,
                             start_time=since, end_time=until)
    entries = [log_entry(r, org=org, log_type=log_type) for r in found.logs]
    title = f"Silo {log_type} logs for {org}: {len(entries)}" + (
        f", more from start_seq={found.next_seq}" if found.more else "")
    # The manifest's columns (and titles, which the runner adds), for those these logs have.
    columns = vendor_manifest(VENDOR).command("authentic8-extract-logs").columns
    present = [c for c in columns if any(c in e for e in entries)] or columns[:3]
    return CommandResult(entries, raw=found.logs, columns=present, title=title)
