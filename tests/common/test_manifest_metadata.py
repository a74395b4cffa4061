"""Vendor code reads its metadata from its manifest: the severity mapping, params, arguments and columns."""
from __future__ import annotations

import pytest

from soarpacks.integrations.common.manifest import vendor_manifest


def test_a_vendor_manifest_is_loaded_once_per_process():
    assert vendor_manifest("authentic8") is vendor_manifest("authentic8")


def test_the_severity_mapping_is_the_manifests_table():
    assert vendor_manifest("cisco_gta").severity_mapping == {"Low": 1, "Medium": 2, "High": 3, "Critical": 4}


def test_a_param_and_an_argument_are_found_by_name_with_their_defaults():
    manifest = vendor_manifest("authentic8")
    assert manifest.param("base_url")["default"] == "https://extapi.authentic8.com"
    assert manifest.command("fetch-incidents").arg("page_size")["default"] == 1000


def test_a_name_the_manifest_does_not_declare_is_our_bug_not_a_user_error():
    manifest = vendor_manifest("cisco_gta")
    with pytest.raises(KeyError, match="no param 'nope'"):
        manifest.param("nope")
    with pytest.raises(KeyError, match="no argument 'nope'"):
        manifest.command("get-event").arg("nope")


def test_columns_are_the_output_tables_in_order_and_none_without_outputs():
    manifest = vendor_manifest("cisco_gta")
    assert manifest.command("cisco-gta-set-note").columns == ["id", "status.value", "note", "modifiedAt"]
    assert manifest.command("fetch-incidents").columns == []
