"""Every Splunk SOAR app as Splunk SOAR 6.x (Python 3.9) and 7.x (Python 3.13) runs it: installed offline
from the wheels it bundles (``pip install --no-index`` of the files its app JSON lists for that Python, into
an interpreter that has only what SOAR ships: requests), then every action run through the ``phantom``
stand-in with the parameter types the platform sends (numbers as floats), against the simulator.

What the apps must do there: every action succeeds; each action writes only data paths its app JSON
declares, and declares only paths it writes; polling drains the backlog with no loss and no duplicate; an
incident that changes after it was ingested is added to its container."""
from __future__ import annotations

import json
import os
import shutil
import sys
import tarfile
from pathlib import Path
from typing import Any

import pytest

from soarpacks.integrations.common.platform.common import FETCH, TEST
from soarpacks.integrations.common.platform.splunk_names import action_identifier
from soarpacks.tools.packaging import splunk
from soarpacks.tools.packaging.splunk_actions import data_fields

from .conftest import INTEGRATIONS, cached_venv, skip_or_fail
from .helpers import STANDINS, clean_env, fetch_limit_args, platform_settings, run

SOAR_PYTHONS = {"3.9": "pip39_dependencies", "3.13": "pip313_dependencies"}   # SOAR 6.x, 7.x
SOAR_SHIPS = ["requests"]   # in every Splunk SOAR app Python; the apps do not bundle it
_RUNS: dict[tuple[str, str], dict[str, Any]] = {}
# Splunk SOAR's own types, which its built-in apps (whois, geolocate, reputation, ...) accept
GENERIC_CONTAINS = {"ip", "domain", "url", "hash", "md5", "sha1", "sha256", "email", "host name", "user name",
                    "mac address", "file name"}


def _interpreter(version: str) -> str:
    pyenv = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"
    found = sorted(pyenv.glob(f"{version}.*/bin/python{version}")) + [
        Path(p) for p in [shutil.which(f"python{version}")] if p]
    if not found:
        skip_or_fail(f"no Python {version} (Splunk SOAR's app Python) in pyenv or on PATH")
    return str(found[0])


@pytest.fixture(scope="session", params=sorted(SOAR_PYTHONS), ids=lambda v: f"py{v}")
def soar_python(request):
    """(python, version): an interpreter holding only what Splunk SOAR's app Python ships."""
    return str(cached_venv(f"splunk-soar-{request.param}", SOAR_SHIPS, interpreter=_interpreter(request.param))), \
        request.param


def _extract(dist, integration, tmp: Path) -> tuple[dict[str, Any], Path]:
    with tarfile.open(dist[("splunk", integration.id)]) as archive:
        archive.extractall(tmp, filter="data")
    folder = tmp / splunk.app_folder(integration)
    return json.loads((folder / f"{folder.name}.json").read_text()), folder


def install_offline(python: str, version: str, app: dict[str, Any], folder: Path, target: Path):
    """What SOAR does on install: pip installs the wheel files the app JSON lists for its Python, and
    nothing from an index."""
    files = [str(folder / entry["input_file"]) for entry in app[SOAR_PYTHONS[version]]["wheel"]]
    return run([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-index",
                "--target", str(target), *files], cwd=folder, env=clean_env(folder.parent), timeout=600)


def _request(integration, served, fetch_args, identifier, parameters=None):
    return {"identifier": identifier, "parameters": parameters or [{}],
            "config": platform_settings(integration, served, fetch_args, credentials=False)}


