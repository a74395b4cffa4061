"""``soarpacks run ... -o ocsf``: fetch-incidents and the get commands as OCSF Detection Findings,
one JSON object per line (JSON Lines, what Security Lake, Splunk and Chronicle ingest), on stdout or
appended to ``--out``. The mapping is each vendor's (``integrations/common/ocsf.py`` says where).

``include_raw=true`` among the command's arguments adds the vendor object as ``raw_data``; it is ours,
not the command's, so it is taken out before the command's arguments are checked.
"""
from __future__ import annotations

import json
import os
import sys
from typing import Any, Callable, TextIO

from soarpacks.integrations.common.arguments import coerce_values
from soarpacks.integrations.common.ocsf import FETCH, converter

INCLUDE_RAW = {"name": "include_raw", "type": "boolean", "default": False}


def json_lines(findings: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(f, sort_keys=True, separators=(",", ":"), default=str) + "\n" for f in findings)


def run_ocsf(instance: Any, command_name: str, args: dict[str, Any], *, out: str | None = None,
             stdout: TextIO | None = None) -> int:
    """Run the command and hand its findings over; returns how many. A command whose output is no
    detection is refused (exit 2) before anything is asked of the vendor."""
    stream = stdout or sys.stdout
    args = dict(args)
    options = coerce_values((INCLUDE_RAW,), {"include_raw": args.pop("include_raw", None)}, what="-o ocsf")
    manifest = instance.integration.manifest
    convert = converter(manifest, command_name, include_raw=options["include_raw"])
    count = 0

    def to_stream(findings: list[dict[str, Any]]) -> None:
        nonlocal count
        stream.write(json_lines(findings))
        stream.flush()
        count += len(findings)

    if manifest.command(command_name).name == FETCH:
        if out:
            count = _fetch_to_file(instance, args, out, convert)
            print(f"{count} OCSF finding(s) appended to {out}", file=stream)
        else:
            instance.run(FETCH, args, emit=lambda incidents: to_stream(convert(incidents)))
        return count
    if out:
        def to_file(result: Any) -> None:
            nonlocal count
            findings = convert(result)
            _append(out, json_lines(findings))
            count += len(findings)
        instance.run(command_name, args, emit=to_file)
        print(f"{count} OCSF finding(s) appended to {out}", file=stream)
    else:
        instance.run(command_name, args, emit=lambda result: to_stream(convert(result)))
    return count


def _fetch_to_file(instance: Any, args: dict[str, Any], path: str,
                   convert: Callable[[Any], list[dict[str, Any]]]) -> int:
    """Through the same outbox as ``--out`` with JSON incidents: each finding lands exactly once,
    its file length saved with the bookmark that covers it."""
    from soarpacks.integrations.common.outbox import JsonLinesOutbox
    outbox = JsonLinesOutbox(path, instance.store, state_key=instance.state_key())
    outbox.recover()
    return int(instance.run(FETCH, args, emit=lambda incidents: outbox.write(convert(incidents)),
                            commit_with=outbox.state))


def _append(path: str, text: str) -> None:
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
