import pytest

from soarpacks.integrations.common.simkit import ServedSimulator

from tests.conftest import INTEGRATIONS

from .mutate import MutatingLayer


@pytest.fixture(scope="module")
def served_by_id():
    """One simulator per integration, behind a mutating layer (off until reseeded), for the module:
    building a world takes long enough that one per hypothesis example would not fit in CI."""
    running: dict[str, ServedSimulator] = {}

    def get(integration_id: str) -> ServedSimulator:
        if integration_id not in running:
            simulator = INTEGRATIONS[integration_id].simulator_class()(seed=0, retry_after=0, slow_seconds=0.01)
            running[integration_id] = ServedSimulator(MutatingLayer(simulator))
        return running[integration_id]

    yield get
    for served in running.values():
        served.close()


@pytest.fixture(scope="module", autouse=True)
def quiet_servers():
    # ServedSimulator without simkit.serve(): keep werkzeug's per-request access log out of the output.
    import logging
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
