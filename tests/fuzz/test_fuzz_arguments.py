"""Any arguments to any command give a result or a clear error (``SoarpacksError``): never a traceback,
never a hang. Arguments come from the manifest's specs; the simulator answers faithfully."""
from __future__ import annotations

import pytest
from hypothesis import given

from soarpacks.integrations.common.retry import FAST_RETRY
from soarpacks.integrations.common.runner import Instance
from soarpacks.integrations.common.state import MemoryStateStore

from tests.conftest import INTEGRATIONS

from .guard import outcome
from .settings import fuzz_settings
from .strategies import command_args

COMMANDS = [(i, c) for i in sorted(INTEGRATIONS) for c in INTEGRATIONS[i].manifest.commands]
FUZZ = fuzz_settings(25)


@pytest.mark.parametrize(("integration_id", "command_name"), COMMANDS, ids=[f"{i}:{c}" for i, c in COMMANDS])
def test_any_arguments_give_a_result_or_a_clear_error(integration_id, command_name, served_by_id):
    integration = INTEGRATIONS[integration_id]
    served = served_by_id(integration_id)
    served.simulator.reseed(0, rate=0.0)
    examples = served.simulator.simulator.command_examples()
    examples["fetch-incidents"] = served.simulator.simulator.drain_args()
    command = integration.manifest.command(command_name)

    @FUZZ
    @given(args=command_args(command, examples.get(command_name)))
    def check(args):
        instance = Instance.configure(integration, served.params(), store=MemoryStateStore(), retry=FAST_RETRY)
        if command_name == "fetch-incidents":
            outcome(lambda: instance.fetch_all(args))
        else:
            outcome(lambda: instance.run(command_name, args))

    check()
