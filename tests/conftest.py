import pytest

from soarpacks.integrations.common.registry import discover
from soarpacks.integrations.common.simkit import serve
from tests.support import simulated_instance

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
    return simulated_instance(integration.id, served)
