"""xsoar instance settings: the standard ones read as in XSOAR's own packs, ``proxy`` decides whether requests go
through the environment's proxy, and each pack passes demisto-sdk's own validators (IN100 checks the labels)."""
from __future__ import annotations

import json
import re
import sys

from .helpers import STANDINS, clean_env, platform_settings, run
from .test_xsoar import SDK_CHECK, _unified

STANDARD = {"insecure": "Trust any certificate (not secure)", "proxy": "Use system proxy settings"}
FETCH_LABELS = {"isFetch": "Fetch incidents", "incidentType": "Incident type",
                "incidentFetchInterval": "Incidents Fetch Interval",
                "max_fetch": "Maximum number of incidents per fetch", "first_fetch": "First fetch time"}


def test_insecure_and_proxy_are_xsoars_standard_checkboxes(integration, dist):
    settings = {c["name"]: c for c in _unified(dist, integration)["configuration"]}
    for name, label in STANDARD.items():
        entry = settings[name]
        assert (entry["display"], entry["type"], entry["required"], entry["advanced"]) == (label, 8, False, True)
        assert entry.get("defaultvalue") in (None, "false")


def test_fetch_settings_carry_xsoars_usual_labels(integration, dist):
    unified = _unified(dist, integration)
    if not unified["script"]["isfetch"]:
        return
    settings = {c["name"]: c for c in unified["configuration"]}
    for name, label in FETCH_LABELS.items():
        if name in settings:
            assert settings[name]["display"] == label, name
    assert {"isFetch", "incidentType", "incidentFetchInterval", "max_fetch"} <= set(settings)


def test_the_pack_passes_demisto_sdks_own_validators(integration, dist, sdk_python, tmp_path):
    done = run([str(sdk_python), str(SDK_CHECK), "pack", str(dist[("xsoar", integration.id)])], cwd=tmp_path,
               env=clean_env(tmp_path))
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout.strip().splitlines()[-1])["errors"] == []


def test_requests_go_through_the_environments_proxy_only_when_proxy_is_ticked(integration, dist, served, httpserver,
                                                                               tmp_path):
    httpserver.expect_request(re.compile(".*")).respond_with_data("proxy says no", status=418)
    proxy = httpserver.url_for("/")
    script = tmp_path / "integration.py"
    script.write_text(_unified(dist, integration)["script"]["script"], encoding="utf-8")
    settings = platform_settings(integration, served, {}, credentials=True)
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"script": str(script), "invocations": [
        {"command": "test-module", "params": {**settings, "proxy": False}},
        {"command": "test-module", "params": {**settings, "proxy": True}}]}))
    variables = {"HTTP_PROXY": proxy, "HTTPS_PROXY": proxy, "NO_PROXY": "", "http_proxy": proxy,
                 "https_proxy": proxy, "no_proxy": ""}
    out = tmp_path / "out.json"
    done = run([sys.executable, str(STANDINS / "run_xsoar.py"), str(plan), str(out)], cwd=tmp_path,
               env=clean_env(tmp_path, PYTHONPATH=str(STANDINS), **variables))
    assert done.returncode == 0, done.stderr[-3000:]
    direct, proxied = json.loads(out.read_text())["runs"]
    assert direct["results"] == ["ok"], direct
    (entry,) = proxied["results"]
    assert entry["Type"] == 4, entry
    assert httpserver.log, "proxy ticked, yet no request reached the environment's proxy"
