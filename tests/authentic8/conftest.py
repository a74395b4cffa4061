import pytest

from soarpacks.integrations.common.registry import get
from soarpacks.integrations.common.simkit import serve
from tests.support import simulated_instance
from soarpacks.integrations.authentic8.simulator import Simulator

INTEGRATION = get("authentic8")


@pytest.fixture
def sim():
    return Simulator(seed=7, retry_after=0, slow_seconds=0.01)


@pytest.fixture
def served(sim):
    with serve(sim) as running:
        yield running


def make_instance(served, store=None, **params):
    return simulated_instance(INTEGRATION.id, served, store=store, **params)


@pytest.fixture
def instance(served):
    return make_instance(served)


def extract_commands(post):
    """The extractlog commands of one POST (the simulator records every POSTed array)."""
    return [c for c in post if c.get("command") == "extractlog"]
