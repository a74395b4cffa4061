"""Authentic8 Silo Log Extraction: the command-array transport, logs mapped to incidents, the handlers.

The API is one endpoint. Every POST to ``/api/`` carries a JSON array of commands, ``setauth`` with
the token first; the answer is an array of replies in the same order (each echoing our
``command_id``), and errors come back per command inside HTTP 200. So a failed command is a value
in the answer, not an exception of the HTTP layer: the fetch loop decides per log type what a
failure means, and the other types of the same POST go on.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Iterator, Sequence

from ..common import errors
from ..common.errortable import DEFAULT_ERROR_TABLE, Action, Rule
from ..common.http import HttpClient
from ..common.redaction import REDACTOR
from ..common.registry import command
from ..common.results import CommandResult, FetchBatch, defang
from ..common.retry import DEFAULT_RETRY, RetryPolicy
from ..common.timeutil import parse_time, rfc3339
from ..common.vendordata import reads_vendor_data, vendor_data

SOURCE = "authentic8"
VENDOR = "authentic8"
MAX_LIMIT = 1000  # the API returns at most this many logs per extractlog
VENDOR_TIME = "%Y-%m-%d %H:%M:%S"  # start_time/end_time, read as UTC

# Severity is per log type: a Silo log is a record of what happened in the isolated browser, not a
# graded alert. Exploits caught in the sandbox and users leaving isolation are high; blocked URLs,
# file transfers and admin changes are medium (each is worth a look, none is a compromise by
# itself); everyday activity is low; ENC is unknown because nobody can read it without the
# customer's private key.
SEVERITY = {
    "EXPLOIT": 3, "ISOLATE_BYPASS": 3,
    "BLOCKED URL": 2, "DOWNLOAD": 2, "UPLOAD": 2, "ADMIN_AUDIT": 2,
    "A8SS": 1, "APP_LAUNCH": 1, "AUTH": 1, "CASE MANAGER": 1, "CLIPBOARD": 1, "COOKIES": 1, "EVENT": 1,
    "EXTENSION": 1, "HARVEST": 1, "LAUNCHER": 1, "LOCATION CHANGE": 1, "POST DATA": 1, "PRINT": 1,
    "SESSION": 1, "SMS": 1, "TRAFFICMAN": 1, "TRANSLATION": 1, "URL": 1,
    "ENC": 0,
}
LOG_TYPES = tuple(sorted(SEVERITY))
# Only ever logged encrypted: extracting them by name finds nothing; fetch ENC instead.
ENCRYPTED_ONLY = frozenset({"COOKIES", "POST DATA"})
# The default fetch: what a SOC acts on, without the volume of URL/SESSION traffic.
DEFAULT_FETCH_TYPES = ("EXPLOIT", "ISOLATE_BYPASS", "BLOCKED URL", "DOWNLOAD", "UPLOAD", "ADMIN_AUDIT", "AUTH")
STATE_VERSION = 1


# --- transport -------------------------------------------------------------------------------------

class OrgError(errors.InputError):
    """The org name or path matches no org, or more than one: every command for it fails alike."""


def command_error(message: Any, command: dict[str, Any]) -> errors.SoarpacksError:
    """A per-command ``{"error": ...}`` as the error kind a user can act on."""
    if isinstance(message, dict):
        message = message.get("message") or message
    text = str(message)
    lowered = text.lower()
    what = command.get("command", "?")
    if command.get("type"):
        what += f" {command['type']}"
    line = REDACTOR(f"{VENDOR}: {what} failed: {text[:300]}")
    if "org matching" in lowered or ("org" in lowered and "ambiguous" in lowered):
        return OrgError(line)
    if any(word in lowered for word in ("auth", "token", "permission", "denied", "forbidden")):
        return errors.AuthError(line)
    if any(word in lowered for word in ("unknown log type", "unknown command", "invalid", "must ", "missing required", "not a valid")):
        return errors.InputError(line)
    return errors.VendorError(line)


@dataclass(frozen=True)
class Reply:
    """One command's answer: ``result`` or ``error`` (an exception to raise or to record)."""

    command: dict[str, Any]
    result: Any = None
    error: errors.SoarpacksError | None = None

    def value(self) -> Any:
        if self.error is not None:
            raise self.error
        return self.result


