"""Splunk SOAR custom views: what an action's widget shows when a table is not enough.

Splunk SOAR renders a custom view by calling the app's ``display_view(provides, all_app_runs, context)``
(``provides`` is the action's name, ``all_app_runs`` a list of ``(summary, [ActionResult, ...])``), which
fills ``context`` and returns the name of a Django template shipped in the app folder. Django escapes every
variable by default; the templates never mark vendor text safe, because it is attacker-controlled (an Alert
Logic event's payload is the attacker's request).

Standard library only: SOAR imports this in its web process, not in the action's environment.
"""
from __future__ import annotations

from typing import Any, Iterable


def results(provides: str, all_app_runs: Iterable[tuple[Any, Iterable[Any]]]) -> list[dict[str, Any]]:
    """Each action result as plain data for a template: its parameters, data items, summary and message."""
    found = []
    for _summary, action_results in all_app_runs:
        for result in action_results:
            found.append({"action": provides, "param": result.get_param() or {}, "data": result.get_data() or [],
                          "summary": result.get_summary() or {}, "message": result.get_message() or ""})
    return found


def display(provides: str, all_app_runs: Iterable[tuple[Any, Iterable[Any]]], context: dict[str, Any], *,
            template: str) -> str:
    context["results"] = results(provides, all_app_runs)
    return template
