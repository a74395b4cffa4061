"""The manifest as typed objects, checked when it is loaded (what its JSON Schema cannot say)."""
from __future__ import annotations

import shutil

import pytest
import yaml

from soarpacks.integrations.common import errors
from soarpacks.integrations.common.manifest import Arg, Param, load_manifest
from soarpacks.integrations.common.registry import INTEGRATIONS_DIR
from soarpacks.tools.validate import validate_all

CISCO = INTEGRATIONS_DIR / "cisco_gta" / "manifest.yaml"


def broken_copy(tmp_path, change) -> object:
    """cisco_gta's manifest under tmp_path/cisco_gta, changed by ``change(data)``."""
    data = yaml.safe_load(CISCO.read_text())
    change(data)
    folder = tmp_path / "cisco_gta"
    folder.mkdir()
    (folder / "manifest.yaml").write_text(yaml.safe_dump(data))
    return folder / "manifest.yaml"


def test_params_and_arguments_load_as_typed_objects():
    manifest = load_manifest(CISCO)
    fetch = manifest.command("fetch-incidents")
    assert all(isinstance(p, Param) for p in manifest.params) and all(isinstance(a, Arg) for a in fetch.args)
    assert manifest.param("client_secret").secret and fetch.arg("max_fetch").has_default


def test_a_typed_argument_still_reads_as_the_manifest_mapping():
    arg = load_manifest(CISCO).command("fetch-incidents").arg("max_fetch")
    assert arg["name"] == "max_fetch" and dict(arg) == dict(arg.raw)


def test_the_json_cache_gives_the_same_typed_manifest(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    first, cached = load_manifest(CISCO), load_manifest(CISCO)
    assert list((tmp_path / "soarpacks" / "manifests").glob("*.json"))
    assert first.commands == cached.commands and first.mirroring == cached.mirroring


def test_a_default_outside_its_own_enum_fails_the_load(tmp_path):
    def change(data):
        data["params"].append({"name": "colour", "type": "string", "enum": ["red"], "default": "blue"})
    with pytest.raises(errors.ConfigError, match="default of colour"):
        load_manifest(broken_copy(tmp_path, change))


def test_an_argument_declared_twice_fails_the_load(tmp_path):
    def change(data):
        fetch = next(c for c in data["commands"] if c["name"] == "fetch-incidents")
        fetch["args"].append(dict(fetch["args"][0]))
    with pytest.raises(errors.ConfigError, match="declared twice"):
        load_manifest(broken_copy(tmp_path, change))


def test_a_mirroring_block_naming_an_unknown_command_fails_the_load(tmp_path):
    def change(data):
        data["mirroring"]["get"]["command"] = "no-such-command"
    with pytest.raises(errors.ConfigError, match="mirroring.get names 'no-such-command'"):
        load_manifest(broken_copy(tmp_path, change))


def test_a_mirroring_block_naming_an_unknown_argument_fails_the_load(tmp_path):
    def change(data):
        data["mirroring"]["modified"]["since_arg"] = "no_such_arg"
    with pytest.raises(errors.ConfigError, match="no argument 'no_such_arg'"):
        load_manifest(broken_copy(tmp_path, change))


def test_validate_reports_a_broken_mirroring_block(tmp_path):
    def change(data):
        data["mirroring"]["get"]["command"] = "no-such-command"
    broken_copy(tmp_path, change)
    problems = validate_all(tmp_path)
    assert len(problems) == 1 and "mirroring.get" in problems[0]
