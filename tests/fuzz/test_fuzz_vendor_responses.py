"""Whatever a vendor answers (truncated JSON, nulls, swapped types, dropped keys, huge values, HTML
instead of JSON), every command ends in a result or a clear error: never a traceback, never a hang.

A mutating layer sits between each integration and its simulator; hypothesis picks the seed that
decides which answers get mutated and how. A failure names the mutations and the innermost frame of
ours the exception passed through.
"""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from soarpacks.integrations.common.retry import RetryPolicy
from soarpacks.integrations.common.runner import Instance
from soarpacks.integrations.common.state import MemoryStateStore

from tests.conftest import INTEGRATIONS

from .guard import outcome
from .settings import fuzz_settings

# Few attempts: a mutated answer is usually not retryable, and a drain may meet many of them.
RETRY = RetryPolicy(base_delay=0.001, max_delay=0.005, max_retry_after=1.0, max_attempts=3)
FUZZ = fuzz_settings(20)


def _commands(integration_id: str) -> list[str]:
    manifest = INTEGRATIONS[integration_id].manifest
    return [c.name for c in manifest.commands.values() if c.supported]


# Integrations whose response parsers still crash on an unexpected answer. None: the helpers that read
# vendor data are marked @reads_vendor_data (integrations/common/vendordata.py), which turns such a crash
# into a one-line VendorShapeError; a crash anywhere else is a bug of ours and fails this test.
FRAGILE: dict[str, str] = {}


def _case(integration_id: str, command_name: str):
    marks = [pytest.mark.xfail(reason=f"parsers assume well-typed answers: {FRAGILE[integration_id]}", strict=False)] \
        if integration_id in FRAGILE else []
    return pytest.param(integration_id, command_name, marks=marks, id=f"{integration_id}:{command_name}")


COMMANDS = [_case(i, c) for i in sorted(INTEGRATIONS) for c in _commands(i)]


@pytest.mark.parametrize(("integration_id", "command_name"), COMMANDS)
def test_any_vendor_answer_gives_a_result_or_a_clear_error(integration_id, command_name, served_by_id):
    integration = INTEGRATIONS[integration_id]
    served = served_by_id(integration_id)
    layer = served.simulator
    args = layer.simulator.drain_args() if command_name == "fetch-incidents" else \
        layer.simulator.command_examples()[command_name]

    @FUZZ
    @given(seed=st.integers(0, 2 ** 32 - 1), rate=st.sampled_from([0.05, 0.3, 1.0]))
    def check(seed, rate):
        layer.reseed(seed, rate)
        instance = Instance.configure(integration, served.params(), store=MemoryStateStore(), retry=RETRY)
        try:
            if command_name == "fetch-incidents":
                outcome(lambda: instance.fetch_all(args))
            else:
                outcome(lambda: instance.run(command_name, args))
        except AssertionError as failure:
            raise AssertionError(f"{failure}\n  mutations: {layer.log[-5:]}") from None
        finally:
            layer.reseed(0, 0.0)

    check()
