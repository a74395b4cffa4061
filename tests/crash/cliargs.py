"""Arguments as the CLI takes them: ``key=value`` strings, the way a war-room command is typed."""
from __future__ import annotations

import json
from typing import Any


def as_cli_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ",".join(as_cli_value(item) for item in value)
    if isinstance(value, dict):
        return json.dumps(value)
    return str(value)


def as_cli_args(args: dict[str, Any]) -> list[str]:
    return [f"{key}={as_cli_value(value)}" for key, value in args.items()]
