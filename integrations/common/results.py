"""What handlers return. The context prefix, key and table columns come from the manifest, not from code."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable

from .vendordata import dig


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
    # Column titles by field path (the manifest's outputs ``titles``); a field without one gets a readable
    # title made from its name.
    titles: dict[str, str] | None = None
    # Markdown shown under the made table (details, a cursor), so that the table itself keeps the manifest's
    # columns and titles.
    extra: str | None = None
    # A resumable command's new cursor: saved by the runner only after the result was handed over.
    state: dict[str, Any] | None = None

    def markdown(self) -> str:
        if self.readable is not None:
            return self.readable
        rows = self.outputs if isinstance(self.outputs, list) else [self.outputs]
        table = markdown_table(rows, columns=self.columns, titles=self.titles, title=self.title)
        return table + "\n\n" + self.extra if self.extra else table


@dataclass
class FetchBatch:
    """Incidents plus the bookmark that is true once they were handed over."""

    incidents: list[dict[str, Any]]
    state: dict[str, Any]
    stats: dict[str, int] = field(default_factory=dict)


def _text(value: Any) -> str:
    """A value as words: lists joined by commas and objects as ``key: value`` pairs, never a JSON blob."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_text(v)}" for k, v in value.items() if v not in (None, "", [], {}))
    if isinstance(value, list):
        return ", ".join(_text(v) for v in value)
    return str(value)


def _cell(value: Any) -> str:
    text = defang(_text(value)).replace("\n", " ").replace("|", "\\|")
    return text if len(text) <= 120 else text[:117] + "..."


def _is_table(value: Any) -> bool:
    """A nested list of records: shown as a sub-table under the main one, not squeezed into a cell."""
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def column_title(path: str) -> str:
    """``status.value`` → Status, ``triggeredAt`` → Triggered At, ``source_name`` → Source Name."""
    parts = path.split(".")
    name = parts[-2] if parts[-1] == "value" and len(parts) > 1 else parts[-1]
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name).replace("_", " ").split()
    return " ".join((w.upper() if w.lower() != "ids" else "IDs") if w.lower() in _ACRONYMS else w[:1].upper() + w[1:] for w in words) or path


_ACRONYMS = {"id", "ids", "ip", "url", "uuid", "dns", "http"}


def markdown_table(rows: Iterable[Any], *, columns: list[str] | None = None, titles: dict[str, str] | None = None,
                   title: str | None = None, level: int = 3) -> str:
    """A markdown table of ``rows`` (their ``columns``, headed by ``titles`` or titles made from the field
    names); a column holding a list of records gets a sub-table per row below the table."""
    rows = [r if isinstance(r, dict) else {"value": r} for r in rows if r is not None]
    titles = titles or {}
    lines = [f"{'#' * level} {title}", ""] if title else []
    if not rows:
        return "\n".join(lines + ["**No entries.**"])
    if columns is None:
        columns = []
        for row in rows:
            columns.extend(k for k in row if k not in columns and not isinstance(row[k], dict)
                           and not (isinstance(row[k], list) and any(isinstance(v, (dict, list)) for v in row[k])))
        columns = columns[:8] or list(rows[0])[:8]
    headers = [titles.get(c) or column_title(c) for c in columns]
    lines.append("| " + " | ".join(h.replace("|", "\\|") for h in headers) + " |")
    lines.append("|" + "---|" * len(columns))
    nested: list[str] = []
    for number, row in enumerate(rows, 1):
        cells = []
        for column, header in zip(columns, headers):
            value = dig(row, column)
            if _is_table(value):
                label = _row_label(row, columns, number)
                cells.append(f"{len(value)} (see {header} of {label} below)")
                nested.append(markdown_table(value, title=f"{header} of {label}", level=min(level + 1, 6)))
            else:
                cells.append(_cell(value))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n\n".join(["\n".join(lines)] + nested)


def _row_label(row: dict[str, Any], columns: list[str], number: int) -> str:
    """What names a row in its sub-tables' titles: its first plain value (its id, as a rule)."""
    for column in ("id", *columns):
        value = dig(row, column)
        if value not in (None, "") and not isinstance(value, (dict, list)):
            return _cell(value)
    return f"row {number}"


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
