"""Artifacts never collide by case: on a case-insensitive file system two names that differ only by
case are one file (``alphasoc-1.0.0.zip`` and ``AlphaSOC-1.0.0.zip`` did)."""
from __future__ import annotations

from soarpacks.integrations.common.registry import discover
from soarpacks.tools.packaging.native import native_name
from soarpacks.tools.packaging.splunk import splunk_name
from soarpacks.tools.packaging.xsoar import xsoar_name

INTEGRATIONS = discover().values()


def test_no_two_artifacts_differ_only_by_case():
    names = [name(i) for i in INTEGRATIONS for name in (native_name, xsoar_name, splunk_name)]
    assert len({n.lower() for n in names}) == len(names)


def test_every_artifact_carries_its_target_in_the_name():
    for integration in INTEGRATIONS:
        version = integration.manifest.version
        assert native_name(integration) == f"{integration.id}-{version}-native.zip"
        assert xsoar_name(integration) == f"{integration.id}-{version}-xsoar.zip"
        assert splunk_name(integration) == f"{integration.id}-{version}-splunk.tgz"
