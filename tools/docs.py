"""Each integration's README: the command reference is generated from the manifest between two
markers; everything else in the file is hand-written notes and stays as it is."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from soarpacks.integrations.common.manifest import Manifest
from soarpacks.integrations.common.registry import discover

BEGIN, END = "<!-- BEGIN GENERATED: soarpacks docs -->", "<!-- END GENERATED -->"


def _bound(value: Any) -> str:
    return "" if value is None else str(value)


def reference(m: Manifest) -> str:
    lines = [f"## {m.name} {m.version} — reference", "", m.description.strip(), "", "### Instance parameters", "",
             "| name | type | required | default | description |", "|---|---|---|---|---|"]
    for p in m.params:
        kind = p.type + (" (secret)" if p.secret else "")
        default = json.dumps(p.default) if p.has_default else ""
        enum = f" One of: {', '.join(map(str, p.enum))}." if p.enum is not None else ""
        lines.append(f"| `{p.name}` | {kind} | {'yes' if p.required else 'no'} | {default} | "
                     f"{p.description or p.display}{enum} |")
    if m.severity_mapping:
        lines += ["", "### Severity mapping", "", "| vendor | soarpacks (0–4) |", "|---|---|"]
        lines += [f"| {k} | {v} |" for k, v in m.severity_mapping.items()]
    lines += ["", "### Commands", ""]
    for c in m.commands.values():
        lines += [f"#### `{c.name}`" + ("" if c.supported else " (not supported)"), "", c.description.strip(), ""]
        if c.supported and c.platform_name:
            lines += [f"On SOAR platforms (XSOAR command, Splunk SOAR action) and in the CLI: `{c.platform_name}`.", ""]
        if not c.supported:
            lines += [f"Not supported by {m.vendor}: {c.unsupported_reason}", ""]
            continue
        if c.args:
            lines += ["| argument | type | required | default | notes |", "|---|---|---|---|---|"]
            for a in c.args:
                notes = a.description
                if a.enum is not None:
                    notes += f" One of: {', '.join(map(str, a.enum))}."
                if a.minimum is not None or a.maximum is not None:
                    notes += f" Range {_bound(a.minimum)}..{_bound(a.maximum)}."
                default = json.dumps(a.default) if a.has_default else ""
                lines.append(f"| `{a.name}` | {a.type} | {'yes' if a.required else 'no'} | {default} | {notes.strip()} |")
            lines.append("")
        if c.outputs:
            where = f"context `{c.outputs.prefix}` (key `{c.outputs.key or ''}`), " if c.outputs.prefix else ""
            lines += [f"Outputs: {where}schema `{c.outputs.schema}`.", ""]
        lines += [f"```\nsoarpacks run {m.id} {c.name} " + " ".join(f"{a.name}=..." for a in c.args if a.required)
                  + " --simulate\n```", ""]
    return "\n".join(lines).rstrip() + "\n"


def render(m: Manifest, current: str) -> str:
    block = f"{BEGIN}\n{reference(m)}{END}"
    if BEGIN in current and END in current:
        head, _, rest = current.partition(BEGIN)
        _, _, tail = rest.partition(END)
        return head + block + tail
    title = f"# {m.name}\n\n"
    return (current.rstrip() + "\n\n" if current.strip() else title) + block + "\n"


def write_readmes(*, check: bool = False) -> list[Path]:
    """Rewrite each README's generated part; return the ones that changed (or would, with ``check``)."""
    changed = []
    for integration in discover().values():
        path = integration.manifest.folder / "README.md"
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        new = render(integration.manifest, current)
        if new != current:
            changed.append(path)
            if not check:
                path.write_text(new, encoding="utf-8")
    return changed
