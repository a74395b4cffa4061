"""xsoar: the pack passes demisto-sdk's own schemas and models, our checks of what those leave open,
and its unified script really runs under a stand-in demistomock against the simulator."""
from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
import yaml

from soarpacks.tools.packaging import xsoar

from .helpers import STANDINS, fetch_limit_args, platform_settings, run_python

SDK_CHECK = Path(__file__).parent / "sdk_check.py"
PARAM_TYPES = {0, 4, 8, 9, 12, 13, 15, 16, 19}
OUTPUT_TYPES = {"String", "Number", "Boolean", "Date", "Unknown"}


def _pack(dist, integration):
    archive = zipfile.ZipFile(dist[("xsoar", integration.id)])
    return {name: archive.read(name) for name in archive.namelist()}


def _unified(dist, integration):
    pack = _pack(dist, integration)
    name = next(n for n in pack if n.startswith("Integrations/integration-") and n.endswith(".yml"))
    return yaml.safe_load(pack[name])


def _sdk(sdk_python, kind, name, data, tmp_path):
    path = tmp_path / name
    path.write_bytes(data)
    from .helpers import clean_env, run
    done = run([str(sdk_python), str(SDK_CHECK), kind, str(path)], cwd=tmp_path, env=clean_env(tmp_path))
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])["errors"]


def test_the_pack_has_the_layout_xsoar_uploads(integration, dist):
    pack = _pack(dist, integration)
    name = xsoar.pack_name(integration.manifest)
    version = integration.manifest.version.replace(".", "_")
    assert {"pack_metadata.json", "metadata.json", "README.md", f"ReleaseNotes/{version}.md",
            f"Integrations/integration-{name}.yml"} <= set(pack)


def test_the_unified_integration_validates_against_demisto_sdk(integration, dist, sdk_python, tmp_path):
    pack = _pack(dist, integration)
    name = next(n for n in pack if n.startswith("Integrations/"))
    assert _sdk(sdk_python, "integration", "integration.yml", pack[name], tmp_path) == []


def test_pack_metadata_validates_against_demisto_sdk(integration, dist, sdk_python, tmp_path):
    assert _sdk(sdk_python, "pack_metadata", "pack_metadata.json", _pack(dist, integration)["pack_metadata.json"],
                tmp_path) == []


def test_exported_playbooks_validate_against_demisto_sdk(integration, dist, sdk_python, tmp_path):
    playbooks = {n: d for n, d in _pack(dist, integration).items() if n.startswith("Playbooks/")}
    if not playbooks:
        pytest.skip("no playbook starts with this integration (or no exporter yet)")
    for name, data in playbooks.items():
        assert _sdk(sdk_python, "playbook", Path(name).name, data, tmp_path) == [], name


def test_our_category_list_is_demisto_sdks(sdk_python, tmp_path):
    from .helpers import clean_env, run
    done = run([str(sdk_python), str(SDK_CHECK), "categories", "-"], cwd=tmp_path, env=clean_env(tmp_path))
    assert json.loads(done.stdout.strip().splitlines()[-1])["categories"] == list(xsoar.CATEGORIES)


def test_params_use_xsoar_type_codes_and_secrets_are_credentials(integration, dist):
    unified = _unified(dist, integration)
    settings = {c["name"]: c for c in unified["configuration"]}
    assert {c["type"] for c in unified["configuration"]} <= PARAM_TYPES
    assert unified["category"] in xsoar.CATEGORIES
    for param in integration.manifest.params:
        entry = settings[param["name"]]
        if param.get("secret"):
            assert entry["type"] in (4, 9)
        if param["type"] == "boolean":
            assert entry["type"] == 8 and entry["required"] is False
        if "enum" in param:
            assert entry["options"] == [str(v) for v in param["enum"]]


def test_fetching_integrations_declare_fetch_and_its_settings(integration, dist):
    unified = _unified(dist, integration)
    fetches = "fetch-incidents" in integration.manifest.commands and integration.manifest.commands["fetch-incidents"].supported
    assert unified["script"]["isfetch"] is fetches
    names = {c["name"] for c in unified["configuration"]}
    if fetches:
        assert {"isFetch", "incidentType", "incidentFetchInterval"} <= names


def test_every_supported_command_is_declared_with_its_arguments_and_typed_outputs(integration, dist):
    unified = _unified(dist, integration)
    declared = {c["name"]: c for c in unified["script"]["commands"]}
    for command in integration.manifest.commands.values():
        if command.name in ("test-module", "fetch-incidents") or not command.supported:
            assert command.name not in declared and command.exported_name not in declared
            continue
        entry = declared[command.exported_name]
        assert [a["name"] for a in entry["arguments"]] == [a["name"] for a in command.args]
        prefix = (command.outputs or {}).get("prefix")
        if prefix:
            assert entry["outputs"], command.name
        for output in entry.get("outputs", []):
            assert output["contextPath"].startswith(prefix + ".")
            assert output["type"] in OUTPUT_TYPES


