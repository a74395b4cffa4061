"""Fixtures for the Alert Logic tests: a seeded simulator on loopback and instances pointed at it."""
from __future__ import annotations

from typing import Any, Callable

import pytest

from integrations.alertlogic.simulator import Simulator
from integrations.common.registry import get
from integrations.common.retry import FAST_RETRY
from integrations.common.runner import Instance
from integrations.common.simkit import serve
from integrations.common.state import MemoryStateStore


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
