"""The app JSON's actions: names, parameters and output data paths, as Splunk's connector review wants them.

- Action names are the platform name without the vendor ("list alerts"), identifiers the same with ``_``.
- Descriptions are one sentence without a trailing period.
- Parameters and outputs carry ``contains`` (what the value is, so SOAR offers actions on it) and
  ``example_values``: the schema's examples or enum, else the values recorded from the simulator
  (``splunk_examples``).
- Each table has columns numbered from 0 without gaps: the manifest's, else the first plain fields, else
  (an action that returns no fields) its parameters.
- Output data paths are exactly the paths the connector writes: the schema's fields, with maps keyed by data
  values declared as the lists the connector turns them into (``splunk_data``); ``action_result.summary``
  as its ``total_objects`` key.
"""
from __future__ import annotations

import json
from typing import Any

from soarpacks.integrations.common.manifest import Command, Manifest
from soarpacks.integrations.common.platform.common import FETCH, POLL_ACTION, TEST, TEST_ACTION
from soarpacks.integrations.common.platform.fields import ARRAY, Field, command_fields
from soarpacks.tools.packaging import view
from soarpacks.integrations.common.platform.splunk_names import (
    action_identifier,
    action_name,
    arg_contains,
    field_contains,
    snake,
)

DATA_TYPES = {"string": "string", "number": "numeric", "integer": "numeric", "boolean": "boolean", "date": "string"}
MAX_AUTO_COLUMNS = 6   # a table for a command whose manifest names no columns
EXAMPLES_FILE = "output_examples.json"   # in the integration's folder; written by splunk_examples


def sentence(text: str) -> str:
    text = " ".join(text.split()).rstrip(".")
    return text[:1].upper() + text[1:]


def action_parameters(manifest: Manifest, command: Command) -> dict[str, Any]:
    parameters = {}
    for order, spec in enumerate(command.args):
        contains = arg_contains(manifest, spec.name)
        entry: dict[str, Any] = {"description": sentence(spec.description or spec.name.replace("_", " ")),
                                 "data_type": DATA_TYPES.get(spec.type, "string"),
                                 "required": spec.required, "primary": bool(contains), "order": order}
        if contains:
            entry["contains"] = contains
        if spec.enum is not None and spec.type != "array":
            entry["value_list"] = view.options(spec)
        if view.default_of(spec) is not None:
            entry["default"] = view.typed_default(spec.default)
        if spec.type == "array":
            entry["allow_list"] = True
        parameters[spec.name] = entry
    return parameters


def _entity(command: Command) -> str:
    prefix = str((command.outputs or {}).get("prefix") or "")
    return snake(prefix.rsplit(".", 1)[-1]).replace("_", " ") if prefix else ""


def _map_paths(path: tuple[str, ...], map_of: str) -> list[tuple[tuple[str, ...], str]]:
    """The data paths of a map handed over as a list of entries (see ``splunk_data.entries``)."""
    kind, _, inner = map_of.partition("/")
    each = path + (ARRAY,)
    if kind == "map":
        return [(each + ("key",), "string"), (each + ("count",), "number")] + _map_paths(each + ("items",), inner)
    if kind == "array":
        return [(each + ("key",), "string"), (each + ("count",), "number"), (each + ("values", ARRAY), "string")]
    if kind == "number":
        return [(each + ("key",), "string"), (each + ("count",), "number")]
    return [(each + ("key",), "string"), (each + ("value",), "string")]


def data_fields(manifest: Manifest, command: Command) -> list[Field]:
    """One item's fields as the connector writes them."""
    fields: list[Field] = []
    for field in command_fields(manifest, command):
        if field.map_of:
            fields += [Field(p, t, field.description) for p, t in _map_paths(field.path, field.map_of)]  # maps may be {}
        else:
            fields.append(field)
    return fields


def _columns(command: Command, fields: list[Field]) -> dict[str, int]:
    paths = {".".join(f.path): ".".join(f.path) for f in fields}
    paths.update({".".join(f.path[:-1]): ".".join(f.path) for f in fields if f.path[-1:] == (ARRAY,)})
    wanted = list((command.outputs or {}).get("columns") or [])
    if not wanted:   # a table with nothing in it shows nothing: take the first plain fields
        wanted = [".".join(f.path) for f in fields if len(f.path) == 1 and f.type in DATA_TYPES][:MAX_AUTO_COLUMNS]
    found = [paths[c] for c in wanted if c in paths]
    return {path: order for order, path in enumerate(dict.fromkeys(found))}


