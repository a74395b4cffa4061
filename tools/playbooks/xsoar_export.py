"""A playbook as a Cortex XSOAR playbook (the YAML ``demisto-sdk`` validates), for the XSOAR pack.

XSOAR runs a playbook once per incident, and fetching is XSOAR's own job. So:

- a playbook that starts with ``fetch-incidents`` becomes a per-incident playbook: that step is
  dropped, a ``for_each`` over its outputs runs once, on the incident, and ``item.id`` / ``item.name``
  / ``item.labels.X`` become ``incident.dbotmirrorid`` / ``incident.name`` / the incident's label X
  (what the pack's fetch sets: ``integrations/common/platform/xsoar.py``);
- a step's outputs are read from the context its command writes (the manifest's ``outputs.prefix``);
  a ``for_each`` over a list passes the list to the argument, and XSOAR runs the command once per
  element; ``unique``/``count``/``join``/``first`` become XSOAR transformers;
- an ``if`` becomes a condition task in front of its step (XSOAR's operators); a condition XSOAR cannot
  express (``all`` over a list, functions it has no transformer for) becomes a manual condition task
  that names the check for the analyst — never a silently different automatic one;
- a ``fetch-incidents`` step later in the playbook, and the summary, have no XSOAR equivalent: the first
  becomes a note task, the second the closing task's description.

Everything approximated is listed in the exported playbook's description.
"""
from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from soarpacks.integrations.common.registry import Integration, discover

from .conditions import Condition, Literal
from .model import Playbook, Step, load_playbook
from .refs import Each, Field, Index, Ref, parse_template, render_text

FROM_VERSION = "6.10.0"
_FETCH = "fetch-incidents"
_INCIDENT_FIELDS = {"id": "dbotmirrorid", "name": "name", "severity": "severity", "occurred": "occurred",
                    "url": "details"}
_TRANSFORMERS = {"unique": ("uniq", {}), "count": ("count", {}), "first": ("FirstArrayElement", {}),
                 "join": ("join", {"separator": {"value": {"simple": ", "}}})}
_OPERATORS = {"==": "isEqualString", "!=": "isNotEqualString", ">": "greaterThan", ">=": "greaterThanOrEqual",
              "<": "lessThan", "<=": "lessThanOrEqual", "in": "in", "not in": "notIn", "matches": "match"}
_NUMERIC = {"==": "isEqualNumber", "!=": "isNotEqualNumber"}


class _Unmappable(Exception):
    pass


def export_xsoar_playbook(path: str | Path) -> dict[str, Any]:
    """The XSOAR playbook for the playbook file at ``path`` (a dict, ready to dump as YAML)."""
    return _Exporter(load_playbook(path), discover()).export()


