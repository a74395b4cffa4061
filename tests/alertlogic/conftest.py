"""Fixtures for the Alert Logic tests: a seeded simulator on loopback and instances pointed at it."""
from __future__ import annotations

from typing import Any, Callable

import pytest

from soarpacks.integrations.alertlogic.simulator import Simulator
from soarpacks.integrations.common.registry import get
from soarpacks.integrations.common.retry import FAST_RETRY
from soarpacks.integrations.common.runner import Instance
from soarpacks.integrations.common.simkit import serve
from soarpacks.integrations.common.state import MemoryStateStore


@pytest.fixture
def sim() -> Simulator:
    return Simulator(seed=3, incidents=25, retry_after=0)


@pytest.fixture
def server(sim):
    with serve(sim) as running:
        yield running


@pytest.fixture
def make_instance(server) -> Callable[..., Instance]:
    def make(**overrides: Any) -> Instance:
        params = {**server.params(), **overrides}
        return Instance.configure(get("alertlogic"), params, store=MemoryStateStore(), retry=FAST_RETRY)
    return make


@pytest.fixture
def al(make_instance) -> Instance:
    return make_instance()
