"""The Cisco GTA client against the simulator: OAuth2 client credentials, the customer id, paging to
the end (GET by cursor, POST bulk search in chunks) and clear errors."""
from __future__ import annotations

import pytest

from soarpacks.integrations.common import errors
from soarpacks.integrations.common.retry import FAST_RETRY
from soarpacks.integrations.common.runner import Instance
from soarpacks.integrations.common.simkit import serve
from soarpacks.integrations.cisco_gta.client import connect
from soarpacks.integrations.cisco_gta.simulator import Simulator

from .conftest import GTA


def test_the_region_picks_the_hosts_and_each_url_param_overrides_its_host():
    client = connect(region="us", client_id="id", client_secret="secret")
    assert client.http.base_url.rstrip("/") == "https://api.cta.amp.cisco.com"
    assert client.identity_url == "https://cta.amp.cisco.com/auth/api-clients/me"
    assert client.console_url == "https://cta.amp.cisco.com"
    moved = connect(region="eu", client_id="id", client_secret="secret", base_url="https://gta.example.test",
                    identity_url="https://id.example.test/me")
    assert moved.http.base_url.rstrip("/") == "https://gta.example.test"
    assert moved.identity_url == "https://id.example.test/me"


def test_the_customer_id_is_looked_up_when_not_configured(sim):
    params = {k: v for k, v in sim.params().items() if k != "customer_id"}
    instance = Instance.configure(GTA, params, retry=FAST_RETRY)
    assert instance.run("test-module").outputs["customer_id"] == "CTA123456789"


def test_a_wrong_client_secret_is_an_auth_error(sim):
    instance = Instance.configure(GTA, {**sim.params(), "client_secret": "wrong-secret"}, retry=FAST_RETRY)
    with pytest.raises(errors.AuthError, match="unknown client"):
        instance.run("test-module")


def test_a_removed_alert_is_a_clear_not_found(gta, sim):
    alert_id = next(iter(sim.simulator.alerts))
    sim.simulator.remove_alert(alert_id)
    with pytest.raises(errors.NotFoundError, match="removed 45 days"):
        gta.run("get-event", {"alert_id": alert_id})


def test_list_alerts_reads_every_page_when_the_limit_is_zero(gta, sim):
    sim.simulator.alerts.update({})
    result = gta.run("cisco-gta-list-alerts", {"limit": 0, "sort": "triggeredAt:asc"})
    assert len(result.outputs) == 300


def test_list_alerts_by_id_uses_the_bulk_search_in_chunks_of_1000():
    simulator = Simulator(alerts=1500)
    with serve(simulator) as served:
        instance = Instance.configure(GTA, served.params(), retry=FAST_RETRY)
        ids = list(simulator.alerts)
        result = instance.run("cisco-gta-list-alerts", {"alert_ids": ",".join(ids), "limit": 0})
        assert len(result.outputs) == 1500 and simulator.count("/alerts/search", "POST") == 2
