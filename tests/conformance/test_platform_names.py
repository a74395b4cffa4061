"""Platform names: XSOAR and Splunk SOAR keep one global namespace of command names across every installed
integration, so each exported command has a vendor-prefixed name (the manifest's ``platform_name``, or its
name when that already carries the prefix), and the CLI answers to it as well as to the role name."""
from __future__ import annotations

import json
from collections import Counter

from soarpacks.tools.cli import main

from .test_conformance import _cli
from ..conftest import INTEGRATIONS

PLATFORM_RESERVED = {"test-module", "fetch-incidents"}   # names XSOAR itself calls


def _exported(integration):
    return [c for c in integration.manifest.commands.values() if c.supported and c.name not in PLATFORM_RESERVED]


def test_no_two_integrations_export_a_command_under_the_same_name():
    names = Counter(c.exported_name for i in INTEGRATIONS.values() for c in _exported(i))
    assert [name for name, count in names.items() if count > 1] == []


def test_every_exported_command_of_an_integration_shares_one_vendor_prefix(integration):
    prefixes = {c.exported_name.split("-")[0] for c in _exported(integration)}
    assert len(prefixes) <= 1, prefixes
    assert not prefixes & {"get", "update", "list", "set", "delete", "search"}


def test_the_generic_roles_have_a_platform_name_with_the_vendors_noun(integration):
    for role in ("get-event", "update-status"):
        command = integration.manifest.commands.get(role)
        if command is not None and command.supported:
            assert command.platform_name and command.platform_name != role


def test_the_cli_runs_a_command_by_its_platform_name_as_by_its_role_name(integration, served, capsys, tmp_path):
    params = [f"--param={k}={v}" for k, v in served.params().items()]
    examples = served.simulator.command_examples()
    renamed = [c for c in _exported(integration) if c.platform_name and c.effect == "read" and c.name in examples]
    for command in renamed:
        args = [f"{k}={json.dumps(v) if isinstance(v, (list, dict)) else v}" for k, v in examples[command.name].items()]
        outputs = []
        for name in (command.name, command.platform_name):
            code, out, err = _cli(capsys, "run", integration.id, name, *args, *params, "-o", "json",
                                  f"--state={tmp_path / 's.db'}")
            assert code == 0, err
            outputs.append(json.loads(out))
        assert outputs[0] == outputs[1]


def test_an_unknown_command_name_is_bad_input_listing_the_commands(capsys):
    assert main(["run", "cisco_gta", "gta-no-such-command", "--simulate"]) == 2
    assert "has no command 'gta-no-such-command'" in capsys.readouterr().err
