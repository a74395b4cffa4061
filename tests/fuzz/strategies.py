"""Hypothesis strategies for a command's arguments, generated from the manifest's arg specs: values a
caller might plausibly send (within and just outside the declared bounds, enum members, pattern
matches, the simulator's own example ids) mixed with anything at all, as CLI strings or typed values."""
from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st

_JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
                     lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                     max_leaves=10)


def _typed(spec: dict[str, Any]) -> st.SearchStrategy[Any]:
    kind = spec["type"]
    if "enum" in spec and kind != "array":
        return st.sampled_from(spec["enum"])
    if kind in ("integer", "number"):
        low, high = spec.get("minimum", -(10 ** 6)), spec.get("maximum", 10 ** 6)
        edges = st.sampled_from([low, high, low - 1, high + 1, 0, -1, 2 ** 63])
        inner = st.integers(low, high) if kind == "integer" else st.floats(low, high)
        return edges | inner
    if kind == "boolean":
        return st.sampled_from(["true", "false", "yes", "0", True, False])
    if kind == "array":
        item = st.sampled_from(spec["enum"]) if "enum" in spec else st.text(max_size=12)
        return st.lists(item, max_size=4).map(",".join) | st.lists(item, max_size=4)
    if kind == "json":
        return _JSON.map(json.dumps) | _JSON
    if "pattern" in spec:
        return st.from_regex(spec["pattern"], fullmatch=True)
    if spec["name"] in ("first_fetch", "start_time", "end_time", "triggered_after", "modified_after", "after"):
        return st.sampled_from(["3 days", "1 hour ago", "2024-02-30T00:00:00Z", "1700000000", "99999999999999",
                                "2024-05-01T12:00:00.123456789Z", "0 days", "10000 years"])
    return st.text(max_size=spec.get("maxLength", 40) or 40)


def _anything() -> st.SearchStrategy[Any]:
    return st.text(max_size=60) | st.integers() | st.none() | st.lists(st.text(max_size=5), max_size=3) | _JSON


def arg_values(spec: dict[str, Any], example: Any = None) -> st.SearchStrategy[Any]:
    options = [_typed(spec), _typed(spec).map(str), _anything()]
    if example is not None:
        options.insert(0, st.just(example))
    return st.one_of(*options)


def command_args(command: Any, example: dict[str, Any] | None = None) -> st.SearchStrategy[dict[str, Any]]:
    """Some of the command's arguments (required ones usually present), once in a while an unknown one."""
    example = example or {}
    fields = {}
    for spec in command.args:
        value = arg_values(spec, example.get(spec["name"]))
        present = st.sampled_from([True] * 9 + [False]) if spec.get("required") else st.booleans()
        fields[spec["name"]] = st.tuples(present, value)
    extra = st.sampled_from([{}] * 9 + [{"no_such_argument": "1"}])
    return st.tuples(st.fixed_dictionaries(fields), extra).map(
        lambda pair: {**{k: v for k, (keep, v) in pair[0].items() if keep}, **pair[1]})
