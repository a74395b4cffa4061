"""TLS certificates are verified unless an instance explicitly sets ``insecure``: checked on the wire,
at the one place every request of every integration passes (requests' transport adapter), for every
request a command makes, token and login requests included."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest
import requests

from soarpacks.integrations.common.retry import FAST_RETRY
from soarpacks.integrations.common.runner import Instance
from soarpacks.integrations.common.state import MemoryStateStore


REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def verify_seen(monkeypatch):
    """The ``verify`` of every request that reaches the transport."""
    seen: list = []
    send = requests.adapters.HTTPAdapter.send

    def recording(self, request, *args, **kwargs):
        seen.append(kwargs.get("verify", args[2] if len(args) > 2 else None))
        return send(self, request, *args, **kwargs)

    monkeypatch.setattr(requests.adapters.HTTPAdapter, "send", recording)
    return seen


def _test_and_fetch(integration, params):
    instance = Instance.configure(integration, params, store=MemoryStateStore(), retry=FAST_RETRY)
    for name in ("test-module", "fetch-incidents"):
        instance.run(name, {})


def test_certificates_are_verified_by_default(integration, served, verify_seen):
    params = {k: v for k, v in served.params().items() if k != "insecure"}
    _test_and_fetch(integration, params)
    assert verify_seen, "no request reached the transport"
    assert all(v is True or (isinstance(v, str) and v) for v in verify_seen), verify_seen


def test_insecure_is_a_boolean_param_that_defaults_to_off(integration):
    insecure = next((p for p in integration.manifest.params if p["name"] == "insecure"), None)
    assert insecure is not None and insecure["type"] == "boolean" and insecure.get("default") is False
    assert not insecure.get("required")


def test_setting_insecure_turns_verification_off(integration, served, verify_seen):
    _test_and_fetch(integration, {**served.params(), "insecure": True})
    assert False in verify_seen


def _verify_keywords(path: Path):
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Call):
            for keyword in node.keywords:
                if keyword.arg == "verify":
                    yield node.lineno, ast.unparse(keyword.value)


def test_no_code_turns_verification_off_except_through_the_insecure_param():
    """Every ``verify=`` in shipped code is either the insecure param or a value passed along."""
    offenders = []
    for path in sorted((REPO / "integrations").rglob("*.py")):
        if path.name.startswith("simulator") or path.name == "simkit.py":
            continue
        for line, value in _verify_keywords(path):
            if "insecure" in value or value in ("verify", "self.verify", "self._verify", "True"):
                continue
            offenders.append(f"{path.relative_to(REPO)}:{line}: verify={value}")
    assert offenders == []
