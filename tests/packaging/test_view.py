"""The neutral view of a manifest that the XSOAR and Splunk SOAR exporters share."""
from __future__ import annotations

from dataclasses import replace

import pytest

from soarpacks.tools.packaging import splunk, view, xsoar

from .conftest import INTEGRATIONS


def _with_category(text):
    manifest = INTEGRATIONS["cisco_gta"].manifest
    return replace(manifest, data={**manifest.data, "category": text})


@pytest.mark.parametrize(("text", "neutral"), [
    ("network security", "Network Security"), ("Managed Detection and Response", "Analytics & SIEM"),
    ("Web Security", "Network Security"), ("something else", "Utilities")])
def test_a_manifest_category_folds_onto_one_neutral_name(text, neutral):
    assert view.category(_with_category(text)) == neutral


def test_both_exporters_render_the_same_neutral_category():
    manifest = _with_category("Managed Detection and Response")
    assert xsoar.category(manifest) == "Analytics & SIEM" and splunk.APP_TYPES[view.category(manifest)] == "siem"


@pytest.mark.parametrize(("value", "text", "typed"), [
    (True, "true", True), (5, "5", 5), (["a", "b"], "a,b", "a,b"), ({"k": 1}, '{"k": 1}', '{"k": 1}'), ("x", "x", "x")])
def test_defaults_as_text_for_forms_and_typed_where_the_platform_keeps_types(value, text, typed):
    assert view.default_text(value) == text and view.typed_default(value) == typed


def test_settings_are_the_params_then_the_fetch_arguments_under_their_setting_names(integration):
    names = [name for name, _, _ in view.settings(integration.manifest)]
    params = [p["name"] for p in integration.manifest.params]
    assert names[:len(params)] == params and len(names) == len(set(names))
    assert all(is_fetch for _, _, is_fetch in view.settings(integration.manifest)[len(params):])