def _plan(integration, served) -> tuple[list[dict[str, Any]], list[str]]:
    """test connectivity, polls until the backlog is drained, every other action with the simulator's
    example arguments, one more poll (after the writes). Returns the requests and what each one is."""
    manifest = integration.manifest
    simulator = served.simulator
    full = fetch_limit_args(integration, simulator)
    requests, kinds = [_request(integration, served, full, "test_connectivity")], ["test"]
    fetches = manifest.commands.get(FETCH)
    if fetches is not None and fetches.supported:
        per_run = int(full.get("max_fetch") or simulator.expected_incident_count() or 1)
        for _ in range(-(-simulator.expected_incident_count() // per_run) + 1):
            requests.append(_request(integration, served, full, "on_poll"))
            kinds.append("poll")
    for name, args in simulator.command_examples().items():
        command = manifest.command(name)
        if command.supported and command.name not in (TEST, FETCH):
            requests.append(_request(integration, served, full, action_identifier(manifest, command), [args]))
            kinds.append(command.name)
    if fetches is not None and fetches.supported:
        requests.append(_request(integration, served, full, "on_poll"))
        kinds.append("poll after writes")
    return requests, kinds


def soar_run(integration, dist, served, soar_python, tmp_path_factory) -> dict[str, Any]:
    """The app installed offline and every action run once per (integration, Python); kept for the tests."""
    python, version = soar_python
    key = (integration.id, version)
    if key not in _RUNS:
        tmp = tmp_path_factory.mktemp(f"soar-{integration.id}-py{version}")
        app, folder = _extract(dist, integration, tmp)
        site = tmp / "site-packages"
        installed = install_offline(python, version, app, folder, site)
        assert installed.returncode == 0, installed.stderr[-3000:]
        expected = served.simulator.expected_incident_count()   # before the writes add any
        requests, kinds = _plan(integration, served)
        (tmp / "requests.json").write_text(json.dumps(requests))
        done = run([python, str(STANDINS / "run_splunk.py"), str(folder), app["main_module"], str(tmp / "requests.json"),
                    str(tmp / "out.json")], cwd=tmp, env=clean_env(
                        tmp, PYTHONPATH=os.pathsep.join([str(STANDINS), str(site)]),
                        SOARPACKS_PHANTOM_WORLD=str(tmp / "world.json")), timeout=600)
        assert done.returncode == 0, done.stderr[-3000:]
        outcome = json.loads((tmp / "out.json").read_text())
        _RUNS[key] = {"app": app, "kinds": kinds, "answers": outcome["answers"], "python": outcome["python"],
                      "world": json.loads((tmp / "world.json").read_text()), "expected": expected}
    return _RUNS[key]


@pytest.fixture
def soar(integration, splunk_dist, served, soar_python, tmp_path_factory):
    return soar_run(integration, splunk_dist, served, soar_python, tmp_path_factory)


def produced_paths(value: Any, prefix: str = "action_result.data.*") -> set[str]:
    """The data paths of an action's data item: dotted keys, ``*`` for each list item, down to the values."""
    if isinstance(value, dict):
        return set().union(*[produced_paths(v, f"{prefix}.{k}") for k, v in value.items()]) if value else set()
    if isinstance(value, list):
        return set().union(*[produced_paths(v, f"{prefix}.*") for v in value]) if value else set()
    return {prefix}


def _by_kind(soar, wanted) -> list[dict[str, Any]]:
    return [answer for kind, answer in zip(soar["kinds"], soar["answers"]) if kind == wanted]


def test_it_runs_on_the_python_splunk_soar_gives_it(soar, soar_python):
    assert soar["python"] == soar_python[1]


def test_every_action_succeeds_with_the_parameter_types_soar_sends(soar):
    failed = {kind: answer["results"][0]["message"] if answer["results"] else answer
              for kind, answer in zip(soar["kinds"], soar["answers"]) if answer["status"] != "success"}
    assert not failed, json.dumps(failed, indent=1)


def test_every_supported_command_was_run_as_an_action(integration, soar):
    wanted = {c.name for c in integration.manifest.commands.values() if c.supported and c.name not in (TEST, FETCH)}
    assert wanted <= set(soar["kinds"]), "the simulator has no example for some command"


def _declared(app, identifier) -> set[str]:
    entry = next(a for a in app["actions"] if a["identifier"] == identifier)
    return {o["data_path"] for o in entry["output"] if o["data_path"].startswith("action_result.data.")}


def _covered(produced: set[str], declared: set[str]) -> set[str]:
    """Produced paths as declared ones: a null where a list or an object is declared is that list or
    object, empty (JSON's null carries no type), so it stands for the declared paths under it."""
    covered = set()
    for path in produced:
        under = {d for d in declared if d.startswith(path + ".")}
        covered |= under if path not in declared and under else {path}
    return covered


def _runs(integration, soar) -> dict[str, tuple[Any, set[str], set[str]]]:
    """identifier -> (command, produced paths, declared paths) for each action run (not test or poll)."""
    manifest = integration.manifest
    found = {}
    for kind, answer in zip(soar["kinds"], soar["answers"]):
        if kind in ("test", "poll", "poll after writes"):
            continue
        command = manifest.command(kind)
        identifier = action_identifier(manifest, command)
        declared = _declared(soar["app"], identifier)
        produced = set().union(*[produced_paths(item) for item in answer["results"][0]["data"]] or [set()])
        found[identifier] = (command, _covered(produced, declared), declared)
    return found


def test_every_data_path_an_action_writes_is_declared(integration, soar):
    undeclared = {identifier: sorted(produced - declared)
                  for identifier, (_, produced, declared) in _runs(integration, soar).items() if produced - declared}
    assert not undeclared, json.dumps(undeclared, indent=1)


def test_every_declared_data_path_is_written_unless_the_schema_lets_items_lack_it(integration, soar):
    """A path every item has (required at each step, in no list) must be written; the others (optional
    fields, list items) are written when the data has them, which one example cannot show for each."""
    manifest = integration.manifest
    unwritten = {}
    for identifier, (command, produced, declared) in _runs(integration, soar).items():
        always = {f"action_result.data.*.{'.'.join(f.path)}" for f in data_fields(manifest, command) if f.always}
        if (always & declared) - produced:
            unwritten[identifier] = sorted((always & declared) - produced)
    assert not unwritten, json.dumps(unwritten, indent=1)


def test_polling_drains_the_backlog_with_no_loss_and_no_duplicate(integration, soar):
    if not _by_kind(soar, "poll"):
        pytest.skip(f"{integration.id} does not fetch incidents")
    containers = soar["world"]["containers"]
    identifiers = [c["source_data_identifier"] for c in containers]
    assert len(identifiers) == len(set(identifiers))
    summaries = [a["results"][0]["summary"] for a in _by_kind(soar, "poll") + _by_kind(soar, "poll after writes")]
    drained = summaries[:len(_by_kind(soar, "poll"))]
    assert drained[-1]["incidents"] == 0
    assert sum(s["containers_created"] for s in drained) == soar["expected"]
    assert sum(s["containers_created"] for s in summaries) == len(containers)


def test_an_incident_that_changed_after_ingest_is_added_to_its_container(integration, soar):
    rehanded = [c for c in soar["world"]["containers"] if c.get("updates")]
    if not rehanded:
        pytest.skip(f"{integration.id}: no write in the examples makes fetch hand an incident over again")
    for container in rehanded:
        updates = [a for a in container["artifacts"] if a["name"] == "incident update"]
        assert len(updates) == len({u["source_data_identifier"] for u in updates}) >= 1, container["name"]
    summary = _by_kind(soar, "poll after writes")[0]["results"][0]["summary"]
    assert summary["containers_updated"] >= 1 and summary["containers_created"] == 0


def test_artifact_fields_carry_contains_types_that_some_action_accepts(integration, soar):
    """So that an analyst can run an action from an artifact's field."""
    accepted = {kind for action in soar["app"]["actions"] for p in action["parameters"].values()
                for kind in p.get("contains", [])}
    offered = {kind for c in soar["world"]["containers"] for a in c.get("artifacts", [])
               for kinds in (a.get("cef_types") or {}).values() for kind in kinds}
    assert offered and offered <= accepted | GENERIC_CONTAINS, sorted(offered - accepted - GENERIC_CONTAINS)


def test_an_admin_can_install_the_dependencies_by_name_from_the_apps_wheel_folders(splunk_dist, soar_python,
                                                                                  tmp_path):
    """``pip install --no-index --find-links`` the app's wheel folders (shared + the Python's own), naming
    only the runtime's dependencies: their whole closure is in the app. Every app bundles the same files."""
    python, version = soar_python
    apps = sorted(k for k in splunk_dist if k[0] == "splunk")
    bundles = set()
    for key in apps:
        with tarfile.open(splunk_dist[key]) as archive:
            bundles.add(tuple(sorted((m.name.split("/", 1)[1], m.size) for m in archive.getmembers()
                                     if "/wheels/" in f"/{m.name.split('/', 1)[-1]}" and m.isfile())))
    assert len(bundles) == 1 and bundles != {()}
    app, folder = _extract(splunk_dist, INTEGRATIONS[apps[0][1]], tmp_path)
    wheels = folder / "wheels"
    done = run([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-index",
                "--find-links", str(wheels / "shared"), "--find-links", str(wheels / f"py{version.replace('.', '')}"),
                "--target", str(tmp_path / "site"), "jsonschema", "PyYAML"], cwd=tmp_path, env=clean_env(tmp_path))
    assert done.returncode == 0, done.stderr[-2000:]
    check = run([python, "-c", "import jsonschema, yaml, rpds; print('ok')"], cwd=tmp_path,
                env=clean_env(tmp_path, PYTHONPATH=str(tmp_path / "site")))
    assert check.stdout.strip() == "ok", check.stderr[-2000:]
