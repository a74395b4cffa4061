"""The wheels a Splunk SOAR app bundles: the runtime's dependencies and their closure, per SOAR Python
(3.9 for 6.x, 3.13 for 7.x), manylinux x86_64, compiled ones included; downloaded once into a cache, and a
clear failure when that cannot be done."""
from __future__ import annotations

import pytest

from soarpacks.integrations.common import errors
from soarpacks.tools.packaging import splunk_wheels


def test_an_offline_build_with_an_empty_cache_fails_saying_what_to_do(monkeypatch, tmp_path):
    monkeypatch.setenv("SOARPACKS_WHEEL_CACHE", str(tmp_path))
    monkeypatch.setenv("PIP_NO_INDEX", "1")   # what pip sees with no network: no index to ask
    with pytest.raises(errors.ConfigError) as failure:
        splunk_wheels.wheels("3.9")
    message = str(failure.value)
    assert "cannot download the Splunk SOAR app's wheels for Python 3.9" in message
    assert str(tmp_path) in message and "PIP_INDEX_URL" in message and "\n" not in message
    assert not any(tmp_path.iterdir()), "a failed download left a half-filled cache behind"


def test_a_filled_cache_is_used_without_the_network(monkeypatch, splunk_wheels_problem):
    if splunk_wheels_problem:
        pytest.skip(splunk_wheels_problem)
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    for python in splunk_wheels.PYTHONS:
        assert splunk_wheels.wheels(python)


@pytest.fixture(scope="module")
def bundle(splunk_dist):
    return splunk_wheels.bundle()


def test_each_python_lists_its_wheels_and_each_listed_file_is_in_the_app(bundle):
    declared, files = bundle
    assert set(declared) == {"pip39_dependencies", "pip313_dependencies"}
    names = {name for name, _ in files}
    for entries in declared.values():
        assert {e["input_file"] for e in entries["wheel"]} <= names


@pytest.mark.parametrize(("key", "tag"), [("pip39_dependencies", "cp39"), ("pip313_dependencies", "cp313")])
def test_compiled_dependencies_are_bundled_for_that_python_on_manylinux_x86_64(bundle, key, tag):
    wheels = {e["module"]: e["input_file"] for e in bundle[0][key]["wheel"]}
    for module in ("PyYAML", "rpds-py"):
        assert f"-{tag}-" in wheels[module] and "manylinux" in wheels[module] and "x86_64" in wheels[module]
        assert wheels[module].startswith(f"wheels/py{tag[2:]}/")
    assert all(path.startswith("wheels/shared/") for path in wheels.values() if path.endswith("-none-any.whl"))


def test_requests_is_not_bundled_since_splunk_soar_ships_it(bundle):
    modules = {e["module"].lower() for entries in bundle[0].values() for e in entries["wheel"]}
    assert {"jsonschema", "pyyaml"} <= modules and not modules & {"requests", "urllib3", "certifi"}
