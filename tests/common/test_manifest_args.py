"""Arguments: key=value strings coerced to the manifest's types, bad ones rejected in one line."""
from __future__ import annotations

import pytest

from soarpacks.integrations.common import errors
from soarpacks.integrations.common.arguments import coerce_values

SPECS = (
    {"name": "limit", "type": "integer", "default": 50, "minimum": 1, "maximum": 1000},
    {"name": "status", "type": "string", "enum": ["New", "Open", "Closed"]},
    {"name": "ids", "type": "array"},
    {"name": "flag", "type": "boolean", "default": False},
    {"name": "alert_id", "type": "string", "required": True},
    {"name": "filter", "type": "json"},
)


def coerce(**given):
    return coerce_values(SPECS, {"alert_id": "x", **given}, what="cmd")


def test_strings_become_the_declared_types_and_defaults_fill_in():
    assert coerce(limit="10", ids="a, b", flag="yes", filter='{"k": 1}') == {
        "limit": 10, "ids": ["a", "b"], "flag": True, "alert_id": "x", "filter": {"k": 1}}
    assert coerce() == {"limit": 50, "flag": False, "alert_id": "x"}


def test_a_json_list_is_accepted_for_an_array():
    assert coerce(ids='["a,b", "c"]')["ids"] == ["a,b", "c"]


@pytest.mark.parametrize("given,message", [
    ({"limit": "ten"}, "limit: 'ten' is not a whole number"),
    ({"limit": "5000"}, "limit: 5000 is greater than the maximum of 1000"),
    ({"status": "Done"}, "status: 'Done' is not one of New, Open, Closed"),
    ({"flag": "perhaps"}, "flag: 'perhaps' is not true or false"),
    ({"bogus": "1"}, "unknown argument 'bogus'"),
    ({"filter": "{"}, "filter: '{' is not valid JSON"),
])
def test_bad_values_give_one_clear_line(given, message):
    with pytest.raises(errors.InputError) as failure:
        coerce(**given)
    assert message in str(failure.value) and "\n" not in str(failure.value)


def test_an_integral_float_is_a_whole_number_as_splunk_soar_sends_numbers():
    assert coerce(limit=5.0)["limit"] == 5 and isinstance(coerce(limit=5.0)["limit"], int)


def test_a_fractional_float_is_still_not_a_whole_number():
    with pytest.raises(errors.InputError, match="limit: 5.5 is not a whole number"):
        coerce(limit=5.5)


def test_a_missing_required_argument_is_named():
    with pytest.raises(errors.InputError, match="cmd: alert_id is required"):
        coerce_values(SPECS, {}, what="cmd")


def test_a_cached_manifest_loads_without_yaml_or_jsonschema(tmp_path):
    import subprocess
    import sys
    code = ("import sys; from soarpacks.integrations.common.registry import get; get('cisco_gta'); "
            "print('yaml' in sys.modules, 'jsonschema' in sys.modules)")
    env = {"XDG_CACHE_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    first = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    second = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert first.stdout.split() == ["True", "True"]
    assert second.stdout.split() == ["False", "False"]


def test_an_invalid_manifest_is_a_config_error_naming_where(tmp_path):
    from soarpacks.integrations.common.manifest import load_manifest
    bad = tmp_path / "manifest.yaml"
    bad.write_text("id: Bad Id\nname: x\n")
    with pytest.raises(errors.ConfigError, match="is invalid at"):
        load_manifest(bad)
