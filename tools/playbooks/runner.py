"""Running a checked playbook, step by step, against one instance per integration, printing one line
per step as it finishes and a summary at the end. Steps run in order and one call at a time: a
playbook's writes (open, close, label) happen in the order the file states them."""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, TextIO

from soarpacks.integrations.common import errors
from soarpacks.integrations.common.arguments import coerce_values
from soarpacks.integrations.common.results import markdown_table

from .conditions import holds
from .model import Playbook, Step
from .refs import Scope, render_text, render_value, resolve

FETCH = "fetch-incidents"


@dataclass
class StepOutcome:
    step: Step
    outputs: Any = None
    calls: int = 0
    items: int | None = None  # with for_each: how many elements there were
    skipped: bool = False
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def result(self) -> str:
        if self.skipped:
            return "skipped (if did not hold)"
        failed = f", {len(self.failures)} failed" if self.failures else ""
        if self.items is not None:
            if self.items == 0:
                return "no items"
            if self.step.conditions:
                return f"{self.calls} of {self.items} items{failed}"
            return f"{self.calls} items{failed}"
        if self.failures:
            return "failed"
        if self.step.command == FETCH:
            return f"{len(self.outputs or [])} incidents"
        if isinstance(self.outputs, list):
            return f"{len(self.outputs)} results"
        return "ok"

    def as_json(self) -> dict[str, Any]:
        return {"id": self.step.id, "run": self.step.run, "calls": self.calls, "items": self.items,
                "skipped": self.skipped, "failures": self.failures, "result": self.result(),
                "seconds": round(self.seconds, 3)}


@dataclass
class RunResult:
    playbook: Playbook
    steps: list[StepOutcome]
    summary: dict[str, Any]
    seconds: float

    @property
    def calls(self) -> int:
        return sum(outcome.calls for outcome in self.steps)

    @property
    def failures(self) -> int:
        return sum(len(outcome.failures) for outcome in self.steps)

    def summary_table(self) -> str:
        rows = [{"summary": label, "value": render_text(value)} for label, value in self.summary.items()]
        return markdown_table(rows, columns=["summary", "value"])

    def as_json(self) -> dict[str, Any]:
        return {"playbook": self.playbook.name, "file": str(self.playbook.path), "calls": self.calls,
                "failures": self.failures, "seconds": round(self.seconds, 3),
                "steps": [outcome.as_json() for outcome in self.steps], "summary": self.summary}


def resolve_inputs(playbook: Playbook, given: Mapping[str, str], *, simulate: bool = False,
                   cwd: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """``--input`` values (and with ``--simulate`` the playbook's simulate inputs) typed and validated
    against the declared inputs, defaults filled in; ``path`` inputs made absolute."""
    values: dict[str, Any] = dict(playbook.simulate_inputs) if simulate else {}
    values.update(given)
    specs = tuple(playbook.inputs)
    typed = coerce_values(specs, values, what=f"playbook {playbook.slug} input")
    for spec in specs:
        name = spec["name"]
        if spec.get("path") and isinstance(typed.get(name), str) and typed[name]:
            # A default ships next to the playbook; a value someone typed is relative to where they are.
            base = Path(cwd or os.getcwd()) if name in given else playbook.path.parent
            typed[name] = str((base / typed[name]).resolve())
    return typed


def run_playbook(playbook: Playbook, instances: Mapping[str, Any], inputs: Mapping[str, Any], *,
                 out: TextIO | None = None) -> RunResult:
    """Run every step; ``instances`` maps each integration id the playbook uses to an ``Instance``."""
    started = time.perf_counter()
    scope = Scope(inputs=dict(inputs), steps={})
    outcomes = []
    for number, step in enumerate(playbook.steps, 1):
        outcome = _run_step(step, instances[step.integration], scope)
        scope.steps[step.id] = outcome.outputs
        outcomes.append(outcome)
        if out is not None:
            print(format_step_line(number, outcome), file=out, flush=True)
    summary = {label: template.render(Scope(inputs=scope.inputs, steps=scope.steps))
               for label, template in playbook.summary.items()}
    return RunResult(playbook, outcomes, summary, time.perf_counter() - started)


def format_step_line(number: int, outcome: StepOutcome) -> str:
    run = outcome.step.run + (" (each)" if outcome.items is not None else "")
    line = f"{number:>3}. {outcome.step.id:<18} {run:<46} {outcome.result():<28} {outcome.seconds:6.2f}s"
    for failure in outcome.failures[:3]:
        line += f"\n       failed: {failure}"
    if len(outcome.failures) > 3:
        line += f"\n       ... and {len(outcome.failures) - 3} more"
    return line


def _run_step(step: Step, instance: Any, scope: Scope) -> StepOutcome:
    started = time.perf_counter()
    outcome = StepOutcome(step)
    specs = {spec["name"]: spec for spec in instance.integration.manifest.command(step.command).args}
    if step.for_each is None:
        if step.conditions and not holds(list(step.conditions), scope):
            outcome.skipped = True
        else:
            outcome.outputs = _call(step, instance, scope, specs, outcome, label=None)
    else:
        elements = resolve(step.for_each, scope)
        elements = elements if isinstance(elements, list) else [] if elements is None else [elements]
        outcome.items = len(elements)
        outcome.outputs = []
        for position, element in enumerate(elements):
            item_scope = Scope(inputs=scope.inputs, steps=scope.steps, item=element)
            if step.conditions and not holds(list(step.conditions), item_scope):
                continue
            label = f"item {position + 1} of {len(elements)}"
            result = _call(step, instance, item_scope, specs, outcome, label=label)
            if result is not _FAILED:
                outcome.outputs.append(result)
    if outcome.outputs is _FAILED:
        outcome.outputs = None
    outcome.seconds = time.perf_counter() - started
    return outcome


_FAILED = object()


def _call(step: Step, instance: Any, scope: Scope, specs: dict[str, dict[str, Any]], outcome: StepOutcome,
          *, label: str | None) -> Any:
    outcome.calls += 1
    try:
        args = {}
        for name, value in step.args.items():
            fitted = _fit(render_value(value, scope), specs[name])
            if fitted is not None:
                args[name] = fitted
        if step.command == FETCH:
            return instance.fetch_all(args)
        return instance.run(step.command, args).outputs
    except errors.SoarpacksError as exc:
        where = f"step {step.id!r}" + (f" ({label})" if label else "")
        if step.on_error == "continue":
            outcome.failures.append(f"{label or 'call'}: {exc.kind}: {exc.message}")
            return _FAILED
        # Same kind, same exit code; the message says which step and item failed.
        raise type(exc)(f"{where}: {step.run}: {exc.message}", status=exc.status) from exc


def _fit(value: Any, spec: dict[str, Any]) -> Any:
    """A referenced value into the argument's type where the conversion is obvious and lossless."""
    kind = spec["type"]
    if value is None or (value == [] and kind != "array"):
        return None
    if kind == "string" and not isinstance(value, str) and not isinstance(value, (list, dict)):
        return render_text(value)
    if kind == "array" and not isinstance(value, (list, str)):
        return [value]
    if kind == "array" and isinstance(value, list):
        return [element for element in value if element is not None]
    return value
