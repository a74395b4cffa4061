import pytest

from soarpacks.integrations.common.registry import get
from soarpacks.integrations.common.retry import FAST_RETRY
from soarpacks.integrations.common.runner import Instance
from soarpacks.integrations.common.simkit import serve
from soarpacks.integrations.common.state import MemoryStateStore
from soarpacks.integrations.cisco_gta.simulator import Simulator

GTA = get("cisco_gta")


@pytest.fixture
def sim():
    simulator = Simulator(alerts=300, retry_after=0)
    with serve(simulator) as served:
        yield served


@pytest.fixture
def gta(sim):
    return Instance.configure(GTA, sim.params(), store=MemoryStateStore(), retry=FAST_RETRY)


def fetch(instance, **args):
    """A fetch from the alert list alone unless a test asks for enrichment (it costs requests per alert)."""
    return instance.fetch_all({"first_fetch": "46 days", "enrich_detections": 0, **args})
