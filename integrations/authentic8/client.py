"""Authentic8 Silo Log Extraction: the command-array protocol over the runtime's request loop.

The API is one endpoint. Every POST to ``/api/`` carries a JSON array of commands, ``setauth`` with
the token first; the answer is an array of replies in the same order (each echoing our
``command_id``), and errors come back per command inside HTTP 200. So a failed command is a value
in the answer, not an exception of the HTTP layer: the fetch loop decides per log type what a
failure means, and the other types of the same POST go on.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Any, NamedTuple, Sequence

from ..common import errors
from ..common.errortable import DEFAULT_ERROR_TABLE, Action, Rule
from ..common.http import HttpClient
from ..common.paginators import PageRequest, SequencePaginator, iter_pages
from ..common.redaction import REDACTOR
from ..common.retry import DEFAULT_RETRY, RetryPolicy
from ..common.vendordata import reads_vendor_data

VENDOR = "authentic8"
MAX_LIMIT = 1000  # the API returns at most this many logs per extractlog
VENDOR_TIME = "%Y-%m-%d %H:%M:%S"  # start_time/end_time, read as UTC


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


class Extract(NamedTuple):
    """Logs read up to a limit, the sequence number to continue from, and whether more remain."""
    logs: list[dict[str, Any]]
    next_seq: int
    more: bool


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
        answer = self.http.send_json("POST", "api/", json_body=self.envelope(commands), retry_unsafe=True)
        return self.replies(commands, answer)

    def envelope(self, commands: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        """The POST body: ``setauth`` first, then each command tagged with its ``command_id``."""
        tagged = [{**c, "command_id": str(i)} for i, c in enumerate(commands, 1)]
        return [{"command": "setauth", "data": self._token}, *tagged]

    def replies(self, commands: Sequence[dict[str, Any]], answer: Any) -> list[Reply]:
        """The answer to ``envelope(commands)``, one ``Reply`` per command, in command order."""
        if not isinstance(answer, list) or len(answer) != len(commands) + 1 or not all(isinstance(r, dict) for r in answer):
            shape = f"{len(answer)} replies" if isinstance(answer, list) else type(answer).__name__
            raise errors.VendorError(f"{VENDOR}: expected {len(commands) + 1} replies, one per command, got {shape}")
        auth_reply, replies = answer[0], answer[1:]
        if "error" in auth_reply:
            raise errors.AuthError(REDACTOR(f"{VENDOR}: the API rejected the auth token ({auth_reply['error']}); "
                                            "check the token param (tokens are issued by Authentic8 support)"))
        by_id = {str(r["command_id"]): r for r in replies if "command_id" in r}
        matched = []
        for position, original in enumerate(commands):
            command_id = str(position + 1)
            # Replies come in command order; the echoed command_id confirms it where the API sends one.
            reply = by_id.get(command_id, replies[position])
            if "command_id" in reply and str(reply["command_id"]) != command_id:
                raise errors.VendorError(f"{VENDOR}: reply {position + 1} answers command {reply['command_id']}, "
                                         f"not {command_id}")
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

    def extract_upto(self, org: str, log_type: str, *, limit: int, start_seq: int = 0, end_seq: int | None = None,
                     start_time: datetime | None = None, end_time: datetime | None = None) -> Extract:
        """Up to ``limit`` logs from ``start_seq`` on, page after page (at most 1000 per request), through
        the runtime's paginator; a page longer than asked for is cut, and the cursor is then right
        after the last record taken."""
        if limit <= 0:
            return Extract([], start_seq, True)
        command = extractlog(org, log_type, start_seq=start_seq, limit=limit, end_seq=end_seq,
                             start_time=start_time, end_time=end_time)
        records: list[dict[str, Any]] = []
        cursor, more = start_seq, True
        request = PageRequest("POST", self.http.url("api/"), retry_unsafe=True)
        for page in iter_pages(self.http, request, ExtractPaginator(self, command, total=limit)):
            taken = page.logs[:limit - len(records)]
            records.extend(taken)
            more = page.is_more or len(taken) < len(page.logs)
            cursor = log_seq(taken[-1]) + 1 if len(taken) < len(page.logs) else page.next_seq
        return Extract(records, cursor, more)


class ExtractPaginator(SequencePaginator):
    """One log type's ``extractlog`` pages: ``start_seq`` from the last page's ``next_seq`` while
    ``is_more``. Hooks: ``at`` puts the sequence and page size into the command (the API takes them in
    the POSTed command array, not as parameters); ``page`` reads the command's reply, whose error
    is raised, into a ``Page``; ``position`` reads the ``Page``."""

    def __init__(self, api: SiloApi, command: dict[str, Any], *, total: int) -> None:
        super().__init__(start=command["start_seq"], total=total, page_max=MAX_LIMIT)
        self.api = api
        self.command = command

    def at(self, request: PageRequest, seq: int, limit: int) -> PageRequest:
        return replace(request, json_body=self.api.envelope([{**self.command, "start_seq": seq, "limit": limit}]))

    def page(self, request: PageRequest, body: Any) -> Page:
        command = {k: v for k, v in request.json_body[1].items() if k != "command_id"}
        return parse_page(self.api.replies([command], body)[0].value(), start_seq=command["start_seq"])

    def position(self, body: Any) -> tuple[Any, bool, int]:
        return body.next_seq, body.is_more, len(body.logs)


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
    logs = [log for log in result.get("logs", []) if log_seq(log) >= start_seq]  # never hand a record over twice
    next_seq, is_more = result.get("next_seq"), bool(result.get("is_more"))
    if isinstance(next_seq, bool) or not isinstance(next_seq, int):
        if is_more or logs:
            raise errors.VendorError(f"{VENDOR}: extractlog answered without a usable next_seq ({next_seq!r})")
        next_seq = start_seq
    if logs:
        next_seq = max(next_seq, log_seq(logs[-1]) + 1)
    if is_more and next_seq <= start_seq:
        raise errors.VendorError(f"{VENDOR}: extractlog says is_more but next_seq {next_seq} does not move past "
                                 f"{start_seq}: refusing to loop")
    return Page(sorted(logs, key=log_seq), next_seq, is_more)


@reads_vendor_data
def log_seq(log: Any) -> int:
    seq = log.get("seq_id") if isinstance(log, dict) else None
    if isinstance(seq, bool) or not isinstance(seq, int):
        raise errors.VendorError(f"{VENDOR}: a log record without an integer seq_id: {str(log)[:120]}")
    return seq


def connect(*, base_url: str, token: str, org: str, insecure: bool, proxy: bool,
            retry: RetryPolicy = DEFAULT_RETRY) -> SiloApi:
    # A 404 on the one endpoint means base_url does not point at a Silo API: a configuration problem.
    table = {**DEFAULT_ERROR_TABLE, 404: Rule(Action.FAIL, errors.ConfigError)}
    http = HttpClient(base_url, auth=None, retry=retry, error_table=table, verify=not insecure, vendor=VENDOR,
                      proxy=proxy)
    return SiloApi(http, token=token, org=org)
