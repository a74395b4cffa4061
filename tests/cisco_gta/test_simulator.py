"""The Cisco GTA simulator is faithful to the vendor where clients trip: the bearer scheme, the page cap,
the closing reasons."""
from __future__ import annotations

import requests

from soarpacks.integrations.cisco_gta.simulator import CLOSING_REASONS

from .conftest import GTA


def test_the_simulator_rejects_a_lowercase_bearer_like_the_vendor(sim):
    token = requests.post(sim.url + "/iroh/oauth2/token", data={"grant_type": "client_credentials"},
                          auth=("sim-client", "canary-cisco-gta-secret")).json()["access_token"]
    url = sim.url + "/alert-management/customer/CTA123456789/alerts?size=1"
    assert requests.get(url, headers={"Authorization": f"bearer {token}"}).status_code == 401
    assert requests.get(url, headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert requests.get(url.replace("size=1", "size=1001"), headers={"Authorization": f"Bearer {token}"}).status_code == 400


def test_the_manifest_closing_reasons_are_the_ones_the_simulator_accepts():
    arg = next(a for a in GTA.manifest.command("update-status").args if a["name"] == "closing_reasons")
    assert set(arg["enum"]) == CLOSING_REASONS
