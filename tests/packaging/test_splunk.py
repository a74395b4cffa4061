"""splunk: the app JSON has what Splunk's build requires, and the connector, run under a stand-in
`phantom` package against the simulator, passes test connectivity, polls without duplicates, runs get-event."""
from __future__ import annotations

import json
import sys
import tarfile
from pathlib import Path

from soarpacks.integrations.common import ocsf
from soarpacks.integrations.common.platform import splunk_names
from soarpacks.integrations.common.platform.splunk_names import action_identifier
from soarpacks.tools.packaging import splunk, splunk_actions

from .helpers import STANDINS, clean_env, fetch_limit_args, platform_settings, run

ACTION_TYPES = {"test", "investigate", "correct", "contain", "ingest", "generic"}
DATA_TYPES = {"string", "numeric", "boolean", "password", "file", "ph"}


def _app(dist, integration, tmp_path=None):
    path = dist[("splunk", integration.id)]
    with tarfile.open(path) as archive:
        folder = splunk.app_folder(integration)
        assert all(m.name == folder or m.name.startswith(folder + "/") for m in archive.getmembers())
        if tmp_path is not None:
            archive.extractall(tmp_path, filter="data")
        return json.loads(archive.extractfile(f"{folder}/{folder}.json").read())


def test_the_app_json_has_every_field_splunks_build_requires(integration, splunk_dist):
    app = _app(splunk_dist, integration)
    missing = [f for f in splunk.REQUIRED_FIELDS if f not in app]
    assert missing == []
    for field in ("appid", "name", "product_vendor", "product_name", "publisher", "type", "main_module",
                  "app_version", "package_name", "python_version"):
        assert app[field], field
    assert app["description"][:1].isupper()


def test_configuration_fields_have_data_type_required_and_order(integration, splunk_dist):
    app = _app(splunk_dist, integration)
    orders = [entry["order"] for entry in app["configuration"].values()]
    assert orders == list(range(len(orders)))
    for name, entry in app["configuration"].items():
        assert entry["data_type"] in DATA_TYPES and isinstance(entry["required"], bool), name
    for param in integration.manifest.params:
        if param.get("secret"):
            assert app["configuration"][param["name"]]["data_type"] == "password"


def test_actions_have_identifiers_types_parameters_and_output_paths(integration, splunk_dist):
    app = _app(splunk_dist, integration)
    identifiers = [a["identifier"] for a in app["actions"]]
    assert len(identifiers) == len(set(identifiers))
    assert "test_connectivity" in identifiers
    for action in app["actions"]:
        assert action["type"] in ACTION_TYPES and action["action"] and action["description"], action["identifier"]
        for name, parameter in action["parameters"].items():
            assert parameter["data_type"] in DATA_TYPES and "order" in parameter, name
        if action["type"] in ("investigate", "correct"):
            paths = {o["data_path"] for o in action["output"]}
            assert {"action_result.status", "action_result.message", "summary.total_objects",
                    "summary.total_objects_successful"} <= paths
            assert {f"action_result.parameter.{p}" for p in action["parameters"]} <= paths
            assert all(o["data_type"] in DATA_TYPES for o in action["output"])
    fetches = integration.manifest.commands.get("fetch-incidents")
    assert ("on_poll" in identifiers) == bool(fetches and fetches.supported)


def test_the_main_module_defines_a_base_connector_subclass(integration, splunk_dist, tmp_path):
    app = _app(splunk_dist, integration, tmp_path)
    source = (tmp_path / splunk.app_folder(integration) / app["main_module"]).read_text()
    assert "(SoarpacksConnector)" in source and f"INTEGRATION_ID = {integration.id!r}" in source


def _requests(integration, served, config_args, identifier, parameters=None, **more):
    return {"identifier": identifier, "config": platform_settings(integration, served, config_args, credentials=False),
            "parameters": parameters or [{}], **more}


