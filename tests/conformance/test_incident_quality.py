"""Incidents an analyst can triage from the list, for every integration: a specific name ("<threat or
detection title> on <asset>", or the vendor's own title), defanged, with no doubled vendor name, and at
least one indicator wherever the vendor's record holds one."""
from __future__ import annotations

import re

import pytest

FIRST = 15   # the first incidents of a fetch with the integration's default arguments


@pytest.fixture
def incidents(integration, served, instance):
    """A first fetch as a new user runs it: default arguments (Cisco's enrichment on), a small max_fetch."""
    args = {k: v for k, v in served.simulator.drain_args().items() if k != "enrich_detections"}
    if any(a["name"] == "max_fetch" for a in integration.manifest.command("fetch-incidents").args):
        args["max_fetch"] = FIRST
    found = instance.fetch_all(args)[:FIRST]
    assert found
    return found


def _generic(name, incident, manifest):
    """What a name that says nothing looks like: the vendor's or product's name, or the record's id."""
    return (name.lower().startswith((manifest.vendor.lower(), manifest.name.lower()))
            or incident["id"][:8].lower() in name.lower())


def test_a_fetched_incident_has_a_specific_name(integration, incidents):
    generic = [i["name"] for i in incidents if _generic(i["name"], i, integration.manifest)]
    assert generic == [], generic[:3]


def test_no_name_repeats_a_word_at_its_start(incidents):
    for incident in incidents:
        assert not re.match(r"^(\w+) \1\b", incident["name"], re.I), incident["name"]


def test_names_are_defanged(incidents):
    for incident in incidents:
        name = incident["name"]
        assert not re.search(r"\bhttps?://", name, re.I), name
        assert not re.search(r"(?<![\w.])\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}(?!\w)", name), name


# What in each vendor's record is an indicator, where it holds one.
HOLDS_INDICATOR = {
    "alertlogic": lambda raw: raw.get("attacker") or raw.get("victim") or raw.get("asset_host_name"),
    "alienvault_usm": lambda raw: raw.get("alarm_sources") or raw.get("alarm_destinations"),
    "alphasoc": lambda raw: (raw.get("event") or {}).get("srcIP") or (raw.get("event") or {}).get("query"),
    "authentic8": lambda raw: raw.get("client_ip") or raw.get("domain") or raw.get("user_id"),
    # A Cisco alert names no asset itself: its threat detections do, read when the fetch enriches.
    "cisco_gta": lambda raw: True,
}


def test_an_incident_has_an_indicator_where_the_vendor_record_holds_one(integration, incidents):
    holding = [i for i in incidents if HOLDS_INDICATOR[integration.id](i["raw"])]
    assert holding
    if integration.id == "cisco_gta":   # only alerts with threat detections name an asset
        holding = [i for i in holding if i["labels"].get("detections")]
    assert holding and all(i["indicators"] for i in holding), [i["name"] for i in holding if not i["indicators"]]
