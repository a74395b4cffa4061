"""Splunk SOAR custom views: Alert Logic's "get incident" shows the incident, its analysed events and the
roll-ups in a custom view, rendered as the platform renders it (the app's ``display_view``, then its Django
template, autoescaped, in the stand-in widget frame); every other action keeps its table."""
from __future__ import annotations

import json
import re
import tarfile
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import pytest

from soarpacks.integrations.common import errors
from soarpacks.integrations.common.platform.splunk_names import action_identifier
from soarpacks.integrations.common.simkit import serve
from soarpacks.tools.packaging import splunk, splunk_views

from .conftest import INTEGRATIONS, cached_venv
from .helpers import STANDINS, clean_env, platform_settings, run

ALERTLOGIC = INTEGRATIONS["alertlogic"]
GET_INCIDENT = "alertlogic-get-incident"
DJANGO = "Django>=4.2,<6"   # Splunk SOAR renders views with Django; 4.2 is the last for Python 3.9


def _app(splunk_dist, integration, tmp: Path) -> tuple[dict, Path]:
    with tarfile.open(splunk_dist[("splunk", integration.id)]) as archive:
        archive.extractall(tmp, filter="data")
    folder = tmp / splunk.app_folder(integration)
    return json.loads((folder / f"{folder.name}.json").read_text()), folder


def _action(app: dict, integration, command_name: str) -> dict:
    identifier = action_identifier(integration.manifest, integration.manifest.command(command_name))
    return next(a for a in app["actions"] if a["identifier"] == identifier)


@pytest.fixture(scope="module")
def app(splunk_dist, tmp_path_factory):
    return _app(splunk_dist, ALERTLOGIC, tmp_path_factory.mktemp("alertlogic-app"))


@pytest.fixture(scope="module")
def rendered(app, runtime_python, tmp_path_factory):
    """get incident run through the connector against the simulator, then its view rendered: (answer, html)."""
    app_json, folder = app
    tmp = tmp_path_factory.mktemp("alertlogic-view")
    simulator = ALERTLOGIC.simulator_class()(seed=0, retry_after=0, slow_seconds=0)
    with serve(simulator) as served:
        action = _action(app_json, ALERTLOGIC, GET_INCIDENT)
        request = {"identifier": action["identifier"], "parameters": [simulator.command_examples()[GET_INCIDENT]],
                   "config": platform_settings(ALERTLOGIC, served, {}, credentials=False)}
        (tmp / "requests.json").write_text(json.dumps([request]))
        done = run([str(runtime_python), str(STANDINS / "run_splunk.py"), str(folder), app_json["main_module"],
                    str(tmp / "requests.json"), str(tmp / "out.json")], cwd=tmp,
                   env=clean_env(tmp, PYTHONPATH=str(STANDINS), SOARPACKS_PHANTOM_WORLD=str(tmp / "world.json")))
    assert done.returncode == 0, done.stderr[-3000:]
    answer = json.loads((tmp / "out.json").read_text())["answers"][0]
    assert answer["status"] == "success", answer
    (tmp / "answers.json").write_text(json.dumps(answer["results"]))
    django = cached_venv("django", [DJANGO])
    module = action["render"]["view"].split(".")[0]
    done = run([str(django), str(STANDINS / "render_splunk_view.py"), str(folder), module, action["action"],
                str(tmp / "answers.json"), str(tmp / "view.json")], cwd=tmp,
               env=clean_env(tmp, PYTHONPATH=str(STANDINS)))
    assert done.returncode == 0, done.stderr[-3000:]
    return answer["results"][0], json.loads((tmp / "view.json").read_text())["html"]


def test_get_incident_is_rendered_by_the_apps_custom_view(app):
    app_json, folder = app
    render = _action(app_json, ALERTLOGIC, GET_INCIDENT)["render"]
    module, _, function = render["view"].partition(".")
    assert render["type"] == "custom" and function == "display_view"
    assert (folder / f"{module}.py").is_file()


def test_actions_without_a_view_keep_their_table(app):
    app_json, _ = app
    renders = {a["identifier"]: a.get("render", {}).get("type") for a in app_json["actions"] if "render" in a}
    custom = {a for a, kind in renders.items() if kind == "custom"}
    assert custom == {_action(app_json, ALERTLOGIC, GET_INCIDENT)["identifier"]}
    assert set(renders.values()) == {"table", "custom"}


def test_the_view_shows_the_incident_every_event_and_the_rollups(rendered):
    result, html = rendered
    incident = result["data"][0]
    assert incident["events"], "the example incident has events"
    assert f">{incident['id']}<" in html
    assert html.count('<tr class="event">') == len(incident["events"])
    for event in incident["events"]:
        assert event["sig_id"] in html
    for entry in incident["response_code_tally"]:   # a list of {key, count, values} in Splunk
        assert f"{entry['key']}: {entry['count']}" in html


def test_vendor_text_is_escaped_not_rendered_as_html(rendered):
    # The example incident's web event carries the server's decompressed HTML body: an attacker can put
    # anything there, so the view shows it as text.
    result, html = rendered
    bodies = [e["decompressed"] for e in result["data"][0]["events"] if e.get("decompressed")]
    assert any("<title>" in b for b in bodies), "the example incident has an HTML body"
    assert "&lt;title&gt;" in html
    assert not re.search(r"<title>", html)


def test_a_view_for_a_command_the_manifest_lacks_fails_the_build(tmp_path):
    (tmp_path / splunk_views.VIEWS_DIR).mkdir()
    (tmp_path / splunk_views.VIEWS_DIR / "no-such-command.html").write_text("x")
    moved = SimpleNamespace(id=ALERTLOGIC.id, manifest=replace(ALERTLOGIC.manifest, path=tmp_path / "manifest.yaml"))
    with pytest.raises(errors.ConfigError, match="no-such-command.html names no supported command"):
        splunk_views.custom_views(moved, "soarpacks_alertlogic")