@dataclass(frozen=True)
class Page:
    logs: list[dict[str, Any]]
    next_seq: int
    is_more: bool


class SiloApi:
    """The command-array protocol over the runtime's request loop.

    ``auth=None`` on the HttpClient: the token travels in the body, as the first command. Each POST
    of reads (extractlog, get_log_types) is safe to resend, so transient failures are retried.
    """

    def __init__(self, http: HttpClient, *, token: str, org: str) -> None:
        REDACTOR.add(token)
        self.http = http
        self._token = token
        self.org = org

    def __repr__(self) -> str:
        return f"<SiloApi {self.http.base_url} org={self.org!r}>"

    def call(self, commands: Sequence[dict[str, Any]]) -> list[Reply]:
        """POST ``setauth`` + ``commands`` and match each reply to its command."""
        tagged = [{**c, "command_id": str(i)} for i, c in enumerate(commands, 1)]
        body = [{"command": "setauth", "data": self._token}, *tagged]
        answer = self.http.send_json("POST", "api/", json_body=body, retry_unsafe=True)
        if not isinstance(answer, list) or len(answer) != len(body) or not all(isinstance(r, dict) for r in answer):
            shape = f"{len(answer)} replies" if isinstance(answer, list) else type(answer).__name__
            raise errors.VendorError(f"{VENDOR}: expected {len(body)} replies, one per command, got {shape}")
        auth_reply, replies = answer[0], answer[1:]
        if "error" in auth_reply:
            raise errors.AuthError(REDACTOR(f"{VENDOR}: the API rejected the auth token ({auth_reply['error']}); "
                                            "check the token param (tokens are issued by Authentic8 support)"))
        by_id = {str(r["command_id"]): r for r in replies if "command_id" in r}
        matched = []
        for position, cmd in enumerate(tagged):
            # Replies come in command order; the echoed command_id confirms it where the API sends one.
            reply = by_id.get(cmd["command_id"], replies[position])
            if "command_id" in reply and str(reply["command_id"]) != cmd["command_id"]:
                raise errors.VendorError(f"{VENDOR}: reply {position + 1} answers command {reply['command_id']}, "
                                         f"not {cmd['command_id']}")
            original = commands[position]
            if "error" in reply:
                matched.append(Reply(original, error=command_error(reply["error"], original)))
            elif "result" in reply:
                matched.append(Reply(original, result=reply["result"]))
            else:
                matched.append(Reply(original, error=errors.VendorError(
                    f"{VENDOR}: {original.get('command')} answered with neither result nor error")))
        return matched

    def one(self, cmd: dict[str, Any]) -> Any:
        return self.call([cmd])[0].value()

    def get_log_types(self) -> dict[str, Any]:
        result = self.one({"command": "get_log_types"})
        if not isinstance(result, dict) or not isinstance(result.get("log_types"), list):
            raise errors.VendorError(f"{VENDOR}: get_log_types answered without a log_types list")
        return result

    def extract(self, org: str, log_type: str, *, start_seq: int, limit: int, end_seq: int | None = None,
                start_time: datetime | None = None, end_time: datetime | None = None) -> Page:
        return parse_page(self.one(extractlog(org, log_type, start_seq=start_seq, limit=limit, end_seq=end_seq,
                                              start_time=start_time, end_time=end_time)), start_seq=start_seq)


def extractlog(org: str, log_type: str, *, start_seq: int, limit: int, end_seq: int | None = None,
               start_time: datetime | None = None, end_time: datetime | None = None) -> dict[str, Any]:
    cmd: dict[str, Any] = {"command": "extractlog", "org": org, "type": log_type, "start_seq": start_seq,
                           "limit": min(limit, MAX_LIMIT)}
    if end_seq is not None:
        cmd["end_seq"] = end_seq
    if start_time is not None:
        cmd["start_time"] = start_time.astimezone(timezone.utc).strftime(VENDOR_TIME)
    if end_time is not None:
        cmd["end_time"] = end_time.astimezone(timezone.utc).strftime(VENDOR_TIME)
    return cmd


