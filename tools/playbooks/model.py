"""Playbook files: YAML (safe loading) validated against ``schemas/playbook.schema.json``, into
plain dataclasses with their references and conditions already parsed."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from soarpacks.integrations.common import errors
from soarpacks.integrations.common.manifest import SCHEMAS_DIR, load_json_schema

from .conditions import Condition, parse_conditions
from .refs import Ref, Template, parse_ref, parse_template, templates_in

PLAYBOOK_SCHEMA = SCHEMAS_DIR / "playbook.schema.json"


@dataclass(frozen=True)
class Step:
    id: str
    integration: str
    command: str
    name: str = ""
    args: dict[str, Any] = field(default_factory=dict)
    for_each: Ref | None = None
    conditions: tuple[Condition, ...] = ()
    on_error: str = "stop"
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def run(self) -> str:
        return f"{self.integration}.{self.command}"


@dataclass(frozen=True)
class Playbook:
    path: Path
    name: str
    description: str
    inputs: tuple[dict[str, Any], ...]
    steps: tuple[Step, ...]
    summary: dict[str, Template]
    simulate_inputs: dict[str, Any] = field(default_factory=dict)

    @property
    def integrations(self) -> list[str]:
        return list(dict.fromkeys(step.integration for step in self.steps))

    @property
    def slug(self) -> str:
        return self.path.stem


class PlaybookError(errors.InputError):
    """A playbook that cannot run as written: one line naming the file, the place and the problem."""


def load_playbook(path: str | Path) -> Playbook:
    """Parse and validate the file's shape (not yet its references: see ``check.check_playbook``)."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PlaybookError(f"cannot read playbook {path}: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark else ""
        raise PlaybookError(f"{path}{where}: not valid YAML: {getattr(exc, 'problem', None) or exc}") from None
    try:
        jsonschema.validate(data, load_json_schema(str(PLAYBOOK_SCHEMA)))
    except jsonschema.ValidationError as exc:
        raise PlaybookError(f"{path}: {_where(data, exc)}: {_message(exc)}") from None
    steps = []
    for raw in data["steps"]:
        integration, _, command = raw["run"].partition(".")
        where = f"{path}: step {raw['id']!r}"
        try:
            for_each = parse_ref(raw["for_each"].strip()[2:-1]) if "for_each" in raw else None
            conditions = tuple(parse_conditions(raw["if"])) if "if" in raw else ()
            list(templates_in(raw.get("args") or {}))  # parsed now, so a malformed ${ names its step
        except errors.InputError as exc:
            raise PlaybookError(f"{where}: {exc}") from None
        steps.append(Step(id=raw["id"], integration=integration, command=command, name=raw.get("name", ""),
                          args=dict(raw.get("args") or {}), for_each=for_each, conditions=conditions,
                          on_error=raw.get("on_error", "stop"), raw=raw))
    summary = {}
    for label, value in (data.get("summary") or {}).items():
        try:
            summary[str(label)] = parse_template(value if isinstance(value, str) else str(value))
        except errors.InputError as exc:
            raise PlaybookError(f"{path}: summary {label!r}: {exc}") from None
    return Playbook(path=path, name=data["name"], description=data.get("description", "").strip(),
                    inputs=tuple(data.get("inputs") or ()), steps=tuple(steps), summary=summary,
                    simulate_inputs=dict((data.get("simulate") or {}).get("inputs") or {}))


def _where(data: Any, exc: jsonschema.ValidationError) -> str:
    parts = list(exc.absolute_path)
    if len(parts) >= 2 and parts[0] == "steps" and isinstance(parts[1], int):
        step = data["steps"][parts[1]]
        label = f"step {step.get('id')!r}" if isinstance(step, dict) and "id" in step else f"step {parts[1] + 1}"
        rest = "/".join(str(p) for p in parts[2:])
        return f"{label}{' ' + rest if rest else ''}"
    return "/".join(str(p) for p in parts) or "(top)"


def _message(exc: jsonschema.ValidationError) -> str:
    if exc.validator == "additionalProperties":
        return exc.message.replace("Additional properties are not allowed", "unknown key")
    if exc.validator == "pattern" and exc.schema.get("pattern", "").startswith("^\\s*\\$\\{"):
        return f"{exc.instance!r} must be one reference, e.g. ${{steps.fetch.outputs}}"
    if exc.validator == "pattern" and "\\." in exc.schema.get("pattern", ""):
        return f"{exc.instance!r} must be <integration>.<command>, e.g. cisco_gta.get-event"
    return exc.message[:200]