def test_the_connector_tests_connectivity_polls_twice_without_duplicates_and_gets_an_event(
        integration, splunk_dist, served, tmp_path):
    app = _app(splunk_dist, integration, tmp_path)
    folder = tmp_path / splunk.app_folder(integration)
    simulator = served.simulator
    expected = simulator.expected_incident_count()
    full = fetch_limit_args(integration, simulator)
    half = fetch_limit_args(integration, simulator, max_fetch=max(1, expected // 2))
    per_run = int(full.get("max_fetch") or expected)
    polls = [half] + [full] * (min(10, -(-expected // per_run)) + 1)
    requests = [_requests(integration, served, full, "test_connectivity")]
    requests += [_requests(integration, served, args, "on_poll") for args in polls]
    examples = simulator.command_examples()
    if "get-event" in examples:
        get_event = action_identifier(integration.manifest, integration.manifest.command("get-event"))
        requests.append(_requests(integration, served, full, get_event, [examples["get-event"]]))
    plan = tmp_path / "requests.json"
    plan.write_text(json.dumps(requests))
    world = tmp_path / "world.json"
    out = tmp_path / "out.json"
    done = run([sys.executable, str(STANDINS / "run_splunk.py"), str(folder), app["main_module"], str(plan), str(out)],
               cwd=tmp_path, env=clean_env(tmp_path, PYTHONPATH=str(STANDINS), SOARPACKS_PHANTOM_WORLD=str(world)))
    assert done.returncode == 0, done.stderr[-3000:]
    outcome = json.loads(out.read_text())
    assert not outcome["loaded_from"].startswith(str(Path(__file__).resolve().parents[2]))
    test, *answers = outcome["answers"]
    assert test["status"] == "success", test
    poll_answers, rest = answers[:len(polls)], answers[len(polls):]
    assert all(a["status"] == "success" for a in poll_answers), [a["results"][0]["message"] for a in poll_answers]
    summaries = [a["results"][0]["summary"] for a in poll_answers]
    assert summaries[0]["containers_created"] > 0
    assert summaries[-1]["incidents"] == 0
    platform = json.loads(world.read_text())
    containers = platform["containers"]
    ids = [c["source_data_identifier"] for c in containers]
    assert len(ids) == len(set(ids)) == expected
    assert not [c for c in containers if c.get("updates")], "a later poll handed an incident over again"
    assert sum(s["containers_created"] for s in summaries) == expected
    assert platform["state"], "the bookmark was not saved in the asset state"
    for container in containers[:20]:
        assert container["artifacts"] and container["artifacts"][-1]["run_automation"] is True
        assert not [a for a in container["artifacts"] if a.get("label") == "ocsf"], "OCSF artifacts are opt-in"
    if rest:
        (event,) = rest
        assert event["status"] == "success", event
        assert event["results"][0]["data"]


def test_with_the_ocsf_setting_each_new_container_carries_its_ocsf_finding_artifact(
        integration, splunk_dist, served, tmp_path):
    app = _app(splunk_dist, integration, tmp_path)
    assert app["configuration"]["ocsf_artifact"]["data_type"] == "boolean"
    assert app["configuration"]["ocsf_artifact"]["default"] is False
    folder = tmp_path / splunk.app_folder(integration)
    poll = _requests(integration, served, fetch_limit_args(integration, served.simulator, max_fetch=3), "on_poll")
    poll["config"]["ocsf_artifact"] = True
    (tmp_path / "requests.json").write_text(json.dumps([poll]))
    world = tmp_path / "world.json"
    done = run([sys.executable, str(STANDINS / "run_splunk.py"), str(folder), app["main_module"],
                str(tmp_path / "requests.json"), str(tmp_path / "out.json")],
               cwd=tmp_path, env=clean_env(tmp_path, PYTHONPATH=str(STANDINS), SOARPACKS_PHANTOM_WORLD=str(world)))
    assert done.returncode == 0, done.stderr[-3000:]
    (answer,) = json.loads((tmp_path / "out.json").read_text())["answers"]
    assert answer["status"] == "success", answer
    containers = json.loads(world.read_text())["containers"]
    assert containers
    for container in containers:
        (artifact,) = [a for a in container["artifacts"] if a.get("label") == "ocsf"]
        finding = artifact["data"]
        assert finding["class_uid"] == 2004 and finding["metadata"]["version"] == ocsf.OCSF_VERSION
        assert finding["finding_info"]["uid"] == container["source_data_identifier"]
        assert artifact["cef"]["ocsfFindingUid"] == container["source_data_identifier"]
        assert container["artifacts"][-1]["run_automation"] is True


def _table_actions(app):
    return [a for a in app["actions"] if a["type"] not in ("test", "ingest")]


def test_every_table_has_columns_numbered_from_zero_without_gaps(integration, splunk_dist):
    for action in _table_actions(_app(splunk_dist, integration)):
        orders = sorted(o["column_order"] for o in action["output"] if "column_order" in o)
        assert orders and orders == list(range(len(orders))), action["action"]


def test_names_and_descriptions_read_as_splunks_review_asks(integration, splunk_dist):
    vendor = splunk_names.vendor_words(integration.manifest)
    for action in _table_actions(_app(splunk_dist, integration)):
        assert not action["description"].endswith("."), action["action"]
        assert action["action"].split()[0] not in vendor, action["action"]


def test_the_app_names_a_current_soar_a_real_update_time_and_the_vendor_api_it_was_tested_against(
        integration, splunk_dist):
    app = _app(splunk_dist, integration)
    assert app["min_phantom_version"] == "6.3.0"
    assert not app["utctime_updated"].startswith("1980")
    assert app["latest_tested_versions"] == [integration.manifest.data["api_version"]]


def test_most_outputs_carry_example_values(integration, splunk_dist):
    outputs = [o for a in _table_actions(_app(splunk_dist, integration)) for o in a["output"]]
    with_examples = [o for o in outputs if o.get("example_values")]
    assert len(with_examples) >= 0.66 * len(outputs), f"{len(with_examples)} of {len(outputs)}"


def test_recorded_examples_name_only_declared_data_paths(integration):
    path = integration.manifest.folder / splunk_actions.EXAMPLES_FILE
    recorded = json.loads(path.read_text()) if path.is_file() else {}
    stale = {}
    for name, examples in recorded.items():
        command = integration.manifest.command(name)
        declared = {".".join(f.path) for f in splunk_actions.data_fields(integration.manifest, command)}
        if set(examples) - declared:
            stale[name] = sorted(set(examples) - declared)
    assert not stale, f"re-record with python -m soarpacks.tools.packaging.splunk_examples: {stale}"


def test_every_id_parameter_says_what_it_contains(integration, splunk_dist):
    for action in _table_actions(_app(splunk_dist, integration)):
        for name, parameter in action["parameters"].items():
            if name.endswith(("_id", "_ids")) or name in ("ip", "domain", "url"):
                assert parameter.get("contains") and parameter["primary"], f"{action['action']}: {name}"
