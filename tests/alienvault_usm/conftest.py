import pytest

from soarpacks.integrations.alienvault_usm.handlers import make_client
from soarpacks.integrations.alienvault_usm.simulator import Simulator
from soarpacks.integrations.common.registry import get
from soarpacks.integrations.common.retry import FAST_RETRY
from soarpacks.integrations.common.simkit import serve
from tests.support import simulated_instance

INTEGRATION = get("alienvault_usm")


@pytest.fixture
def sim():
    return Simulator(seed=3, retry_after=0, slow_seconds=0.01)


@pytest.fixture
def served(sim):
    with serve(sim) as running:
        yield running


def make_instance(served, store=None, **params):
    return simulated_instance(INTEGRATION.id, served, store=store, **params)


@pytest.fixture
def instance(served):
    return make_instance(served)


@pytest.fixture
def client(served):
    return make_client({**served.params(), "page_size": 25}, retry=FAST_RETRY)
