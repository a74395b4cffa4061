import pytest

from integrations.common.registry import get
from integrations.common.retry import FAST_RETRY
from integrations.common.runner import Instance
from integrations.common.simkit import serve
from integrations.common.state import MemoryStateStore
from integrations.authentic8.simulator import Simulator

INTEGRATION = get("authentic8")


@pytest.fixture
def sim():
    return Simulator(seed=7, retry_after=0, slow_seconds=0.01)


@pytest.fixture
def served(sim):
    with serve(sim) as running:
        yield running


def make_instance(served, store=None, **params):
    return Instance.configure(INTEGRATION, {**served.params(), **params}, store=store or MemoryStateStore(),
                              retry=FAST_RETRY)


@pytest.fixture
def instance(served):
    return make_instance(served)


def extract_commands(post):
    """The extractlog commands of one POST (the simulator records every POSTed array)."""
    return [c for c in post if c.get("command") == "extractlog"]
