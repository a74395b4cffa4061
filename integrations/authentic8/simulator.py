"""A faithful local fake of the Authentic8 Silo Log Extraction API.

One endpoint, ``POST /api/``, takes a JSON array of commands and answers an array of replies in the
same order, each echoing the command's ``command_id``. ``setauth`` must come first; every error
(bad token, unknown org, unknown log type, bad arguments) comes back *inside* HTTP 200 as that
command's ``{"error": "..."}``, and the other commands of the same POST still run.

The seeded world: two parent orgs with a child org called ``Research`` each (so ``Research`` alone
is ambiguous and needs an org path such as ``Acme Corp/Research``). ``Acme Corp`` logs in clear
text, all log types but COOKIES and POST DATA (those only exist encrypted); ``Acme Corp/Research``
uses log encryption, so all of its logs come back as ``ENC`` records. Sequence numbers are one
sequence shared by every org and type (as the vendor's examples suggest), so a single type's
``seq_id`` values have gaps.

Where the vendor does not document a behaviour, the simulator picks one and says so:
``end_seq`` and ``end_time`` are exclusive; ``next_seq`` is the last returned ``seq_id`` + 1, or
``start_seq`` when nothing matched; a ``limit`` above 1000 is served as 1000.
"""
from __future__ import annotations

import base64
import hashlib
import json
import re
import threading
from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from ..common import simkit

LOG_TYPES = (
    "A8SS", "ADMIN_AUDIT", "APP_LAUNCH", "AUTH", "BLOCKED URL", "CASE MANAGER", "CLIPBOARD", "COOKIES",
    "DOWNLOAD", "ENC", "EVENT", "EXPLOIT", "EXTENSION", "HARVEST", "ISOLATE_BYPASS", "LAUNCHER",
    "LOCATION CHANGE", "POST DATA", "PRINT", "SESSION", "SMS", "TRAFFICMAN", "TRANSLATION", "UPLOAD", "URL",
)
ENC_ONLY = frozenset({"COOKIES", "POST DATA", "ENC"})
MAX_LIMIT = 1000
API_VERSION = "2.4.1"
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"

# How often each clear-text type shows up, roughly as in a real org: URL traffic dominates.
_WEIGHTS = {
    "URL": 30, "SESSION": 6, "AUTH": 6, "BLOCKED URL": 6, "DOWNLOAD": 5, "UPLOAD": 3, "EXPLOIT": 2,
    "ISOLATE_BYPASS": 2, "ADMIN_AUDIT": 2, "CLIPBOARD": 3, "PRINT": 2, "A8SS": 2, "APP_LAUNCH": 2,
    "CASE MANAGER": 1, "EVENT": 2, "EXTENSION": 1, "HARVEST": 1, "LAUNCHER": 2, "LOCATION CHANGE": 2,
    "SMS": 1, "TRAFFICMAN": 2, "TRANSLATION": 1,
}
_DOMAINS = ("www.java.com", "news.ycombinator.com", "docs.python.org", "login.microsoftonline.com",
            "drive.google.com", "pastebin.com", "update-flash-player.info", "secure-paypa1.com",
            "cdn.jsdelivr.net", "github.com", "www.bbc.co.uk", "xn--80ak6aa92e.com", "mega.nz")
_BAD_DOMAINS = ("update-flash-player.info", "secure-paypa1.com", "xn--80ak6aa92e.com", "malware-traffic.example")
_PATHS = ("/", "/en/download/installed.jsp", "/item?id=4242", "/3/library/json.html", "/common/oauth2/authorize",
          "/file/d/1AbC/view", "/raw/Zx8k2", "/index.php?id=7", "/npm/jquery@3.7.1/dist/jquery.min.js")
_CATEGORIES = ("Business", "News", "Technology", "Cloud Storage", "Phishing", "Malware", "Newly Registered",
               "Social Networking", "File Sharing")
_LOCATIONS = ("US-East", "US-West", "UK-London", "DE-Frankfurt", "JP-Tokyo", "SG-Singapore", "BR-SaoPaulo")
_FILES = ("invoice_2291.pdf", "Q3-forecast.xlsx", "setup.exe", "report.docx", "payload.js", "photos.zip",
          "contract-signed.pdf", "keys.txt")


@dataclass
class Org:
    path: tuple[str, ...]
    org_id: str
    encrypted: bool = False
    key_name: str | None = None
    users: list[dict[str, str]] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.path[-1]

    @property
    def display(self) -> str:
        return "/".join(part.replace("/", "\\/") for part in self.path)


@dataclass
class _CommandFault:
    message: str
    log_type: str | None
    times: int


