import pytest

from integrations.common.registry import discover
from integrations.common.retry import FAST_RETRY
from integrations.common.runner import Instance
from integrations.common.simkit import serve
from integrations.common.state import MemoryStateStore

INTEGRATIONS = discover()


@pytest.fixture(params=sorted(INTEGRATIONS), ids=str)
def integration(request):
    return INTEGRATIONS[request.param]


@pytest.fixture
def served(integration):
    """A fresh simulator for the integration, on loopback; Retry-After 0 so fault tests stay fast."""
    simulator = integration.simulator_class()(seed=0, retry_after=0, slow_seconds=0.05)
    with serve(simulator) as running:
        yield running


@pytest.fixture
def instance(integration, served):
    return Instance.configure(integration, served.params(), store=MemoryStateStore(), retry=FAST_RETRY)
