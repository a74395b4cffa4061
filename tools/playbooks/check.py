"""Everything about a playbook that can be wrong is found here, before any step runs: integrations,
commands (and whether the vendor supports them), argument names, required arguments, literal values
(coerced exactly as a command line's would be), and every reference — its root, the step it reads
(which must run earlier), and its path through that command's output schema."""
from __future__ import annotations

from typing import Any

from soarpacks.integrations.common import errors
from soarpacks.integrations.common.arguments import coerce_values
from soarpacks.integrations.common.manifest import Command
from soarpacks.integrations.common.registry import Integration, discover

from .conditions import Condition
from .model import Playbook, PlaybookError, Step
from .refs import Ref, templates_in
from .shapes import Shape, ShapeError, command_shape, input_shape, ref_shape

# Which value shapes an argument of each manifest type accepts (the runner converts between them).
_ACCEPTS = {
    "string": {"string", "integer", "number", "boolean", "null"},
    "integer": {"integer", "number", "string", "null"},
    "number": {"integer", "number", "string", "null"},
    "boolean": {"boolean", "string", "null"},
    "array": {"array", "string", "integer", "number", "null"},
}


def check_playbook(playbook: Playbook, integrations: dict[str, Integration] | None = None) -> dict[str, Shape]:
    """Raise ``PlaybookError`` (one line) at the first problem; return each step's output shape."""
    integrations = discover() if integrations is None else integrations
    inputs = {spec["name"]: spec for spec in playbook.inputs}
    _check_inputs(playbook, inputs)
    shapes: dict[str, Shape] = {}
    later = {step.id for step in playbook.steps}
    for step in playbook.steps:
        where = f"{playbook.path}: step {step.id!r}"
        if step.id in shapes:
            raise PlaybookError(f"{where}: the id is used by an earlier step too")
        later.discard(step.id)
        command = _command(step, integrations, where)
        checker = _RefChecker(inputs, shapes, later, where)
        item = None
        if step.for_each is not None:
            source = checker.shape(step.for_each, "for_each", item=None)
            try:
                item = source.element()
            except ShapeError:
                raise PlaybookError(f"{where}: for_each {step.for_each} is {source.describe()}, not a list") from None
        for condition in step.conditions:
            _check_condition(condition, checker, item, where)
        _check_args(step, command, checker, item, where)
        output = command_shape(integrations[step.integration].manifest, command)
        shapes[step.id] = Shape.array_of(output) if step.for_each is not None else output
    checker = _RefChecker(inputs, shapes, set(), f"{playbook.path}: summary")
    for label, template in playbook.summary.items():
        for ref in template.refs:
            checker.shape(ref, repr(label), item=None)
    return shapes


def _check_inputs(playbook: Playbook, inputs: dict[str, dict[str, Any]]) -> None:
    if len(inputs) != len(playbook.inputs):
        raise PlaybookError(f"{playbook.path}: inputs: a name is declared twice")
    defaults = {name: spec["default"] for name, spec in inputs.items() if "default" in spec}
    try:
        coerce_values(tuple({k: v for k, v in spec.items() if k != "required"} for spec in inputs.values()),
                      defaults, what="input default")
    except errors.InputError as exc:
        raise PlaybookError(f"{playbook.path}: {exc}") from None
    unknown = sorted(set(playbook.simulate_inputs) - set(inputs))
    if unknown:
        raise PlaybookError(f"{playbook.path}: simulate.inputs: {unknown[0]!r} is not a declared input")


def _command(step: Step, integrations: dict[str, Integration], where: str) -> Command:
    integration = integrations.get(step.integration)
    if integration is None:
        known = ", ".join(sorted(integrations)) or "none"
        raise PlaybookError(f"{where}: no integration {step.integration!r} (installed: {known})")
    manifest = integration.manifest
    command = manifest.commands.get(step.command)
    if command is None:
        raise PlaybookError(f"{where}: {manifest.id} has no command {step.command!r} "
                            f"(commands: {', '.join(sorted(manifest.commands))})")
    if not command.supported:
        raise PlaybookError(f"{where}: {step.run} is not supported by {manifest.vendor} {manifest.name}: "
                            f"{command.unsupported_reason}")
    return command


