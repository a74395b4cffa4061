"""Connection failures every integration classifies the same way: a certificate that does not verify
or an unknown host is a configuration error (exit 3) at once, never retried; ``insecure=true`` costs
one warning line, not one per request."""
from __future__ import annotations

import shutil
import socket
import subprocess
import warnings
from urllib.parse import urlsplit, urlunsplit

import pytest

from soarpacks.integrations.common import errors
from soarpacks.integrations.common.retry import RetryPolicy
from soarpacks.integrations.common.runner import Instance
from soarpacks.integrations.common.simkit import serve
from soarpacks.integrations.common.state import MemoryStateStore
from soarpacks.tools.cli import main

UNKNOWN = "no-such-host.invalid"


@pytest.fixture(scope="module")
def self_signed(tmp_path_factory):
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a self-signed certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "2", "-subj", "/CN=127.0.0.1"], check=True, capture_output=True)
    return str(cert), str(key)


@pytest.fixture
def served_tls(integration, self_signed):
    with serve(integration.simulator_class()(seed=0, retry_after=0), ssl_context=self_signed) as running:
        yield running


def _counting_instance(integration, params, waits):
    return Instance.configure(integration, params, store=MemoryStateStore(),
                              retry=RetryPolicy(base_delay=0.001, max_delay=0.01, sleep=waits.append))


def test_a_certificate_that_does_not_verify_is_a_config_error_at_once(integration, served_tls):
    waits: list = []
    instance = _counting_instance(integration, served_tls.params(), waits)
    with pytest.raises(errors.ConfigError) as failure:
        instance.run("test-module")
    assert failure.value.exit_code == 3 and waits == []
    assert "certificate verify failed for host 127.0.0.1" in failure.value.message
    assert "insecure=true" in failure.value.message


def test_insecure_true_warns_once_instead_of_on_every_request(integration, served_tls, capsys):
    params = [f"--param={k}={v}" for k, v in {**served_tls.params(), "insecure": "true"}.items()]
    with warnings.catch_warnings(record=True) as shown:
        warnings.simplefilter("always")
        code = main(["run", integration.id, "fetch-incidents", *params, "-o", "json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert [w for w in shown if "InsecureRequestWarning" in type(w.message).__name__ + str(w.category)] == []
    assert len(err.strip().splitlines()) == 1 and "verification is off" in err


def _on_host(params, host):
    def moved(value):
        parts = urlsplit(value) if isinstance(value, str) and "://" in value else None
        return urlunsplit(parts._replace(netloc=f"{host}:{parts.port}")) if parts else value
    return {name: moved(value) for name, value in params.items()}


def test_an_unknown_host_is_a_config_error_at_once(integration, served, monkeypatch):
    resolve = socket.getaddrinfo

    def no_such_name(host, *args, **kwargs):
        if host == UNKNOWN:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return resolve(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", no_such_name)
    waits: list = []
    instance = _counting_instance(integration, _on_host(served.params(), UNKNOWN), waits)
    with pytest.raises(errors.ConfigError) as failure:
        instance.run("test-module")
    assert waits == [] and f"unknown host {UNKNOWN}" in failure.value.message


def test_a_refused_connection_stays_transient(integration, served):
    with socket.socket() as probe:   # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    params = {k: (v.replace(f":{urlsplit(served.url).port}", f":{port}") if isinstance(v, str) else v)
              for k, v in served.params().items()}
    waits: list = []
    with pytest.raises(errors.TransientError):
        _counting_instance(integration, params, waits).run("test-module")
    assert waits, "a refused connection is retried"


def test_a_404_where_no_id_was_given_is_a_config_error(integration, served):
    """test-module names no object: a 404 there means the instance's URL is wrong (exit 3)."""
    params = served.params()
    params["base_url"] = params["base_url"].rstrip("/") + "/no-such-prefix"
    with pytest.raises(errors.SoarpacksError) as failure:
        _counting_instance(integration, params, []).run("test-module")
    assert failure.value.exit_code == 3, failure.value.message