def _output(path: str, data_type: str, **more: Any) -> dict[str, Any]:
    return {"data_path": path, "data_type": data_type, **{k: v for k, v in more.items() if v not in (None, "", [])}}


def recorded_examples(manifest: Manifest, command: Command) -> dict[str, list[Any]]:
    """Sample values of the command's data paths, recorded from the simulator (``splunk_examples``)."""
    path = manifest.folder / EXAMPLES_FILE
    if not path.is_file():
        return {}
    return json.loads(path.read_text(encoding="utf-8")).get(command.name, {})


def _parameter_outputs(parameters: dict[str, Any], as_columns: bool) -> list[dict[str, Any]]:
    outputs = []
    for order, (name, spec) in enumerate(parameters.items()):
        examples = spec.get("value_list", [])[:3] or ([spec["default"]] if "default" in spec else [])
        column = {"column_name": sentence(name.replace("_", " ")).title(), "column_order": order} if as_columns else {}
        outputs.append(_output(f"action_result.parameter.{name}", spec["data_type"], contains=spec.get("contains"),
                               example_values=examples, **column))
    return outputs


def action_outputs(manifest: Manifest, command: Command, parameters: dict[str, Any]) -> list[dict[str, Any]]:
    """The action's data paths. Its table shows the manifest's columns (else the first plain fields); an
    action that returns no fields shows its parameters, so that no table is empty."""
    fields = data_fields(manifest, command)
    columns = _columns(command, fields)
    outputs = [_output("action_result.status", "string", example_values=["success", "failed"])]
    outputs += _parameter_outputs(parameters, as_columns=not columns)
    entity = _entity(command)
    recorded = recorded_examples(manifest, command)
    for field in fields:
        path = ".".join(field.path)
        extra: dict[str, Any] = {"contains": field_contains(manifest, entity, field.path),
                                 "example_values": list(field.examples) or recorded.get(path, [])}
        if path in columns:
            label = [p for p in field.path if p != ARRAY][-1]
            extra.update(column_name=label.replace("_", " ").title(), column_order=columns[path])
        outputs.append(_output(f"action_result.data.*.{path}", DATA_TYPES.get(field.type, "string"), **extra))
    outputs += [_output("action_result.summary.total_objects", "numeric", example_values=[1]),
                _output("action_result.message", "string", example_values=["1 item(s)"]),
                _output("summary.total_objects", "numeric", example_values=[1]),
                _output("summary.total_objects_successful", "numeric", example_values=[1])]
    return outputs


POLL_PARAMETERS = {
    "container_id": {"data_type": "string", "order": 0, "description": "Parameter ignored for this app"},
    "start_time": {"data_type": "numeric", "order": 1, "description": "Parameter ignored for this app"},
    "end_time": {"data_type": "numeric", "order": 2, "description": "Parameter ignored for this app"},
    "container_count": {"data_type": "numeric", "order": 3,
                        "description": "Maximum number of incidents to ingest (poll now)"},
    "artifact_count": {"data_type": "numeric", "order": 4, "description": "Parameter ignored for this app"},
}


def action(manifest: Manifest, command: Command) -> dict[str, Any]:
    if command.name == TEST:
        return {"action": "test connectivity", "identifier": TEST_ACTION,
                "description": "Validate the asset configuration for connectivity using supplied configuration",
                "type": "test", "read_only": True, "parameters": {}, "output": [], "versions": "EQ(*)"}
    if command.name == FETCH:
        return {"action": "on poll", "identifier": POLL_ACTION, "description": sentence(command.description),
                "type": "ingest", "read_only": True, "parameters": POLL_PARAMETERS, "output": [], "versions": "EQ(*)"}
    parameters = action_parameters(manifest, command)
    name = action_name(manifest, command)
    return {"action": name, "identifier": action_identifier(manifest, command),
            "description": sentence(command.description), "verbose": "",
            "type": "correct" if command.effect == "write" else "investigate",
            "read_only": command.effect != "write", "parameters": parameters,
            "output": action_outputs(manifest, command, parameters),
            "render": {"type": "table", "width": 12, "height": 5, "title": name.title()}, "versions": "EQ(*)"}