@reads_vendor_data
def parse_page(result: Any, *, start_seq: int) -> Page:
    if not isinstance(result, dict) or not isinstance(result.get("logs", []), list):
        raise errors.VendorError(f"{VENDOR}: extractlog answered without a logs list")
    logs = [log for log in result.get("logs", []) if _seq(log) >= start_seq]  # never hand a record over twice
    next_seq, is_more = result.get("next_seq"), bool(result.get("is_more"))
    if isinstance(next_seq, bool) or not isinstance(next_seq, int):
        if is_more or logs:
            raise errors.VendorError(f"{VENDOR}: extractlog answered without a usable next_seq ({next_seq!r})")
        next_seq = start_seq
    if logs:
        next_seq = max(next_seq, _seq(logs[-1]) + 1)
    if is_more and next_seq <= start_seq:
        raise errors.VendorError(f"{VENDOR}: extractlog says is_more but next_seq {next_seq} does not move past "
                                 f"{start_seq}: refusing to loop")
    return Page(sorted(logs, key=_seq), next_seq, is_more)


@reads_vendor_data
def _seq(log: Any) -> int:
    seq = log.get("seq_id") if isinstance(log, dict) else None
    if isinstance(seq, bool) or not isinstance(seq, int):
        raise errors.VendorError(f"{VENDOR}: a log record without an integer seq_id: {str(log)[:120]}")
    return seq


def make_client(params: dict[str, Any], *, retry: RetryPolicy = DEFAULT_RETRY) -> SiloApi:
    # A 404 on the one endpoint means base_url does not point at a Silo API: a configuration problem.
    table = {**DEFAULT_ERROR_TABLE, 404: Rule(Action.FAIL, errors.ConfigError)}
    http = HttpClient(params.get("base_url") or "https://extapi.authentic8.com", auth=None, retry=retry,
                      error_table=table, verify=not params["insecure"], vendor=VENDOR,
                      proxy=bool(params.get("proxy")))
    return SiloApi(http, token=params["token"], org=params["org"])


# --- logs as incidents and outputs -----------------------------------------------------------------

@reads_vendor_data
def log_time(record: dict[str, Any]) -> datetime:
    try:
        return datetime.fromtimestamp(float(record["create_ts"]), tz=timezone.utc)
    except (KeyError, TypeError, ValueError, OverflowError):
        raise errors.VendorError(f"{VENDOR}: a log record without a readable create_ts: {str(record)[:120]}") from None


def log_id(org: str, log_type: str, seq_id: int) -> str:
    return f"{org}/{log_type}/{seq_id}"


@reads_vendor_data
def record_url(record: dict[str, Any]) -> str | None:
    if record.get("url"):
        return str(record["url"])
    if record.get("domain") and record.get("scheme"):
        port = record.get("port")
        default = {"http": 80, "https": 443}.get(str(record["scheme"]))
        netloc = record["domain"] if port in (None, default) else f"{record['domain']}:{port}"
        return f"{record['scheme']}://{netloc}{record.get('path') or '/'}"
    return None


_URL_ROLE = {"BLOCKED URL": "blocked", "EXPLOIT": "exploit-source", "ISOLATE_BYPASS": "bypassed",
             "DOWNLOAD": "download-source", "UPLOAD": "upload-destination"}
_LABEL_FIELDS = ("session_id", "user_id", "event", "action", "result", "reason", "exploit", "filename", "file_size",
                 "response_code", "method", "title", "policy", "target", "location", "from_location", "to_location",
                 "key_name", "encryption_type")


@reads_vendor_data
def indicators(record: dict[str, Any], log_type: str) -> list[dict[str, str]]:
    found: list[dict[str, str]] = []

    def add(kind: str, value: Any, role: str) -> None:
        if value not in (None, "") and not any(i["type"] == kind and i["value"] == str(value) for i in found):
            found.append({"type": kind, "value": str(value), "role": role})

    add("url", record_url(record), _URL_ROLE.get(log_type, "visited"))
    add("domain", record.get("domain"), _URL_ROLE.get(log_type, "visited"))
    add("ip", record.get("client_ip"), "client")
    add("user", record.get("user_name") or record.get("user_id"), "actor")
    if log_type == "ADMIN_AUDIT":
        add("user", record.get("target"), "target")
    add("hash", record.get("sha256"), "file")
    add("hash", record.get("md5"), "file")
    return found


