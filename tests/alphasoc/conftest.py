"""Fixtures for the AlphaSOC tests: a seeded simulator on loopback and an instance pointed at it."""
from __future__ import annotations

import pytest

from soarpacks.integrations.alphasoc import client as alphasoc_client
from soarpacks.integrations.alphasoc.simulator import Simulator
from soarpacks.integrations.common.registry import get
from soarpacks.integrations.common.retry import FAST_RETRY
from soarpacks.integrations.common.runner import Instance
from soarpacks.integrations.common.simkit import serve
from soarpacks.integrations.common.state import MemoryStateStore
from tests.support import simulated_instance


@pytest.fixture
def sim() -> Simulator:
    return Simulator(seed=7, alerts=60, page_size=25)


@pytest.fixture
def server(sim):
    with serve(sim) as running:
        yield running


@pytest.fixture
def alphasoc(server) -> Instance:
    """An instance as the CLI builds it: manifest-validated args, a state store, fast retries."""
    return simulated_instance("alphasoc", server)


@pytest.fixture
def client(server) -> alphasoc_client.AlphaSocClient:
    return alphasoc_client.make_client(server.params(), retry=FAST_RETRY)


def http_params(httpserver, **extra) -> dict:
    return {"base_url": httpserver.url_for("/").rstrip("/"), "api_key": "canary-test-key", "insecure": False, **extra}


@pytest.fixture
def wire(httpserver) -> Instance:
    """An instance against pytest-httpserver, for tests that script the vendor's answers exactly."""
    return Instance.configure(get("alphasoc"), http_params(httpserver), store=MemoryStateStore(), retry=FAST_RETRY)
