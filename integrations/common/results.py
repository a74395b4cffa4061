"""What handlers return. The context prefix, key and table columns come from the manifest, not from code."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Iterable


@dataclass
class CommandResult:
    """Structured ``outputs`` (validated against the command's output schema), the vendor's ``raw``
    answer, and optionally a hand-made ``readable`` markdown (otherwise a table is made from outputs)."""

    outputs: Any
    raw: Any = None
    readable: str | None = None
    title: str | None = None
    prefix: str | None = None
    key: str | None = None
    columns: list[str] | None = None
    # A resumable command's new cursor: saved by the runner only after the result was handed over.
    state: dict[str, Any] | None = None

    def markdown(self) -> str:
        if self.readable is not None:
            return self.readable
        rows = self.outputs if isinstance(self.outputs, list) else [self.outputs]
        return markdown_table(rows, columns=self.columns, title=self.title)


@dataclass
class FetchBatch:
    """Incidents plus the bookmark that is true once they were handed over."""

    incidents: list[dict[str, Any]]
    state: dict[str, Any]
    stats: dict[str, int] = field(default_factory=dict)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        value = json.dumps(value, sort_keys=True)
    text = defang(str(value)).replace("\n", " ").replace("|", "\\|")
    return text if len(text) <= 120 else text[:117] + "..."


def markdown_table(rows: Iterable[Any], *, columns: list[str] | None = None, title: str | None = None) -> str:
    rows = [r if isinstance(r, dict) else {"value": r} for r in rows if r is not None]
    lines = [f"### {title}", ""] if title else []
    if not rows:
        return "\n".join(lines + ["**No entries.**"])
    if columns is None:
        columns = []
        for row in rows:
            columns.extend(k for k in row if k not in columns and not isinstance(row[k], (dict, list)))
        columns = columns[:8] or list(rows[0])[:8]
    lines.append("| " + " | ".join(columns) + " |")
    lines.append("|" + "---|" * len(columns))
    for row in rows:
        lines.append("| " + " | ".join(_cell(_get(row, c)) for c in columns) + " |")
    return "\n".join(lines)


def _get(row: dict[str, Any], column: str) -> Any:
    node: Any = row
    for part in column.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    return node


# The one defang rule, for what people read (incident names, markdown), never for JSON outputs, which
# playbooks and enrichment need whole: a URL's scheme becomes hxxp(s), and the dots of host names,
# domains and IPv4 addresses become [.]. Other dots (times, versions, sentences) stay as they are.
_SCHEME = re.compile(r"\b(?:http(s?))://", re.I)
_HOST = re.compile(r"(?<![\w.\[-])(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z][a-z0-9-]*[a-z](?![\w\[-])", re.I)
_IPV4 = re.compile(r"(?<![\w.])\d{1,3}(?:\.\d{1,3}){3}(?![\w])")


def defang(text: str) -> str:
    """``http://evil.example/x`` → ``hxxp://evil[.]example/x``, ``10.0.0.1`` → ``10[.]0[.]0[.]1``: safe to
    paste in a war room, and the same text again when applied twice."""
    text = _SCHEME.sub(lambda m: f"hxxp{m.group(1)}://", text)
    text = _IPV4.sub(lambda m: m.group(0).replace(".", "[.]"), text)
    return _HOST.sub(lambda m: m.group(0).replace(".", "[.]"), text)