@reads_vendor_data
def incident_name(record: dict[str, Any], log_type: str) -> str:
    if log_type == "ENC":
        return f"Silo encrypted log (key {record.get('key_name') or 'unknown'})"
    url = record_url(record)
    detail = {
        "URL": f"{record.get('method', '')} {url}".strip() if url else None,
        "BLOCKED URL": f"{url} ({record['reason']})" if url and record.get("reason") else url,
        "EXPLOIT": f"{record.get('exploit', 'exploit')} at {url or record.get('domain') or '?'}",
        "DOWNLOAD": f"{record.get('filename', '?')} from {record.get('domain', '?')}",
        "UPLOAD": f"{record.get('filename', '?')} to {record.get('domain', '?')}",
        "AUTH": f"{record.get('event', '?')} by {record.get('user_name') or record.get('user_id', '?')}",
        "ADMIN_AUDIT": f"{record.get('action', '?')} by {record.get('user_name') or record.get('user_id', '?')}",
    }.get(log_type)
    if not detail:
        detail = next((str(record[k]) for k in ("url", "domain", "event", "action", "filename", "app")
                       if record.get(k)), f"seq {record.get('seq_id')}")
    # Defanged whole (every log type's URLs and hosts), as every incident name is: names are read by people.
    return defang(f"Silo {log_type}: {detail}")[:300]


@reads_vendor_data
def log_to_incident(record: dict[str, Any], *, org: str, log_type: str) -> dict[str, Any]:
    # A record's own type wins: an encrypted org's logs arrive as ENC whatever was asked for.
    kind = str(record.get("type") or log_type)
    occurred = rfc3339(log_time(record))
    labels: dict[str, Any] = {"org": org, "log_type": kind, "seq_id": _seq(record)}
    for name in _LABEL_FIELDS:
        value = record.get(name)
        if isinstance(value, (str, int, float, bool)):
            labels[name] = value
    if isinstance(record.get("categories"), list):
        labels["categories"] = ", ".join(map(str, record["categories"]))
    return {
        "id": log_id(org, kind, _seq(record)),
        "source": SOURCE,
        "name": incident_name(record, kind),
        "severity": SEVERITY.get(kind, 0),
        "occurred": occurred,
        "updated": occurred,  # logs never change
        "status": "New",
        "url": None,  # the Silo admin console has no link per log record
        "indicators": indicators(record, kind),
        "labels": labels,
        "raw": record,
    }


@reads_vendor_data
def log_entry(record: dict[str, Any], *, org: str, log_type: str) -> dict[str, Any]:
    kind = str(record.get("type") or log_type)
    return {**record, "id": log_id(org, kind, _seq(record)), "org": org, "type": kind,
            "time": rfc3339(log_time(record))}


# --- fetch bookmarks: next_seq per (org, log type) --------------------------------------------------

def load_bookmarks(state: dict[str, Any] | None) -> dict[str, dict[str, int]]:
    if not state:
        return {}
    marks = state.get("next_seq")
    if state.get("version") != STATE_VERSION or not isinstance(marks, dict) or not all(
            isinstance(types, dict) and all(isinstance(t, str) and isinstance(s, int) and not isinstance(s, bool)
                                            and s >= 0 for t, s in types.items())
            for types in marks.values()):
        raise errors.StateError(f"{VENDOR}: the stored bookmark {str(state)[:200]} is not a next_seq per org and "
                                "log type; refusing to restart from scratch")
    return {org: dict(types) for org, types in marks.items()}


def dump_bookmarks(marks: dict[str, dict[str, int]]) -> dict[str, Any]:
    return {"version": STATE_VERSION, "next_seq": {org: dict(types) for org, types in marks.items()}}


def _fetch_types(log_types: Sequence[str]) -> list[str]:
    chosen = list(dict.fromkeys(log_types))
    if not chosen:
        raise errors.InputError("fetch-incidents: log_types is empty")
    return chosen


# --- handlers --------------------------------------------------------------------------------------

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
        rows = [{"name": str(name), "severity": SEVERITY.get(str(name), 0),
                 "default_fetch": name in DEFAULT_FETCH_TYPES, "encrypted_only": name in ENCRYPTED_ONLY or name == "ENC"}
                for name in info["log_types"]]
    return CommandResult(rows, raw=info, title=f"Silo log types (API {info.get('version', '?')})")


