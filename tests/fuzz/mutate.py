"""A mutating layer between an integration and its simulator: the simulator answers as usual, then
(seeded) the JSON body gets a value nulled, a type swapped, a key dropped, a huge value injected,
or the body is truncated or replaced. Every vendor response parser must cope with what comes out."""
from __future__ import annotations

import json
import random
from typing import Any, Callable, Iterable

from werkzeug.wrappers import Request, Response

HUGE_STRING = "A" * 1_000_000
HUGE_INT = 10 ** 40


def _paths(node: Any, path: tuple = (), limit: int = 400) -> list[tuple]:
    """Up to ``limit`` paths into a JSON document, breadth first (the envelope before the items)."""
    found, queue = [path], [(node, path)]
    while queue and len(found) < limit:
        current, here = queue.pop(0)
        children = current.items() if isinstance(current, dict) else enumerate(current) if isinstance(current, list) else ()
        for key, child in children:
            found.append(here + (key,))
            queue.append((child, here + (key,)))
    return found


def _swap_type(value: Any, rng: random.Random) -> Any:
    if isinstance(value, bool):
        return rng.choice(["true", 1, None])
    if isinstance(value, (int, float)):
        return rng.choice([str(value), [value], {"value": value}, -value, 1.5, True])
    if isinstance(value, str):
        return rng.choice([len(value), [value], {"value": value}, "", value[: len(value) // 2], "not a time"])
    if isinstance(value, list):
        return rng.choice([{"0": value[0]} if value else {}, "", 0, [None], value * 2])
    if isinstance(value, dict):
        return rng.choice([list(value.values()), "", 0, {}, None])
    return rng.choice(["", 0, {}, []])


MUTATIONS: dict[str, Callable[[Any, random.Random], Any]] = {
    "null": lambda value, rng: None,
    "swap type": _swap_type,
    "huge string": lambda value, rng: HUGE_STRING,
    "huge number": lambda value, rng: rng.choice([HUGE_INT, -HUGE_INT, 1e308, -1]),
    "empty": lambda value, rng: type(value)() if isinstance(value, (dict, list, str)) else 0,
}
BODY_MUTATIONS = ("truncate", "not json", "empty body", "wrong top-level type")


def _set(document: Any, path: tuple, value: Any) -> Any:
    if not path:
        return value
    parent = document
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = value
    return document


def _drop(document: Any, path: tuple) -> Any:
    parent = document
    for key in path[:-1]:
        parent = parent[key]
    if isinstance(parent, dict):
        del parent[path[-1]]
    elif isinstance(parent, list):
        parent.pop(path[-1])
    return document


def mutate_body(body: bytes, rng: random.Random) -> tuple[bytes, str]:
    """One mutation of a JSON body, and what it was."""
    if rng.random() < 0.2:
        kind = rng.choice(BODY_MUTATIONS)
        if kind == "truncate":
            return body[: rng.randrange(max(1, len(body)))], kind
        if kind == "not json":
            return b"<html><body>Service temporarily unavailable</body></html>", kind
        if kind == "empty body":
            return b"", kind
        return json.dumps(rng.choice([None, 0, "text", [], {}, [[]]])).encode(), kind
    document = json.loads(body)
    path = rng.choice(_paths(document))
    if path and rng.random() < 0.2:
        return json.dumps(_drop(document, path)).encode(), f"drop {list(path)}"
    kind = rng.choice(list(MUTATIONS))
    current = document
    for key in path:
        current = current[key]
    return json.dumps(_set(document, path, MUTATIONS[kind](current, rng))).encode(), f"{kind} at {list(path)}"


class MutatingLayer:
    """WSGI middleware around a simulator; looks like the simulator to ``ServedSimulator``."""

    def __init__(self, simulator: Any) -> None:
        self.simulator = simulator
        self.name = simulator.name
        self.rng = random.Random(0)
        self.rate = 0.0
        self.log: list[str] = []

    def reseed(self, seed: int, rate: float) -> None:
        self.rng, self.rate, self.log = random.Random(seed), rate, []

    def integration_params(self, base_url: str) -> dict[str, Any]:
        return self.simulator.integration_params(base_url)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        request = Request(environ)
        response = Response.from_app(self.simulator, environ)
        body = response.get_data()
        if body and self.rng.random() < self.rate and _is_json(body):
            body, what = mutate_body(body, self.rng)
            self.log.append(f"{request.method} {request.path}: {what}")
            response.set_data(body)
        return response(environ, start_response)


def _is_json(body: bytes) -> bool:
    try:
        json.loads(body)
    except ValueError:
        return False
    return True
