"""A small base for faithful vendor simulators (werkzeug, which pytest-httpserver already brings).

A vendor simulator subclasses ``Simulator``: it lists its ``routes`` (werkzeug rules whose endpoint
names methods of the subclass), builds its seeded world in ``__init__``, and says in
``integration_params`` how an integration instance reaches it. The kit adds fault injection, both
random (``faults="429=0.1,503=0.05,drop=0.02"``, seeded) and scripted
(``sim.faults.inject("expire", after=2)``), a token issuer, and a threaded server (``serve``).
"""
from __future__ import annotations

import base64
import json
import logging
import random
import secrets
import socket
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from typing import Any, Callable, Iterable

from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from . import errors

FAULT_KINDS = ("429", "429-date", "429-bare", "404", "500", "502", "503", "504", "drop", "slow", "expire", "malformed")


@dataclass
class _Scripted:
    kind: str
    times: int
    after: int
    path_contains: str | None


class FaultInjector:
    """Decides, per request, whether to misbehave and how."""

    def __init__(self, spec: str | None = None, *, seed: int = 0) -> None:
        self.rates = parse_fault_spec(spec)
        self.rng = random.Random(seed ^ 0x5EED)
        self._scripted: list[_Scripted] = []
        self._lock = threading.Lock()
        self.injected: dict[str, int] = {}

    def inject(self, kind: str, *, times: int = 1, after: int = 0, path_contains: str | None = None) -> None:
        """Misbehave on the ``times`` requests that follow the next ``after`` matching ones."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}")
        with self._lock:
            self._scripted.append(_Scripted(kind, times, after, path_contains))

    def clear(self) -> None:
        with self._lock:
            self._scripted.clear()
            self.rates = {}

    def pick(self, path: str, *, exempt: bool) -> str | None:
        with self._lock:
            for script in self._scripted:
                if script.path_contains and script.path_contains not in path:
                    continue
                if script.after > 0:
                    script.after -= 1
                    continue
                script.times -= 1
                if script.times <= 0:
                    self._scripted.remove(script)
                return self._count(script.kind)
            if exempt or not self.rates:
                return None
            roll = self.rng.random()
            for kind, rate in self.rates.items():
                if roll < rate:
                    return self._count(kind)
                roll -= rate
        return None

    def _count(self, kind: str) -> str:
        self.injected[kind] = self.injected.get(kind, 0) + 1
        return kind


def parse_fault_spec(spec: str | None) -> dict[str, float]:
    """``"429=0.1,503=0.05"`` → ``{"429": 0.1, "503": 0.05}``; a bare kind means a rate of 0.1."""
    rates: dict[str, float] = {}
    for part in (spec or "").split(","):
        part = part.strip()
        if not part:
            continue
        kind, _, rate = part.partition("=")
        if kind not in FAULT_KINDS:
            raise errors.InputError(f"unknown fault {kind!r} (known: {', '.join(FAULT_KINDS)})")
        try:
            rates[kind] = float(rate) if rate else 0.1
        except ValueError:
            raise errors.InputError(f"fault rate {rate!r} for {kind} is not a number") from None
        if not 0 <= rates[kind] <= 1:
            raise errors.InputError(f"fault rate for {kind} must be between 0 and 1")
    if sum(rates.values()) > 1:
        raise errors.InputError("fault rates add up to more than 1")
    return rates


class TokenIssuer:
    """Bearer tokens with a lifetime; ``expire_all`` simulates every token lapsing at once."""

    def __init__(self, *, ttl: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self.clock = clock
        self._tokens: dict[str, float] = {}
        self._lock = threading.Lock()
        self.issued = 0

    def issue(self) -> str:
        token = secrets.token_urlsafe(24)
        with self._lock:
            self._tokens[token] = self.clock() + self.ttl
            self.issued += 1
        return token

    def valid(self, token: str | None) -> bool:
        with self._lock:
            return token is not None and self._tokens.get(token, 0) > self.clock()

    def expire_all(self) -> None:
        with self._lock:
            self._tokens.clear()


def basic_credentials(request: Request) -> tuple[str, str] | None:
    header = request.headers.get("Authorization", "")
    if not header.startswith("Basic "):
        return None
    try:
        user, _, password = base64.b64decode(header[6:]).decode().partition(":")
    except (ValueError, UnicodeDecodeError):
        return None
    return user, password


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(body), status=status, headers=headers, mimetype="application/json")


class Simulator:
    """Base of every vendor simulator."""

    name = "vendor"
    routes: list[Rule] = []
    # Endpoints (rule endpoint names) random faults never hit, e.g. a token endpoint in a demo.
    fault_exempt: frozenset[str] = frozenset()

    def __init__(self, *, seed: int = 0, faults: str | None = None, latency: float = 0.0,
                 slow_seconds: float = 0.3, retry_after: int = 1) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        self.faults = FaultInjector(faults, seed=seed)
        self.latency = latency
        self.slow_seconds = slow_seconds
        self.retry_after = retry_after
        self.lock = threading.RLock()
        self.requests: list[tuple[str, str]] = []
        # Rules bind to one Map; each simulator instance gets its own copies.
        self._map = Map([rule.empty() for rule in self.routes])
        # Seeded worlds are laid out relative to the start of today (UTC): the same all day, and
        # always inside a "last N days" first fetch.
        self.anchor = datetime.now(timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)

    # --- to override -------------------------------------------------------------------------
    def integration_params(self, base_url: str) -> dict[str, Any]:
        """Instance params that point the integration at this simulator at ``base_url``."""
        raise NotImplementedError

    def drain_args(self) -> dict[str, Any]:
        """fetch-incidents arguments that reach the whole seeded backlog."""
        return {}

    def expected_incident_count(self) -> int:
        """How many incidents a full drain (with ``drain_args``) must yield."""
        raise NotImplementedError

    def command_examples(self) -> dict[str, dict[str, Any]]:
        """Valid arguments for every supported command except fetch-incidents, against this world.
        The conformance tests run each one and validate its outputs against the command's schema."""
        return {}

    def save_world(self) -> dict[str, Any] | None:
        """What writes changed, so ``soarpacks run --simulate`` can keep a world across processes."""
        return None

    def load_world(self, changes: dict[str, Any]) -> None:
        """Re-apply what ``save_world`` returned."""

    def authorized(self, request: Request, endpoint: str) -> bool:
        """Whether the request carries a valid credential; ``expire`` faults revoke tokens first."""
        return True

    def revoke_tokens(self) -> None:
        """Called by the ``expire`` fault."""

    def unauthorized(self, request: Request) -> Response:
        return json_response({"error": "unauthorized"}, 401)

    # --- machinery ---------------------------------------------------------------------------
    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        request = Request(environ)
        response = self._respond(request, environ)
        return response(environ, start_response)

    def _respond(self, request: Request, environ: dict[str, Any]) -> Response:
        if self.latency:
            time.sleep(self.latency)
        adapter = self._map.bind_to_environ(environ)
        try:
            endpoint, values = adapter.match()
        except NotFound:
            return json_response({"error": "not found", "path": request.path}, 404)
        except MethodNotAllowed:
            return json_response({"error": "method not allowed"}, 405)
        except HTTPException as exc:  # pragma: no cover - werkzeug redirects etc.
            return exc.get_response(environ)  # type: ignore[return-value]
        with self.lock:
            self.requests.append((request.method, request.path))
        fault = self.faults.pick(request.path, exempt=endpoint in self.fault_exempt)
        if fault is not None:
            response = self._fault(fault, environ)
            if response is not None:
                return response
        if not self.authorized(request, endpoint):
            return self.unauthorized(request)
        response = getattr(self, endpoint)(request, **values)
        if fault == "malformed":
            data = response.get_data()
            response.set_data(data[: max(1, len(data) // 2)])
        return response

    def _fault(self, kind: str, environ: dict[str, Any]) -> Response | None:
        if kind == "429":
            return json_response({"message": "Too Many Requests"}, 429, {"Retry-After": str(self.retry_after)})
        if kind == "429-date":
            when = datetime.now(timezone.utc) + timedelta(seconds=self.retry_after)
            return json_response({"message": "Too Many Requests"}, 429, {"Retry-After": format_datetime(when, usegmt=True)})
        if kind == "429-bare":
            return json_response({"message": "Too Many Requests"}, 429)
        if kind == "404":   # scripted only: a resource that vanished between two requests
            return json_response({"error": "Not found", "code": 404}, 404)
        if kind in ("500", "502", "503", "504"):
            return Response(f"<html><body>{kind} upstream error</body></html>", status=int(kind), mimetype="text/html")
        if kind == "drop":
            sock = environ.get("werkzeug.socket")
            if sock is not None:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
            return Response(b"", status=500)
        if kind == "slow":
            time.sleep(self.slow_seconds)
        if kind == "expire":
            self.revoke_tokens()
        return None  # slow, expire, malformed: go on to the real handler

    def count(self, path_contains: str, method: str | None = None) -> int:
        with self.lock:
            return sum(1 for m, p in self.requests if path_contains in p and (method is None or m == method))


class ServedSimulator:
    """A simulator listening on loopback in a background thread."""

    def __init__(self, simulator: Simulator, *, host: str = "127.0.0.1", port: int = 0,
                 ssl_context: Any = None) -> None:
        self.simulator = simulator
        self._server = make_server(host, port, simulator, threaded=True, ssl_context=ssl_context)
        self._server.daemon_threads = True
        self.url = f"{'https' if ssl_context else 'http'}://{host}:{self._server.server_port}"
        # A short poll interval: shutdown() waits up to one interval, once per test.
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02},
                                        name=f"sim-{simulator.name}", daemon=True)
        self._thread.start()

    def params(self) -> dict[str, Any]:
        return self.simulator.integration_params(self.url)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> "ServedSimulator":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def serve(simulator: Simulator, *, port: int = 0, ssl_context: Any = None) -> ServedSimulator:
    """``ssl_context`` (an ``ssl.SSLContext`` or werkzeug's ``(cert, key)``) serves HTTPS (TLS tests)."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    return ServedSimulator(simulator, port=port, ssl_context=ssl_context)
