"""What the platform adapters share: the instance settings each platform holds for a fetch, and how a
platform's settings map back to the manifest's params and fetch-incidents arguments.

A SOAR platform starts a fetch on its own schedule with no arguments, so fetch-incidents' arguments
become instance settings. They keep their names unless a param has the same name; then they are
prefixed ``fetch_`` (the builders and the adapters both use ``fetch_setting_name``).
"""
from __future__ import annotations

from typing import Any, Mapping

FETCH = "fetch-incidents"
TEST = "test-module"
# Splunk SOAR's action identifiers for the two generic commands; others are the name with underscores.
TEST_ACTION, POLL_ACTION = "test_connectivity", "on_poll"


def fetch_setting_name(manifest: Any, arg_name: str) -> str:
    taken = {p.name for p in manifest.params}
    return f"fetch_{arg_name}" if arg_name in taken else arg_name


def fetch_args_spec(manifest: Any) -> tuple[Any, ...]:
    """fetch-incidents' arguments (``manifest.Arg``), when the integration fetches."""
    command = manifest.commands.get(FETCH)
    return command.args if command is not None and command.supported else ()


def _unwrap(value: Any) -> Any:
    # Credential-typed settings arrive as {"identifier": ..., "password": ...}.
    if isinstance(value, Mapping) and "password" in value:
        return value.get("password")
    return value


def instance_params(manifest: Any, settings: Mapping[str, Any]) -> dict[str, Any]:
    """The manifest's params out of a platform's instance settings (which hold more than those)."""
    values = {}
    for spec in manifest.params:
        value = _unwrap(settings.get(spec.name))
        if value not in (None, ""):
            values[spec.name] = value
    return values


def fetch_args(manifest: Any, settings: Mapping[str, Any]) -> dict[str, Any]:
    values = {}
    for spec in fetch_args_spec(manifest):
        value = _unwrap(settings.get(fetch_setting_name(manifest, spec.name)))
        if value not in (None, ""):
            values[spec.name] = value
    return values


def error_line(exc: BaseException) -> str:
    """One redacted line, the same words the CLI prints."""
    from .. import errors
    from ..redaction import REDACTOR
    if isinstance(exc, errors.SoarpacksError):
        return REDACTOR(f"{exc.kind} error: {exc.message}")
    return REDACTOR(f"bug in soarpacks, please report: {type(exc).__name__}: {exc}")
