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
# Candidate tokens in one linear pass (no nested quantifiers: names can be long, and arbitrary);
# which of them are host names or IPv4 addresses is decided in Python.
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9.-]*")
_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\Z")


def _defang_token(match: re.Match[str]) -> str:
    token = match.group(0)
    core = token.rstrip(".")   # a sentence's full stop is not part of the host
    labels = core.split(".")
    if len(labels) < 2 or match.start() > 0 and match.string[match.start() - 1] in "_[":
        return token
    is_ipv4 = len(labels) == 4 and all(label.isdigit() and len(label) <= 3 for label in labels)
    is_host = labels[-1].isalpha() and len(labels[-1]) >= 2 and all(_LABEL.match(label) for label in labels)
    if not (is_ipv4 or is_host):
        return token
    return core.replace(".", "[.]") + token[len(core):]


def defang(text: str) -> str:
    """``http://evil.example/x`` → ``hxxp://evil[.]example/x``, ``10.0.0.1`` → ``10[.]0[.]0[.]1``: safe to
    paste in a war room, and the same text again when applied twice."""
    return _TOKEN.sub(_defang_token, _SCHEME.sub(lambda m: f"hxxp{m.group(1)}://", text))
