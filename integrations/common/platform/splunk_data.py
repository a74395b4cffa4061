"""Action data as Splunk SOAR can address it: every value reachable by a declared data path.

A map keyed by data values (Alert Logic's ``unique_hosts``: host -> event ids) has no data path for its
entries, so it is handed over as a list, one entry per key: ``{key, count, values}`` for a list (count =
its length), ``{key, count}`` for a number, ``{key, count, items}`` for a map of maps (count = the sum of its
items' counts) and ``{key, value}`` for anything else. Which fields are maps comes from the command's output
schema (``fields.Field.map_of``), the same place the app JSON's data paths come from.
"""
from __future__ import annotations

import copy
from typing import Any

from .fields import ARRAY, command_fields

_MAPS: dict[tuple[str, str], tuple[tuple[tuple[str, ...], str], ...]] = {}


def _maps(manifest: Any, command: Any) -> tuple[tuple[tuple[str, ...], str], ...]:
    key = (manifest.id, command.name)
    if key not in _MAPS:
        _MAPS[key] = tuple((f.path, f.map_of) for f in command_fields(manifest, command) if f.map_of)
    return _MAPS[key]


def entries(value: dict[str, Any], map_of: str) -> list[dict[str, Any]]:
    kind, _, inner = map_of.partition("/")
    out: list[dict[str, Any]] = []
    for key, item in value.items():
        if kind == "map" and isinstance(item, dict):
            items = entries(item, inner)
            out.append({"key": key, "count": sum(int(i.get("count") or 0) for i in items), "items": items})
        elif kind == "array" and isinstance(item, list):
            out.append({"key": key, "count": len(item), "values": item})
        elif kind == "number" and isinstance(item, (int, float)) and not isinstance(item, bool):
            out.append({"key": key, "count": item})
        else:
            out.append({"key": key, "value": item})
    return out


def _convert(node: Any, path: tuple[str, ...], map_of: str) -> None:
    if not path:
        return
    head, rest = path[0], path[1:]
    if head == ARRAY:
        for item in node if isinstance(node, list) else []:
            _convert(item, rest, map_of)
        return
    if not isinstance(node, dict) or head not in node:
        return
    if rest:
        _convert(node[head], rest, map_of)
    elif isinstance(node[head], dict):
        node[head] = entries(node[head], map_of)


def splunk_items(manifest: Any, command: Any, outputs: Any) -> list[Any]:
    """The command's outputs as a list of action data items, maps turned into lists."""
    items = outputs if isinstance(outputs, list) else [outputs]
    maps = _maps(manifest, command)
    if not maps:
        return items
    items = copy.deepcopy(items)
    for item in items:
        for path, map_of in maps:
            _convert(item, path, map_of)
    return items