class _RefChecker:
    def __init__(self, inputs: dict[str, dict[str, Any]], steps: dict[str, Shape], later: set[str], where: str):
        self.inputs, self.steps, self.later, self.where = inputs, steps, later, where

    def shape(self, ref: Ref, place: str, *, item: Shape | None) -> Shape:
        try:
            return self._shape(ref, item)
        except (ShapeError, errors.InputError) as exc:
            raise PlaybookError(f"{self.where}: {place}: {ref}: {exc}") from None

    def _shape(self, ref: Ref, item: Shape | None) -> Shape:
        if ref.root == "item":
            if item is None:
                raise ShapeError("${item} is only defined in a step with for_each")
            return ref_shape(ref, item)
        name = ref.path[0].name  # type: ignore[union-attr]
        if ref.root == "inputs":
            if name not in self.inputs:
                known = ", ".join(self.inputs) or "none"
                raise ShapeError(f"no input {name!r} (inputs: {known})")
            return ref_shape(ref.__class__(ref.text, ref.root, ref.path[1:], ref.functions),
                             input_shape(self.inputs[name]))
        if name not in self.steps:
            if name in self.later:
                raise ShapeError(f"step {name!r} runs later; a step reads only the steps before it")
            known = ", ".join(self.steps) or "none before this one"
            raise ShapeError(f"no step {name!r} (steps: {known})")
        return ref_shape(ref.__class__(ref.text, ref.root, ref.path[2:], ref.functions), self.steps[name])


def _check_condition(condition: Condition, checker: _RefChecker, item: Shape | None, where: str) -> None:
    shapes = [checker.shape(ref, f"if {condition.source!r}", item=item) for ref in condition.refs]
    if condition.quantifier and isinstance(condition.left, Ref) and not shapes[0].may_be("array"):
        raise PlaybookError(f"{where}: if {condition.source!r}: {condition.quantifier} needs a list, "
                            f"and {condition.left} is {shapes[0].describe()}")


def _check_args(step: Step, command: Command, checker: _RefChecker, item: Shape | None, where: str) -> None:
    specs = {spec["name"]: spec for spec in command.args}
    unknown = sorted(set(step.args) - set(specs))
    if unknown:
        raise PlaybookError(f"{where}: {step.run} has no argument {unknown[0]!r} "
                            f"(accepted: {', '.join(specs) or 'none'})")
    missing = [name for name, spec in specs.items() if spec.get("required") and step.args.get(name) in (None, "")]
    if missing:
        raise PlaybookError(f"{where}: {step.run} needs {missing[0]}")
    literal: dict[str, Any] = {}
    for name, value in step.args.items():
        templates = list(templates_in(value))
        refs = [ref for template in templates for ref in template.refs]
        if not refs:
            literal[name] = _unescape(value)
            continue
        whole = templates[0].whole if isinstance(value, str) else None
        for ref in refs:
            shape = checker.shape(ref, f"args.{name}", item=item)
            if whole is not None:
                _check_fits(shape, specs[name], ref, where)
    if literal:
        present = tuple(spec for spec in command.args if spec["name"] in literal)
        try:
            coerce_values(present, literal, what=f"{step.run}")
        except errors.InputError as exc:
            raise PlaybookError(f"{where}: {exc}") from None


def _check_fits(shape: Shape, spec: dict[str, Any], ref: Ref, where: str) -> None:
    types = shape.types()
    accepts = _ACCEPTS.get(spec["type"])
    if types is None or accepts is None or types & accepts:
        return
    hint = " (use for_each to run once per element)" if types & {"array"} else ""
    raise PlaybookError(f"{where}: args.{spec['name']}: {ref} is {shape.describe()}, and {spec['name']} "
                        f"takes {'a list' if spec['type'] == 'array' else 'a ' + spec['type']}{hint}")


def _unescape(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("$${", "${")
    if isinstance(value, list):
        return [_unescape(v) for v in value]
    if isinstance(value, dict):
        return {k: _unescape(v) for k, v in value.items()}
    return value

