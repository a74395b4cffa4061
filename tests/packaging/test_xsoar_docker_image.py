"""xsoar docker image (issue 16 point 6): the packs default to XSOAR's standard integration image
``demisto/python3``, whose documented packages are requests and PyYAML but not jsonschema; so every pack runs
every command in the stand-in python loop with jsonschema (and its ``referencing`` helpers) unimportable, and
the pack README records which image and why."""
from __future__ import annotations

import json
import re
import sys

from soarpacks.tools.packaging.xsoar_docker import DEFAULT_DOCKER_IMAGE, docker_note

from .helpers import STANDINS, fetch_limit_args, platform_settings, run_python
from .test_xsoar import _pack, _unified

NOT_IN_THE_IMAGE = ["jsonschema", "referencing", "jsonschema_specifications"]


def _text(value):
    return json.dumps(value) if isinstance(value, (list, dict)) else str(value)


def test_the_default_image_is_a_pinned_demisto_python3_integration_image(integration, dist):
    assert re.fullmatch(r"demisto/python3:3\.1[2-9]\.\d+\.\d+", DEFAULT_DOCKER_IMAGE)
    assert _unified(dist, integration)["script"]["dockerimage"] == DEFAULT_DOCKER_IMAGE


def test_the_pack_readme_records_the_image_and_why_it_was_chosen(integration, dist):
    readme = _pack(dist, integration)["README.md"].decode("utf-8")
    assert docker_note(DEFAULT_DOCKER_IMAGE) in readme
    assert "jsonschema is not needed at run time" in readme and "xsoar-tools" in readme
    assert "--xsoar-docker-image" in docker_note("example/custom:1.0")


def test_every_command_runs_with_jsonschema_unimportable(integration, dist, served, tmp_path):
    script = tmp_path / "integration.py"
    script.write_text(_unified(dist, integration)["script"]["script"], encoding="utf-8")
    simulator = served.simulator
    settings = platform_settings(integration, served, fetch_limit_args(integration, simulator), credentials=True)
    invocations = [{"command": "test-module", "params": settings},
                   {"command": "fetch-incidents", "params": {**settings, "isFetch": True}}]
    for name, args in simulator.command_examples().items():
        if name == "test-module":
            continue
        invocations.append({"command": integration.manifest.command(name).exported_name, "params": settings,
                            "args": {k: _text(v) for k, v in args.items()}})
    plan = tmp_path / "plan.json"
    # A fresh HOME (run_python): no cached manifest, so the runtime reads and checks the embedded one.
    plan.write_text(json.dumps({"script": str(script), "invocations": invocations,
                                "unimportable": NOT_IN_THE_IMAGE}))
    outcome = run_python(sys.executable, STANDINS / "run_xsoar.py", str(plan), tmp=tmp_path)
    test, fetched, *commands = outcome["runs"]
    assert test["results"] == ["ok"] and test["raised"] is None
    assert fetched["raised"] is None and fetched["incidents"]
    for invocation, run in zip(invocations[2:], commands):
        assert run["raised"] is None and not run["errors"], (invocation["command"], run["errors"] or run["raised"])
        assert run["results"] and run["results"][0]["Type"] == 1, invocation["command"]
    assert outcome["unimportable_loaded"] == []


def test_the_stand_in_really_makes_jsonschema_unimportable(tmp_path):
    script = tmp_path / "probe.py"
    script.write_text("import jsonschema\n", encoding="utf-8")
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"script": str(script), "invocations": [{"command": "test-module"}],
                                "unimportable": NOT_IN_THE_IMAGE}))
    outcome = run_python(sys.executable, STANDINS / "run_xsoar.py", str(plan), tmp=tmp_path)
    (run,) = outcome["runs"]
    assert run["raised"].startswith("ModuleNotFoundError") and outcome["unimportable_attempts"] == ["jsonschema"]
