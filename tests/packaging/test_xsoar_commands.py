"""xsoar command names: XSOAR's command names are global across every installed integration, so every pack's
commands carry its vendor (from the manifest's ``platform_name``) and no two packs declare the same one."""
from __future__ import annotations

import dataclasses

import pytest

from soarpacks.integrations.common import errors
from soarpacks.integrations.common.platform.splunk_names import vendor_words
from soarpacks.integrations.common.registry import Integration
from soarpacks.tools.packaging import xsoar

from .conftest import INTEGRATIONS
from .test_xsoar import _unified


def _declared(dist, integration):
    return [c["name"] for c in _unified(dist, integration)["script"]["commands"]
            if c["name"] not in xsoar.PLATFORM_COMMANDS]


def test_every_xsoar_command_starts_with_its_vendor(integration, dist):
    vendor = vendor_words(integration.manifest)
    for name in _declared(dist, integration):
        first, *rest = name.split("-")
        assert first in vendor and rest, name


def test_no_two_packs_declare_the_same_xsoar_command(dist):
    seen: dict[str, str] = {}
    for name, integration in INTEGRATIONS.items():
        for command in _declared(dist, integration):
            assert seen.setdefault(command, name) == name, f"{command}: {seen[command]} and {name}"


def test_a_generic_command_without_a_vendor_platform_name_fails_the_build():
    integration = INTEGRATIONS["cisco_gta"]
    manifest = integration.manifest
    bare = dataclasses.replace(manifest.commands["get-event"], platform_name="")
    broken = Integration(dataclasses.replace(manifest, commands={**manifest.commands, "get-event": bare}))
    with pytest.raises(errors.ConfigError, match="'get-event' is not vendor-prefixed"):
        xsoar.integration_yaml(broken)


def test_two_packs_declaring_the_same_command_fail_the_build():
    original = INTEGRATIONS["alertlogic"]
    twin = Integration(dataclasses.replace(original.manifest, id="alertlogic_twin"))
    with pytest.raises(errors.ConfigError, match="declared by both alertlogic and alertlogic_twin"):
        xsoar.check_command_names([original, twin])
    xsoar.check_command_names(INTEGRATIONS.values())   # the packs as shipped do not clash


def test_write_commands_carry_xsoars_potentially_harmful_marker_and_reads_do_not(integration, dist):
    declared = {c["name"]: c for c in _unified(dist, integration)["script"]["commands"]}
    writes = 0
    for command in integration.manifest.commands.values():
        if not command.supported or command.name in xsoar.PLATFORM_COMMANDS:
            continue
        entry = declared[command.exported_name]
        if command.effect == "write":
            writes += 1
            assert entry.get("execution") is True, command.exported_name
        else:
            assert not entry.get("execution"), command.exported_name
    if integration.id in ("alertlogic", "cisco_gta", "alienvault_usm"):
        assert writes, "a vendor with status or label changes declares no write command"