class _Exporter:
    def __init__(self, playbook: Playbook, integrations: dict[str, Integration]) -> None:
        self.playbook = playbook
        self.integrations = integrations
        steps = playbook.steps
        self.fetch = steps[0].id if steps[0].command == _FETCH else None
        self.per_incident: set[str] = set()
        for step in steps[1:] if self.fetch else ():
            if step.for_each is not None and step.for_each.step in {self.fetch, *self.per_incident}:
                self.per_incident.add(step.id)
        self.steps = {step.id: step for step in steps}
        self.tasks: dict[str, dict[str, Any]] = {}
        self.notes: list[str] = []

    # --- references -> XSOAR context ---------------------------------------------------------------
    def _prefix(self, step_id: str) -> str:
        step = self.steps[step_id]
        command = self.integrations[step.integration].manifest.command(step.command)
        prefix = (command.outputs or {}).get("prefix")
        if not prefix:
            raise _Unmappable(f"{step.run} writes no context")
        return prefix

    def _base(self, ref: Ref, step: Step | None) -> tuple[str, list[Any]]:
        """(context root, remaining path) for a reference read in ``step``."""
        if ref.root == "inputs":
            return "inputs", list(ref.path)
        if ref.root == "item":
            if step is None or step.for_each is None:
                raise _Unmappable("item outside for_each")
            source = step.for_each
            if source.step == self.fetch and len(source.path) == 2:
                return "incident", list(ref.path)  # the element is the incident XSOAR runs the playbook on
            root, path = self._base(source, None)
            if source.step in self.per_incident and path and isinstance(path[0], (Each, Index)):
                path = path[1:]  # one incident, one result
            return root, path + list(ref.path)
        source = ref.step or ""
        path = list(ref.path[2:])
        if source == self.fetch:
            if path and isinstance(path[0], (Each, Index)):
                return "incident", path
            raise _Unmappable("the fetched incidents as a whole")
        return self._prefix(source), path

    def _context(self, ref: Ref, step: Step | None) -> str:
        root, path = self._base(ref, step)
        if root == "incident":
            fields = [p.name for p in path if isinstance(p, Field)]
            if path and isinstance(path[0], (Each, Index)):
                path = path[1:]
                fields = [p.name for p in path if isinstance(p, Field)]
            if len(fields) == 1 and fields[0] in _INCIDENT_FIELDS:
                return f"incident.{_INCIDENT_FIELDS[fields[0]]}"
            if len(fields) == 2 and fields[0] == "labels":
                return f"incident.labels(val.type == '{fields[1]}').value"
            raise _Unmappable(f"incident field {'.'.join(fields)} (not in an XSOAR incident without a mapper)")
        # XSOAR context paths reach through lists on their own: [*] and indexes drop out.
        return ".".join([root] + [p.name for p in path if isinstance(p, Field)])

    def _argument(self, value: Any, step: Step) -> dict[str, Any]:
        text = value if isinstance(value, str) else json.dumps(value) if isinstance(value, (list, dict)) else render_text(value)
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            text = ",".join(value)
        template = parse_template(text)
        whole = template.whole
        if whole is not None and whole.root == "item" and not whole.path and step.for_each is not None:
            # ${item} of a for_each over a computed list: pass the list, transformed the same way.
            whole = Ref(step.for_each.text, step.for_each.root, step.for_each.path,
                        step.for_each.functions + whole.functions)
        if whole is not None and whole.functions:
            transformers = []
            for function in whole.functions:
                if function not in _TRANSFORMERS:
                    raise _Unmappable(f"function {function}")
                operator, args = _TRANSFORMERS[function]
                transformers.append({"operator": operator, **({"args": args} if args else {})})
            root, _, accessor = self._context(whole, step).partition(".")
            return {"complex": {"root": root, **({"accessor": accessor} if accessor else {}),
                                "transformers": transformers}}
        out = []
        for part in template.parts:
            if isinstance(part, str):
                out.append(part)
            else:
                if part.functions:
                    # XSOAR renders a list inside text comma-joined: the values are there, uncounted.
                    self.notes.append(f"step {step.id}: {part} shows its values without {' | '.join(part.functions)}")
                out.append("${" + self._context(part, step) + "}")
        return {"simple": "".join(out)}

    # --- tasks -------------------------------------------------------------------------------------
    def _task(self, kind: str, name: str, description: str, **extra: Any) -> str:
        number = str(len(self.tasks))
        task_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"soarpacks:{self.playbook.slug}:{number}"))
        body = {"id": task_id, "version": -1, "name": name, "description": description,
                "iscommand": False, "brand": "", "type": kind}
        body.update(extra.pop("task", {}))
        self.tasks[number] = {"id": number, "taskid": task_id, "type": kind, "task": body,
                              "separatecontext": False, "continueonerrortype": "",
                              "view": json.dumps({"position": {"x": 450, "y": 50 + 180 * int(number)}}),
                              "note": False, "timertriggers": [], "ignoreworker": False,
                              "skipunavailable": False, "quietmode": 0, "isoversize": False,
                              "isautoswitchedtoquietmode": False, **extra}
        return number

    def _command_task(self, step: Step) -> str:
        integration = self.integrations[step.integration]
        brand = integration.manifest.name
        command = integration.manifest.command(step.command)
        arguments = {}
        for name, value in step.args.items():
            try:
                arguments[name] = self._argument(value, step)
            except _Unmappable as exc:
                arguments[name] = {"simple": ""}
                self.notes.append(f"step {step.id}: set {name} by hand ({exc})")
        extra: dict[str, Any] = {"scriptarguments": arguments}
        if step.on_error == "continue":
            extra["continueonerror"] = True
        return self._task("regular", step.name or step.id, " ".join(command.description.split()),
                          task={"script": f"{brand}|||{command.exported_name}", "iscommand": True, "brand": brand},
                          **extra)

    def _condition_task(self, step: Step) -> str:
        what = " and ".join(c.source for c in step.conditions)
        try:
            rows = [[self._filter(condition, step)] for condition in step.conditions]
        except _Unmappable as exc:
            self.notes.append(f"step {step.id}: the analyst decides '{what}' ({exc})")
            return self._task("condition", f"Does {what} hold?", f"Manual check before {step.id}: {what}")
        return self._task("condition", f"If {what}", f"Runs {step.id} only when {what}",
                          conditions=[{"label": "yes", "condition": rows}])

    def _filter(self, condition: Condition, step: Step) -> dict[str, Any]:
        if condition.quantifier == "all":
            raise _Unmappable("XSOAR conditions have no 'all' over a list")
        left = self._operand(condition.left, step)
        if condition.operator is None:
            return {"operator": "isNotEmpty", "left": left}
        right = self._operand(condition.right, step)
        numeric = isinstance(condition.right, Literal) and isinstance(condition.right.value, (int, float))
        operator = (_NUMERIC if numeric else {}).get(condition.operator) or _OPERATORS[condition.operator]
        return {"operator": operator, "left": left, "right": right}

    def _operand(self, operand: Any, step: Step) -> dict[str, Any]:
        if isinstance(operand, Ref):
            if operand.functions:
                raise _Unmappable(f"function {operand.functions[0]} in a condition")
            return {"value": {"simple": self._context(operand, step)}, "iscontext": True}
        value = operand.value
        text = ",".join(map(render_text, value)) if isinstance(value, list) else render_text(value)
        return {"value": {"simple": text}}

    # --- the playbook --------------------------------------------------------------------------------
    def export(self) -> dict[str, Any]:
        start = self._task("start", "", "")
        chain: list[tuple[str, str]] = []  # (task, the label that continues from it)
        pending = [(start, "#none#")]
        for step in self.playbook.steps:
            if step.id == self.fetch:
                continue
            if step.command == _FETCH:
                task = self._task("regular", step.name or step.id,
                                  f"In XSOAR, {step.integration} incidents arrive through the integration's fetch, "
                                  f"not from a playbook task: this is where the soarpacks playbook fetched them.")
                self.notes.append(f"step {step.id}: fetch-incidents is XSOAR's job (a note task stands in)")
                self._link(pending, task)
                pending = [(task, "#none#")]
                continue
            condition = self._condition_task(step) if step.conditions else None
            if condition is not None:
                self._link(pending, condition)
            task = self._command_task(step)
            if condition is not None:
                self._link([(condition, "yes")], task)
                pending = [(task, "#none#"), (condition, "#default#")]
            else:
                self._link(pending, task)
                pending = [(task, "#none#")]
        summary = "; ".join(f"{label}: {t.source}" for label, t in self.playbook.summary.items())
        done = self._task("title", "Done", f"soarpacks summary: {summary}" if summary else "Done")
        self._link(pending, done)
        del chain
        description = " ".join(self.playbook.description.split()) or self.playbook.name
        if self.fetch:
            description += " Runs on each incident the integration fetches."
        if self.notes:
            description += " Exported by soarpacks with these approximations: " + "; ".join(self.notes) + "."
        return {
            "id": f"soarpacks-{self.playbook.slug}", "version": -1, "name": self.playbook.name,
            "description": description, "starttaskid": start, "tasks": self.tasks,
            "view": json.dumps({"linkLabelsPosition": {}, "paper": {"dimensions": {
                "height": 250 + 180 * len(self.tasks), "width": 380, "x": 450, "y": 50}}}),
            "inputs": [self._input(spec) for spec in self.playbook.inputs],
            "outputs": [], "tests": ["No tests"], "fromversion": FROM_VERSION,
        }

    def _link(self, sources: list[tuple[str, str]], target: str) -> None:
        for source, label in sources:
            self.tasks[source].setdefault("nexttasks", {}).setdefault(label, []).append(target)

    @staticmethod
    def _input(spec: dict[str, Any]) -> dict[str, Any]:
        default = spec.get("default")
        if isinstance(default, list):
            default = ",".join(map(str, default))
        return {"key": spec["name"], "value": {"simple": "" if default is None else render_text(default)},
                "required": bool(spec.get("required")), "description": spec.get("description", spec["name"]),
                "playbookInputQuery": None}