def test_the_script_runs_under_demistomock_test_fetch_twice_and_get_event(integration, dist, served, tmp_path):
    unified = _unified(dist, integration)
    assert unified["script"]["type"] == "python" and unified["script"]["subtype"] == "python3"
    script = tmp_path / "integration.py"
    script.write_text(unified["script"]["script"], encoding="utf-8")
    simulator = served.simulator
    expected = simulator.expected_incident_count()
    full = fetch_limit_args(integration, simulator)
    half = fetch_limit_args(integration, simulator, max_fetch=max(1, expected // 2))
    invocations = [{"command": "test-module", "params": platform_settings(integration, served, full, credentials=True)}]
    per_run = int(full.get("max_fetch") or expected)
    fetches = [half] + [full] * (min(10, -(-expected // per_run)) + 1)  # enough runs to drain, plus one
    for args in fetches:
        invocations.append({"command": "fetch-incidents",
                            "params": {**platform_settings(integration, served, args, credentials=True), "isFetch": True}})
    examples = simulator.command_examples()
    if "get-event" in examples:
        invocations.append({"command": integration.manifest.command("get-event").exported_name, "params": invocations[0]["params"],
                            "args": {k: (json.dumps(v) if isinstance(v, (list, dict)) else str(v))
                                     for k, v in examples["get-event"].items()}})
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"script": str(script), "invocations": invocations}))
    import sys
    outcome = run_python(sys.executable, STANDINS / "run_xsoar.py", str(plan), tmp=tmp_path)
    # The code ran from the pack's own embedded copy, not from this repository.
    ((root, loaded_from),) = outcome["roots"].items()
    assert root.startswith(f"{xsoar.RUNTIME_PREFIX}{integration.id}_")
    assert not loaded_from.startswith(str(Path(__file__).resolve().parents[2]))
    test, *runs = outcome["runs"]
    fetched, rest = runs[:len(fetches)], runs[len(fetches):]
    first, second, last = fetched[0], fetched[1], fetched[-1]
    assert test["raised"] is None and test["results"] == ["ok"], test
    for run in fetched:
        assert run["raised"] is None and not run["errors"], run["errors"] or run["raised"]
    first_ids = [json.loads(i["rawJSON"])["id"] for i in first["incidents"]]
    second_ids = [json.loads(i["rawJSON"])["id"] for i in second["incidents"]]
    assert first_ids, "the first fetch found nothing"
    assert not set(first_ids) & set(second_ids), "the second fetch repeated incidents"
    assert first["lastRun"] and first["setLastRun_calls"] == 1
    # max_fetch caps a run; the runs together hand every incident over once, then nothing is new.
    drained = [json.loads(i["rawJSON"])["id"] for run in fetched for i in run["incidents"]]
    assert last["incidents"] == [], "still fetching"
    assert len(drained) == len(set(drained)) == expected
    for incident in first["incidents"]:
        assert incident["name"] and 0 <= incident["severity"] <= 4 and incident["occurred"].endswith("Z")
    if rest:
        (event,) = rest
        assert event["raised"] is None and not event["errors"], event["errors"]
        (entry,) = event["results"]
        assert entry["Type"] == 1 and entry["HumanReadable"]
        prefix = (integration.manifest.command("get-event").outputs or {}).get("prefix")
        if prefix:
            assert any(key.startswith(prefix) for key in entry["EntryContext"])


def test_a_failing_command_returns_one_redacted_error_entry(integration, dist, served, tmp_path):
    unified = _unified(dist, integration)
    script = tmp_path / "integration.py"
    script.write_text(unified["script"]["script"], encoding="utf-8")
    settings = platform_settings(integration, served, {}, credentials=True)
    secret_values = [served.params()[name] for name in integration.manifest.secret_params if served.params().get(name)]
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"script": str(script), "invocations": [
        {"command": "no-such-command", "params": settings}]}))
    import sys
    outcome = run_python(sys.executable, STANDINS / "run_xsoar.py", str(plan), tmp=tmp_path)
    (run,) = outcome["runs"]
    (entry,) = run["results"]
    assert entry["Type"] == 4 and "no-such-command" in entry["Contents"]
    assert not any(str(secret) in json.dumps(run) for secret in secret_values)