def split_org_path(text: str) -> list[str]:
    """``Acme Corp/Research`` → two elements; a backslash escapes a slash inside a name."""
    parts, current, escaped = [], [], False
    for char in text:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "/":
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [p.strip() for p in parts if p.strip()]


class Simulator(simkit.Simulator):
    name = "authentic8"
    routes = [Rule("/api/", endpoint="api", methods=["POST"])]

    def __init__(self, seed: int = 0, faults: str | None = None, *, size: int = 300, enc_size: int = 40,
                 **kw: Any) -> None:
        super().__init__(seed=seed, faults=faults, **kw)
        self.token = f"canary-authentic8-{hashlib.sha256(f'a8-{seed}'.encode()).hexdigest()[:24]}"
        self.orgs = [
            Org(("Acme Corp",), self._hex(24)),
            Org(("Acme Corp", "Research"), self._hex(24), encrypted=True, key_name="SILO-Research-2024"),
            Org(("Globex",), self._hex(24)),
            Org(("Globex", "Research"), self._hex(24)),
        ]
        for org in self.orgs:
            domain = org.path[0].lower().replace(" ", "") + ".example"
            org.users = [{"user_id": self._hex(24), "user_name": f"{name}@{domain}"}
                         for name in ("alice", "bob", "carol", "dave", "erin", "frank")]
        # (org index, log type) -> records sorted by seq_id, and their seq_ids for bisect.
        self.logs: dict[tuple[int, str], list[dict[str, Any]]] = {}
        self._seqs: dict[tuple[int, str], list[int]] = {}
        self._next_seq = 3_200_000 + self.rng.randrange(100_000)
        self.posts: list[list[dict[str, Any]]] = []
        self._command_faults: list[_CommandFault] = []
        self._world_lock = threading.Lock()
        self._seed_world(size, enc_size)

    # --- the seeded world -------------------------------------------------------------------
    def _hex(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def _seed_world(self, size: int, enc_size: int) -> None:
        # Most logs fall in the two days before today; a tenth are 5-60 days old (retention is 90
        # days), so a first fetch of "3 days" and one of "90 days" see different backlogs.
        plan: list[tuple[datetime, int, str]] = []
        types, weights = list(_WEIGHTS), list(_WEIGHTS.values())
        for org_index, count in ((0, size), (1, enc_size), (2, max(1, size // 10)), (3, max(1, size // 20))):
            for _ in range(count):
                if self.rng.random() < 0.1:
                    moment = self.anchor - timedelta(days=self.rng.uniform(5, 60))
                else:
                    moment = self.anchor - timedelta(seconds=self.rng.uniform(60, 2 * 86400))
                plan.append((moment, org_index, self.rng.choices(types, weights)[0]))
        plan.sort(key=lambda item: item[0])
        for moment, org_index, log_type in plan:
            self._append(org_index, log_type, moment)

    def _append(self, org_index: int, log_type: str, moment: datetime) -> dict[str, Any]:
        org = self.orgs[org_index]
        self._next_seq += 1 + self.rng.randrange(4)  # other customers share the sequence: gaps
        record = self._record(org, log_type, moment, self._next_seq)
        stored_type = "ENC" if org.encrypted else log_type
        if org.encrypted:
            record = self._encrypt(org, record)
        self.logs.setdefault((org_index, stored_type), []).append(record)
        self._seqs.setdefault((org_index, stored_type), []).append(record["seq_id"])
        return record

    def add_logs(self, org: str, log_type: str, count: int = 1) -> list[dict[str, Any]]:
        """New logs arriving now (for incremental-fetch tests)."""
        org_index = self._resolve(org)
        now = datetime.now(timezone.utc)
        with self._world_lock:
            return [self._append(org_index, log_type, now) for _ in range(count)]

    def _encrypt(self, org: Org, record: dict[str, Any]) -> dict[str, Any]:
        plain = json.dumps(record, sort_keys=True).encode()
        # Not real encryption, only the right shape: base64 of bytes nobody can read without the key.
        sealed = hashlib.sha512(plain).digest() + bytes(b ^ 0x5A for b in plain)
        return {"key_name": org.key_name, "encryption_type": "RSA-2048-OAEP/AES-256-GCM",
                "enc": base64.b64encode(sealed).decode(), "type": "ENC",
                "create_ts": record["create_ts"], "seq_id": record["seq_id"]}

    def _record(self, org: Org, log_type: str, moment: datetime, seq_id: int) -> dict[str, Any]:
        rng = self.rng
        user = rng.choice(org.users)
        domain = rng.choice(_BAD_DOMAINS if log_type in ("EXPLOIT", "BLOCKED URL") else _DOMAINS)
        path = rng.choice(_PATHS)
        scheme = rng.choice(("https", "https", "http"))
        url = f"{scheme}://{domain}{path}"
        base: dict[str, Any] = {
            "seq_id": seq_id, "create_ts": round(moment.timestamp(), 6), "type": log_type,
            "org_id": org.org_id, "user_id": user["user_id"], "session_id": self._hex(24),
        }
        client_ip = f"{rng.choice((203, 198, 192))}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
        if log_type == "URL":
            size = rng.randrange(200, 90000)
            base.update({
                "domain": domain, "path": path, "scheme": scheme, "port": 443 if scheme == "https" else 80,
                "method": rng.choice(("GET", "GET", "GET", "POST")),
                "headers": f"Host: {domain}\r\nUser-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:115.0) "
                           "Gecko/20100101 Firefox/115.0 Authentic8/1.0\r\nAccept: text/html,application/xhtml+xml,"
                           "*/*;q=0.8\r\nAccept-Language: en-US,en;q=0.5\r\nAccept-Encoding: gzip, deflate\r\n"
                           "DNT: 1\r\nConnection: keep-alive\r\n",
                "response_headers": f"Server: nginx\r\nContent-Type: text/html;charset=UTF-8\r\nContent-Encoding: gzip\r\n"
                                    f"Content-Length: {size}\r\nDate: {moment.strftime('%a, %d %b %Y %H:%M:%S GMT')}\r\n"
                                    "Connection: keep-alive\r\n",
                "response_code": rng.choice((200, 200, 200, 301, 304, 404)), "response_size": size,
                "client_ip": client_ip, "title": f"{domain} - {rng.choice(('Home', 'Sign in', 'Download', 'Docs'))}",
                "categories": rng.sample(_CATEGORIES, 2),
            })
        elif log_type == "BLOCKED URL":
            category = rng.choice(("Phishing", "Malware", "Newly Registered"))
            base.update({"domain": domain, "path": path, "scheme": scheme, "url": url, "client_ip": client_ip,
                         "categories": [category], "reason": f"Blocked by category policy: {category}",
                         "policy": "Default Web Policy"})
        elif log_type == "EXPLOIT":
            base.update({"domain": domain, "url": url, "client_ip": client_ip,
                         "exploit": rng.choice(("CVE-2023-4863 heap overflow in libwebp", "Renderer sandbox escape attempt",
                                                "Drive-by download via malicious iframe", "Heap spray in JIT compiler")),
                         "action": "session terminated"})
        elif log_type in ("DOWNLOAD", "UPLOAD"):
            filename = rng.choice(_FILES)
            blob = f"{seq_id}{filename}".encode()
            base.update({"domain": domain, "url": url, "filename": filename, "file_size": rng.randrange(1024, 10_000_000),
                         "sha256": hashlib.sha256(blob).hexdigest(), "md5": hashlib.md5(blob).hexdigest(),
                         "mime_type": rng.choice(("application/pdf", "application/zip", "application/x-msdownload")),
                         "destination" if log_type == "DOWNLOAD" else "source": rng.choice(("local", "A8SS")),
                         "action": rng.choice(("allowed", "allowed", "blocked"))})
        elif log_type == "AUTH":
            event = rng.choice(("login", "login", "logout", "login_failed", "mfa_challenge"))
            base.update({"user_name": user["user_name"], "event": event, "client_ip": client_ip,
                         "result": "failure" if event == "login_failed" else "success",
                         "auth_method": rng.choice(("password", "saml", "password+totp")),
                         "user_agent": "Authentic8 Silo/3.2 (Windows)"})
        elif log_type == "ADMIN_AUDIT":
            admin = rng.choice(org.users)
            base.update({"user_name": admin["user_name"], "client_ip": client_ip,
                         "action": rng.choice(("policy.update", "user.create", "user.delete", "web_policy.block_category",
                                               "auth_token.create", "org.settings.update")),
                         "target": rng.choice(org.users)["user_name"], "details": "changed via admin console"})
        elif log_type == "ISOLATE_BYPASS":
            base.update({"domain": domain, "url": url, "client_ip": client_ip, "reason": "user opened link in local browser",
                         "rule": "Allow bypass with warning"})
        elif log_type == "SESSION":
            base.update({"event": rng.choice(("start", "end")), "client_ip": client_ip,
                         "location": rng.choice(_LOCATIONS), "duration": rng.randrange(10, 7200)})
        elif log_type == "LOCATION CHANGE":
            old, new = rng.sample(_LOCATIONS, 2)
            base.update({"from_location": old, "to_location": new, "client_ip": client_ip})
        elif log_type == "CLIPBOARD":
            base.update({"domain": domain, "direction": rng.choice(("copy_out", "paste_in")),
                         "length": rng.randrange(1, 5000)})
        elif log_type == "PRINT":
            base.update({"domain": domain, "url": url, "title": f"{domain} page", "pages": rng.randrange(1, 30)})
        elif log_type == "A8SS":
            base.update({"operation": rng.choice(("put", "get", "delete")), "filename": rng.choice(_FILES),
                         "file_size": rng.randrange(1024, 5_000_000)})
        elif log_type == "APP_LAUNCH":
            base.update({"app": rng.choice(("Silo Web", "Silo Research", "Toolbox")), "client_ip": client_ip})
        elif log_type == "CASE MANAGER":
            base.update({"case_id": f"CASE-{rng.randrange(1000, 9999)}", "action": rng.choice(("create", "note", "attach")),
                         "url": url})
        elif log_type == "EVENT":
            base.update({"event": rng.choice(("browser.crash", "profile.reset", "network.error")), "details": "-"})
        elif log_type == "EXTENSION":
            base.update({"extension_id": self._hex(32), "extension_name": rng.choice(("uBlock Origin", "Grammarly")),
                         "action": rng.choice(("install", "remove"))})
        elif log_type == "HARVEST":
            base.update({"url": url, "domain": domain, "format": rng.choice(("pdf", "html", "png"))})
        elif log_type == "LAUNCHER":
            base.update({"launcher": rng.choice(("Webmail", "Research Portal", "Intranet")), "url": url})
        elif log_type == "SMS":
            base.update({"direction": rng.choice(("inbound", "outbound")), "country": rng.choice(("US", "GB", "DE")),
                         "number": f"+1555{rng.randrange(1000000):07d}"})
        elif log_type == "TRAFFICMAN":
            base.update({"egress_node": rng.choice(_LOCATIONS), "bytes_in": rng.randrange(10**6),
                         "bytes_out": rng.randrange(10**5)})
        elif log_type == "TRANSLATION":
            base.update({"domain": domain, "source_lang": rng.choice(("ru", "zh", "fa")), "target_lang": "en",
                         "chars": rng.randrange(100, 20000)})
        return base

    # --- the simkit hooks --------------------------------------------------------------------
    def integration_params(self, base_url: str) -> dict[str, Any]:
        return {"base_url": base_url, "token": self.token, "org": "Acme Corp", "insecure": False}

    def drain_args(self) -> dict[str, Any]:
        # Small pages: the backlog then takes dozens of rounds, as a real org's does with 1000 a page,
        # so fault injection has requests to hit.
        return {"log_types": sorted(t for t in LOG_TYPES if t not in ENC_ONLY), "first_fetch": "90 days",
                "max_fetch": 100000, "page_size": 2}

    def expected_incident_count(self) -> int:
        return sum(len(records) for (org_index, _), records in self.logs.items() if org_index == 0)

    def command_examples(self) -> dict[str, dict[str, Any]]:
        record = self.logs[(0, "URL")][0]
        return {
            "test-module": {},
            "authentic8-get-log-types": {},
            "get-event": {"org": "Acme Corp", "log_type": "URL", "seq_id": record["seq_id"]},
            "authentic8-extract-logs": {"log_type": "URL", "start_seq": 0, "limit": 5},
        }

    def revoke_tokens(self) -> None:
        """Silo auth tokens are issued by Authentic8 support and do not lapse mid-session:
        there is nothing to revoke, so an ``expire`` fault is a no-op here."""

    # --- scripted per-command errors (tests) --------------------------------------------------
    def fail_command(self, message: str, *, log_type: str | None = None, times: int = 1) -> None:
        """The next ``times`` extractlog commands (of ``log_type``, or any) answer ``{"error": message}``."""
        with self._world_lock:
            self._command_faults.append(_CommandFault(message, log_type, times))

    def _scripted_error(self, log_type: str) -> str | None:
        with self._world_lock:
            for fault in self._command_faults:
                if fault.log_type in (None, log_type):
                    fault.times -= 1
                    if fault.times <= 0:
                        self._command_faults.remove(fault)
                    return fault.message
        return None

    # --- the endpoint -----------------------------------------------------------------------
    def api(self, request: Request) -> Response:
        if not (request.mimetype or "").endswith("json"):
            return simkit.json_response({"error": "Content-Type must be application/json"}, 400)
        try:
            commands = json.loads(request.get_data(as_text=True))
        except ValueError:
            return simkit.json_response({"error": "Request body is not valid JSON"}, 400)
        if not isinstance(commands, list) or not all(isinstance(c, dict) for c in commands):
            return simkit.json_response({"error": "Expected a JSON array of command objects"}, 400)
        with self.lock:
            self.posts.append(commands)
        replies = []
        authenticated = False
        for index, command in enumerate(commands):
            name = command.get("command")
            if index == 0 and name == "setauth":
                authenticated = command.get("data") == self.token
                reply = {"result": {"authenticated": True}} if authenticated else {"error": "Invalid auth token"}
            elif not authenticated:
                reply = {"error": "Not authenticated: setauth with a valid token must be the first command"}
            else:
                reply = self._run(name, command)
            if "command_id" in command:
                reply["command_id"] = command["command_id"]
            replies.append(reply)
        return simkit.json_response(replies)

    def _run(self, name: Any, command: dict[str, Any]) -> dict[str, Any]:
        if name == "setauth":
            return {"error": "setauth must be the first command"}
        if name == "get_log_types":
            return {"result": {"log_types": list(LOG_TYPES), "version": API_VERSION}}
        if name == "extractlog":
            try:
                return {"result": self._extractlog(command)}
            except _CommandError as exc:
                return {"error": str(exc)}
        return {"error": f"Unknown command: {name}"}

    def _resolve(self, text: str) -> int:
        wanted = split_org_path(text)
        if not wanted:
            raise _CommandError("Missing required argument: org")
        matches = [i for i, org in enumerate(self.orgs) if _path_matches(org.path, wanted)]
        if not matches:
            raise _CommandError(f'No org matching "{text}"')
        if len(matches) > 1:
            raise _CommandError(f'Org name "{text}" is ambiguous; use an org path such as '
                                f'"{self.orgs[matches[0]].display}"')
        return matches[0]

    def _extractlog(self, command: dict[str, Any]) -> dict[str, Any]:
        if not isinstance(command.get("org"), str):
            raise _CommandError("Missing required argument: org")
        org_index = self._resolve(command["org"])
        log_type = command.get("type")
        if log_type not in LOG_TYPES:
            raise _CommandError(f"Unknown log type: {log_type}")
        start_seq = _int_arg(command, "start_seq", 0)
        end_seq = _int_arg(command, "end_seq", None)
        limit = _int_arg(command, "limit", MAX_LIMIT)
        if limit is None or limit < 1:
            raise _CommandError("limit must be a positive integer")
        start_time = _time_arg(command, "start_time")
        end_time = _time_arg(command, "end_time")
        scripted = self._scripted_error(log_type)
        if scripted:
            raise _CommandError(scripted)
        limit = min(limit, MAX_LIMIT)
        key = (org_index, log_type)
        with self._world_lock:
            records, seqs = self.logs.get(key, []), self._seqs.get(key, [])
            logs: list[dict[str, Any]] = []
            is_more = False
            for position in range(bisect_left(seqs, start_seq), len(records)):
                record = records[position]
                if end_seq is not None and record["seq_id"] >= end_seq:
                    break
                if end_time is not None and record["create_ts"] >= end_time:
                    break
                if start_time is not None and record["create_ts"] < start_time:
                    continue
                if len(logs) == limit:
                    is_more = True
                    break
                logs.append(dict(record))
        next_seq = logs[-1]["seq_id"] + 1 if logs else start_seq
        return {"next_seq": next_seq, "logs": logs, "is_more": is_more}


class _CommandError(Exception):
    pass


def _path_matches(path: tuple[str, ...], wanted: list[str]) -> bool:
    """Org paths need not be complete: each element only disambiguates the next, so elements may
    be skipped, but the last one names the org itself."""
    if path[-1].lower() != wanted[-1].lower():
        return False
    ancestors = iter(p.lower() for p in path[:-1])
    return all(any(a == w.lower() for a in ancestors) for w in wanted[:-1])


def _int_arg(command: dict[str, Any], name: str, default: int | None) -> int | None:
    value = command.get(name, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) and not (isinstance(value, str) and value.isdigit()):
        raise _CommandError(f"{name} must be an integer")
    return int(value)


def _time_arg(command: dict[str, Any], name: str) -> float | None:
    value = command.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", value):
        raise _CommandError(f"{name} must look like YYYY-MM-DD HH:MM:SS")
    try:
        return datetime.strptime(value, TIME_FORMAT).replace(tzinfo=timezone.utc).timestamp()
    except ValueError:
        raise _CommandError(f"{name} is not a valid date: {value}") from None