@command("fetch-incidents")
def fetch_incidents(api: SiloApi, *, state: dict[str, Any] | None, log_types: list[str], first_fetch: str,
                    max_fetch: int, page_size: int = MAX_LIMIT) -> Iterator[FetchBatch]:
    """Each round is one POST carrying an extractlog for every type still to read, from that type's
    ``next_seq``; a round's batch carries the bookmarks of what it handed over, and nothing else.

    A type whose command fails keeps its bookmark and sits out the rest of the run while the others
    go on; the run then ends with that error, so a broken type is never silent. An org error hits
    every type alike and ends the run at once (a rejected token already failed the whole POST).
    """
    types = _fetch_types(log_types)
    marks = load_bookmarks(state)
    org_marks = marks.setdefault(api.org, {})
    since = parse_time(first_fetch)
    pending = list(types)
    failed: dict[str, errors.SoarpacksError] = {}
    budget = max_fetch
    while pending and budget > 0:
        # The budget is shared fairly, so a flood of one type cannot starve the others in this run.
        per_type = min(page_size, MAX_LIMIT, math.ceil(budget / len(pending)))
        commands = [extractlog(api.org, t, start_seq=org_marks.get(t, 0), limit=per_type,
                               # No bookmark yet: the first run reaches back first_fetch, not 90 days.
                               start_time=None if t in org_marks else since) for t in pending]
        incidents: list[dict[str, Any]] = []
        still_pending = []
        for log_type, reply in zip(pending, api.call(commands)):
            if reply.error is not None:
                if isinstance(reply.error, OrgError):
                    raise reply.error
                failed[log_type] = reply.error
                continue
            start = org_marks.get(log_type, 0)
            page = parse_page(reply.result, start_seq=start)
            taken = page.logs[:budget]
            incidents.extend(log_to_incident(r, org=api.org, log_type=log_type) for r in taken)
            budget -= len(taken)
            if len(taken) < len(page.logs):
                # The budget ran out inside this page: resume right after the last record handed over
                # (a type that handed over nothing keeps what it had, possibly no bookmark at all).
                if taken:
                    org_marks[log_type] = _seq(taken[-1]) + 1
            elif taken or page.next_seq > start:
                # With nothing matched, only a next_seq that moved on is adopted: a bare 0 would turn a
                # first fetch limited by time into a full 90-day backlog on the next run.
                org_marks[log_type] = page.next_seq
            if page.is_more and len(taken) == len(page.logs):
                still_pending.append(log_type)
        # Oldest first across types: the order an analyst reads a timeline in.
        incidents.sort(key=lambda i: (i["occurred"], i["labels"]["seq_id"]))
        yield FetchBatch(incidents, dump_bookmarks(marks), stats={"types": len(pending), "failed": len(failed)})
        pending = still_pending
    if failed:
        first = next(iter(failed.values()))
        detail = "; ".join(str(e) for e in failed.values())
        raise type(first)(f"{VENDOR}: {len(failed)} log type(s) were not fetched and keep their bookmark "
                          f"(the others were): {detail}")


@command("get-event")
def get_event(api: SiloApi, *, log_type: str, seq_id: int, org: str | None = None) -> CommandResult:
    org = org or api.org
    # end_seq bounds the vendor's scan; start_seq is inclusive, and the check below is what counts.
    page = api.extract(org, log_type, start_seq=seq_id, end_seq=seq_id + 1, limit=1)
    record = next((r for r in page.logs if _seq(r) == seq_id), None)
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
    cursor = start_seq or 0
    records: list[dict[str, Any]] = []
    more = True
    while more and len(records) < limit:
        page = api.extract(org, log_type, start_seq=cursor, end_seq=end_seq, start_time=since, end_time=until,
                           limit=min(MAX_LIMIT, limit - len(records)))
        taken = page.logs[:limit - len(records)]
        records.extend(taken)
        more = page.is_more or len(taken) < len(page.logs)
        cursor = _seq(taken[-1]) + 1 if len(taken) < len(page.logs) else page.next_seq
    entries = [log_entry(r, org=org, log_type=log_type) for r in records]
    title = f"Silo {log_type} logs for {org}: {len(entries)}" + (f", more from start_seq={cursor}" if more else "")
    columns = ["seq_id", "time", "type", "user_id", "domain", "path", "client_ip", "filename", "event", "action"]
    present = [c for c in columns if any(c in e for e in entries)] or columns[:3]
    # The table keeps the manifest's titles (the runner adds them), for the columns these logs have.
    return CommandResult(entries, raw=records, columns=present, title=title)
