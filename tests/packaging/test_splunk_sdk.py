"""Splunk's own SDK reads every app JSON: ``splunk-soar-sdk``'s app-JSON reader (the one its tooling
uses to convert and package connectors) accepts it, with every action, for Python 3.9 and 3.13.

The SDK is pinned to 2.3.7, the last line that supports Splunk SOAR 6.x (Python 3.9 and 3.13; from 3.0
it supports SOAR 7.x only, Python 3.13 and later, and refuses "3.9"). It runs in its own cached
virtualenv on Python 3.13."""
from __future__ import annotations

import json
import tarfile

import pytest

from soarpacks.tools.packaging import splunk

from .conftest import cached_venv
from .helpers import clean_env, run
from .test_splunk_actions import _interpreter

SPLUNK_SOAR_SDK = "splunk-soar-sdk==2.3.7"
CHECK = __file__.rsplit("/", 1)[0] + "/splunk_sdk_check.py"


@pytest.fixture(scope="session")
def splunk_sdk_python():
    return str(cached_venv("splunk-soar-sdk", [SPLUNK_SOAR_SDK], interpreter=_interpreter("3.13")))


@pytest.fixture(scope="session")
def sdk_verdicts(splunk_dist, splunk_sdk_python, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("splunk-sdk")
    paths = {}
    for (target, integration_id), path in splunk_dist.items():
        if target == "splunk":
            folder = f"soarpacks_{integration_id}"
            with tarfile.open(path) as archive:
                (tmp / f"{folder}.json").write_bytes(archive.extractfile(f"{folder}/{folder}.json").read())
            paths[integration_id] = str(tmp / f"{folder}.json")
    done = run([splunk_sdk_python, CHECK, *paths.values()], cwd=tmp, env=clean_env(tmp))
    assert done.returncode == 0, done.stderr[-3000:]
    verdicts = json.loads(done.stdout)
    return {integration_id: verdicts[path] for integration_id, path in paths.items()}


def test_splunks_sdk_reads_the_app_json(integration, sdk_verdicts):
    assert sdk_verdicts[integration.id]["errors"] == []


def test_the_sdk_reads_every_action(integration, sdk_verdicts):
    supported = [c for c in integration.manifest.commands.values() if c.supported]
    assert sdk_verdicts[integration.id]["actions"] == len(supported)


def test_the_app_runs_on_soar_6_and_7_pythons(integration, sdk_verdicts):
    assert sdk_verdicts[integration.id]["python_versions"] == ["3.9", "3.13"]
    assert splunk.PYTHON_VERSIONS == "3.9, 3.13"
