"""xsoar: every pack, and every version of a pack, runs its own code in ONE interpreter, as in XSOAR's python
loop (fresh globals per run, ``sys.modules`` kept, lastRun kept per instance): the stand-in runs all five packs,
the first one again, then a modified "next version" of it, then the old version once more."""
from __future__ import annotations

import contextlib
import dataclasses
import json
import sys

import pytest

from soarpacks.integrations.common.registry import Integration
from soarpacks.integrations.common.simkit import serve
from soarpacks.tools.packaging import xsoar
from soarpacks.tools.packaging.sources import SourceFile, package_files

from .conftest import INTEGRATIONS
from .helpers import STANDINS, fetch_limit_args, platform_settings, run_python
from .test_xsoar import _unified

MARKER = "served by the next version"
NEXT_VERSION_HANDLER = f'''

@_next_command("get-event")
def _next_version_get_event(client, **arguments):
    raise _next_errors.InputError({MARKER!r})
'''


def next_version(integration: Integration) -> tuple[Integration, list[SourceFile]]:
    """The integration as a later release would ship it: version 99.0.0, get-event answering MARKER."""
    manifest = integration.manifest
    newer = Integration(dataclasses.replace(manifest, version="99.0.0"))
    files = []
    for source in package_files(integration):
        data = source.data
        if source.name.endswith(f"/integrations/{integration.id}/manifest.yaml"):
            data = data.replace(f"version: {manifest.version}\n".encode(), b"version: 99.0.0\n", 1)
            assert b"version: 99.0.0\n" in data
        elif source.name.endswith(f"/integrations/{integration.id}/handlers.py"):
            data += (b"\nfrom ..common import errors as _next_errors\n"
                     b"from ..common.registry import command as _next_command\n" + NEXT_VERSION_HANDLER.encode())
        files.append(SourceFile(source.name, data))
    return newer, files


@pytest.fixture
def all_served():
    with contextlib.ExitStack() as stack:
        yield {name: stack.enter_context(serve(integration.simulator_class()(seed=0, retry_after=0, slow_seconds=0)))
               for name, integration in INTEGRATIONS.items()}


def _get_event(integration, served, settings, script):
    examples = served.simulator.command_examples()
    if "get-event" not in examples:
        return None
    return {"command": integration.manifest.command("get-event").exported_name, "params": settings,
            "instance": integration.id, "script": script,
            "args": {k: (json.dumps(v) if isinstance(v, (list, dict)) else str(v))
                     for k, v in examples["get-event"].items()}}


def test_all_packs_and_two_versions_of_one_run_their_own_code_in_one_interpreter(dist, all_served, tmp_path):
    scripts, settings, invocations = {}, {}, []
    for name, integration in INTEGRATIONS.items():
        scripts[name] = tmp_path / f"{name}.py"
        scripts[name].write_text(_unified(dist, integration)["script"]["script"], encoding="utf-8")
        served = all_served[name]
        args = fetch_limit_args(integration, served.simulator, max_fetch=1)
        settings[name] = {**platform_settings(integration, served, args, credentials=True), "isFetch": True}
    first = sorted(INTEGRATIONS)[0]
    newer, files = next_version(INTEGRATIONS[first])
    scripts["next"] = tmp_path / "next.py"
    scripts["next"].write_text(xsoar.script_text(newer, files=files), encoding="utf-8")

    def invocation(name, command, script=None):
        return {"command": command, "params": settings[name], "instance": name, "script": str(script or scripts[name])}

    plan = []   # (what, pack, invocation)
    for name, integration in INTEGRATIONS.items():
        plan.append(("test", name, invocation(name, "test-module")))
        plan.append(("fetch", name, invocation(name, "fetch-incidents")))
    for name, integration in INTEGRATIONS.items():   # every pack's second fetch, after every other pack ran
        plan.append(("fetch again", name, invocation(name, "fetch-incidents")))
        event = _get_event(integration, all_served[name], settings[name], str(scripts[name]))
        if event:
            plan.append(("event", name, event))
    old_event = _get_event(INTEGRATIONS[first], all_served[first], settings[first], str(scripts[first]))
    assert old_event, f"{first} has no get-event example to tell the versions apart"
    plan += [("first again", first, invocation(first, "test-module")),
             ("next version", first, {**old_event, "script": str(scripts["next"])}),
             ("old version again", first, old_event)]
    (tmp_path / "plan.json").write_text(json.dumps({"invocations": [i for _, _, i in plan]}))
    outcome = run_python(sys.executable, STANDINS / "run_xsoar.py", str(tmp_path / "plan.json"), tmp=tmp_path)

    runs = [(what, name, run) for (what, name, _), run in zip(plan, outcome["runs"])]
    roots_of: dict[str, set[str]] = {}
    fetched: dict[str, list[str]] = {}
    for what, name, run in runs:
        roots_of.setdefault(name, set()).update(run["new_roots"])
        if what == "next version":
            (entry,) = run["results"]
            assert entry["Type"] == 4 and MARKER in entry["Contents"], (what, name, entry)
            (new_root,) = run["new_roots"]
            assert new_root.startswith(f"{xsoar.RUNTIME_PREFIX}{first}_99_0_0_")
            continue
        assert run["raised"] is None and not run["errors"], (what, name, run["errors"] or run["raised"])
        if what == "test":
            assert run["results"] == ["ok"], (what, name, run["results"])
            (root,) = run["new_roots"]   # the pack's own runtime copy, named for it and its version
            version = INTEGRATIONS[name].manifest.version.replace(".", "_")
            assert root.startswith(f"{xsoar.RUNTIME_PREFIX}{name}_{version}_"), root
        else:
            assert run["new_roots"] == [], (what, name, "imported a runtime again")
        if what in ("fetch", "fetch again"):
            ids = [json.loads(i["rawJSON"])["id"] for i in run["incidents"]]
            if what == "fetch" or len(fetched[name]) < all_served[name].simulator.expected_incident_count():
                assert ids, (what, name, "fetched nothing")
            assert not set(ids) & set(fetched.get(name, [])), (what, name, "lastRun was lost: fetched again")
            fetched.setdefault(name, []).extend(ids)
            assert all(json.loads(i["rawJSON"])["source"] == name for i in run["incidents"])
        if what in ("event", "old version again"):
            (entry,) = run["results"]
            assert entry["Type"] == 1 and MARKER not in json.dumps(entry), (what, name, entry)
            prefix = (INTEGRATIONS[name].manifest.command("get-event").outputs or {}).get("prefix")
            if prefix:
                assert any(key.startswith(prefix + "(") or key == prefix for key in entry["EntryContext"])
    # Six runtimes side by side: one per pack, and a second for the next version; none under the shared name.
    assert "soarpacks" not in outcome["roots"]
    assert len(outcome["roots"]) == len(INTEGRATIONS) + 1
    assert all(len(roots) == 1 for name, roots in roots_of.items() if name != first)
    assert len(roots_of[first]) == 2
