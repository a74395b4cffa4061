"""Secrets stay masked in ``--debug`` output too: request logs, retries, tracebacks, and vendor error
bodies that echo credentials back (some APIs quote the rejected token in their error message)."""
from __future__ import annotations

import json
import logging
import re
from typing import Any, Callable, Iterable

import pytest
from werkzeug.wrappers import Request, Response

from soarpacks.integrations.common import errors
from soarpacks.integrations.common.registry import command
from soarpacks.integrations.common.simkit import ServedSimulator
from soarpacks.tools.cli import main

CREDENTIAL_HEADERS = ("authorization", "x-aims-auth-token", "x-api-key", "cookie")


class EchoingVendor:
    """The simulator, except that after ``after`` good answers every request is rejected with a body
    quoting the request's credential headers and body back, as careless APIs do."""

    def __init__(self, simulator: Any, *, after: int, status: int) -> None:
        self.simulator, self.name = simulator, simulator.name
        self.after, self.status = after, status
        self.credentials: set[str] = set()

    def integration_params(self, base_url: str) -> dict[str, Any]:
        return self.simulator.integration_params(base_url)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        request = Request(environ)
        headers = {k: v for k, v in request.headers.items() if k.lower() in CREDENTIAL_HEADERS}
        for value in headers.values():
            self.credentials.add(value)
            self.credentials.update(part for part in re.split(r"\s+", value) if len(part) >= 8)
        if self.after > 0:
            self.after -= 1
            return self.simulator(environ, start_response)
        body = request.get_data(as_text=True)
        echo = {"message": f"rejected credentials {headers} for request body {body}", "error": json.dumps(headers)}
        return Response(json.dumps(echo), status=self.status, mimetype="application/json")(environ, start_response)


def _debug_run(capsys, caplog, integration_id: str, command_name: str, params: dict[str, Any], tmp_path) -> str:
    caplog.set_level(logging.DEBUG)
    code = main(["--debug", "run", integration_id, command_name, *[f"--param={k}={v}" for k, v in params.items()],
                 f"--state={tmp_path / 'state.sqlite3'}"])
    out, err = capsys.readouterr()
    assert code in (0, 1, 2, 3, 4), err
    return "\n".join([out, err, caplog.text])


def _secret_values(integration, params: dict[str, Any]) -> list[str]:
    return [str(params[name]) for name in integration.manifest.secret_params if params.get(name)]


@pytest.mark.parametrize(("after", "status"), [(0, 400), (1, 400), (1, 401), (2, 403)],
                         ids=["login rejected", "first call rejected", "first call unauthorized", "second call forbidden"])
def test_credentials_a_vendor_echoes_back_are_masked_in_debug_output(integration, after, status, capsys, caplog,
                                                                     tmp_path):
    simulator = integration.simulator_class()(seed=0, retry_after=0)
    vendor = EchoingVendor(simulator, after=after, status=status)
    served = ServedSimulator(vendor)
    try:
        params = served.params()
        output = _debug_run(capsys, caplog, integration.id, "test-module", params, tmp_path)
    finally:
        served.close()
    leaked = [s for s in _secret_values(integration, params) + sorted(vendor.credentials) if s in output]
    assert leaked == [], output[-2000:]


@pytest.mark.parametrize("failure", [
    lambda secret: errors.VendorError(f"vendor says: unknown key {secret}"),
    lambda secret: errors.InputError(f"bad value {secret}"),
    lambda secret: RuntimeError(f"a bug of ours, holding {secret}"),
    lambda secret: KeyError(secret),
], ids=["vendor error", "input error", "bug", "key error"])
def test_a_traceback_under_debug_masks_the_secrets_in_its_messages(failure, monkeypatch, capsys, caplog, tmp_path):
    from soarpacks.integrations.cisco_gta import handlers
    from soarpacks.integrations.cisco_gta.simulator import Simulator

    simulator = Simulator(seed=0, alerts=10)
    secret = simulator.client_secret

    @command("test-module")
    def failing_test_module(client):
        logging.getLogger("soarpacks.test").debug("about to fail with %s", secret)
        raise failure(secret)

    monkeypatch.setattr(handlers, "test_module", failing_test_module)
    with ServedSimulator(simulator) as served:
        output = _debug_run(capsys, caplog, "cisco_gta", "test-module", served.params(), tmp_path)
    assert "Traceback" in output
    assert secret not in output
