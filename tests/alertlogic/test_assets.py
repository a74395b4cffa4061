"""The asset context commands against the simulator's assets_query: alertlogic-find-assets,
alertlogic-get-asset, alertlogic-get-incident-assets, and alertlogic-list-incident-filters."""
from __future__ import annotations

import pytest

from soarpacks.integrations.alertlogic.simulator import Simulator
from soarpacks.integrations.common import errors
from soarpacks.integrations.common.simkit import json_response, serve
from tests.support import simulated_instance


def a_host(sim):
    return next(iter(sim.hosts().values()))


def test_find_assets_by_private_ip_returns_that_host(al, sim):
    host = a_host(sim)
    found = al.run("alertlogic-find-assets", {"ip_address": host["private_ip_addresses"][0]}).outputs
    assert host["key"] in [h["key"] for h in found]


def test_find_assets_by_public_ip_returns_that_host(al, sim):
    host = a_host(sim)
    found = al.run("alertlogic-find-assets", {"ip_address": host["public_ip_addresses"][0]}).outputs
    assert [h["key"] for h in found] == [host["key"]]
    assert found[0]["name"] == host["name"] and found[0]["deployment_id"] == host["deployment_id"]


def test_find_assets_by_host_name_returns_that_host(al, sim):
    host = a_host(sim)
    assert [h["key"] for h in al.run("alertlogic-find-assets", {"host_name": host["name"]}).outputs] == [host["key"]]


def test_find_assets_reads_every_page_by_continue_token(al, sim):
    sim.asset_page_cap = 2
    added = [sim.add_host(f"pool-{n}", private_ip_addresses=["10.9.9.9"])["key"] for n in range(5)]
    found = al.run("alertlogic-find-assets", {"ip_address": "10.9.9.9"}).outputs
    assert [h["key"] for h in found] == added
    assert sim.count("/assets_query/v1/") == 3 + 1  # three pages of private addresses, one of public


def test_find_assets_stops_at_max_results(al, sim):
    for n in range(5):
        sim.add_host(f"pool-{n}", private_ip_addresses=["10.9.9.9"])
    assert len(al.run("alertlogic-find-assets", {"ip_address": "10.9.9.9", "max_results": 3}).outputs) == 3


@pytest.mark.parametrize("args", [{}, {"ip_address": "10.0.0.1", "host_name": "web-01"}])
def test_find_assets_needs_exactly_one_of_ip_address_and_host_name(al, args):
    with pytest.raises(errors.InputError, match="ip_address or host_name"):
        al.run("alertlogic-find-assets", args)


def test_find_assets_asks_assets_query_on_the_iris_host_without_an_endpoints_lookup(al, sim):
    al.run("alertlogic-find-assets", {"host_name": a_host(sim)["name"]})
    assert sim.count("/services/assets_query/endpoint") == 0


def test_get_asset_gives_the_details_and_every_exposure(al, sim):
    sim.asset_page_cap = 2
    host = max(sim.hosts().values(), key=lambda h: len(sim.exposures_of(h["key"])))
    expected = sim.exposures_of(host["key"])
    out = al.run("alertlogic-get-asset", {"key": host["key"], "deployment_id": host["deployment_id"]}).outputs
    assert out["name"] == host["name"] and out["deployment_name"] == sim.deployment()["name"]
    assert out["related"] == {"region": 1, "tag": len(host["tags"])}
    assert [e["vulnerability_id"] for e in out["exposures"]] == [e["vulnerability_id"] for e in expected]
    assert out["exposure_total"] == len(expected) > 2 and out["exposures_truncated"] is False


def test_get_asset_reads_cve_and_cvss_from_the_exposure_details(al, sim):
    host = next(h for h in sim.hosts().values()
                if any("CVE" in e["vinstances"][0]["details"] for e in sim.exposures_of(h["key"])))
    out = al.run("alertlogic-get-asset", {"key": host["key"], "deployment_id": host["deployment_id"]}).outputs
    with_cve = [e for e in out["exposures"] if e["cve"]]
    assert with_cve and all(e["cve"].startswith("CVE-") and isinstance(e["cvss_score"], float) for e in with_cve)
    assert sum(out["severities"].values()) == out["exposure_count"]


def test_get_asset_with_max_exposures_zero_reads_no_exposures(al, sim):
    host = a_host(sim)
    out = al.run("alertlogic-get-asset", {"key": host["key"], "deployment_id": host["deployment_id"],
                                          "max_exposures": 0}).outputs
    assert out["exposures"] == [] and sim.count("/exposures") == 0


def test_get_asset_of_an_unknown_key_is_not_found(al, sim):
    with pytest.raises(errors.NotFoundError, match="no host /aws/us-east-1/host/i-0"):
        al.run("alertlogic-get-asset", {"key": "/aws/us-east-1/host/i-0", "deployment_id": a_host(sim)["deployment_id"]})


def test_incident_assets_match_the_target_host_and_list_the_address_no_asset_has(al, sim):
    incident_id = next(iter(sim.incidents))
    incident = sim.incidents[incident_id]
    out = al.run("alertlogic-get-incident-assets", {"incident_id": incident["humanFriendlyId"]}).outputs
    host = sim.hosts()[incident["asset_host_name"]]
    assert out["incident_id"] == incident_id
    assert [(a["key"], a["matched_by"]) for a in out["assets"]] == [(host["key"], [host["name"]])]
    assert out["unmatched"] == [incident["victim"]["ip"]]
    assert out["assets"][0]["exposure_count"] == len(sim.exposures_of(host["key"]))


def test_incident_filters_are_the_documented_values_and_the_accounts_classes(al, sim):
    out = al.run("alertlogic-list-incident-filters", {}).outputs
    assert out["threat_level"] == ["Info", "Low", "Medium", "High", "Critical"]
    assert out["escalated"] == [True, False] and "Network IDS" in out["detection_source"]
    assert {i["incident_attack_class"] for i in sim.incidents.values()} <= set(out["class"])


class RepeatingContinue(Simulator):
    """assets_query answering the same continue token forever."""

    def query_assets(self, request, account_id):
        return json_response({"assets": [[dict(next(iter(self.hosts().values())), host_uuid=None)]], "rows": 1,
                              "continue": "same", "total_assets": 99})


def test_a_repeated_continue_token_stops_paging_with_a_vendor_error():
    sim = RepeatingContinue(seed=4, incidents=2, retry_after=0)
    with serve(sim) as running:
        instance = simulated_instance("alertlogic", running)
        with pytest.raises(errors.VendorError, match="repeated a continue token"):
            instance.run("alertlogic-find-assets", {"host_name": "web-01", "max_results": 50})
