"""The one defang rule, for what people read: incident names and markdown, never JSON outputs."""
from __future__ import annotations

import pytest

from soarpacks.integrations.common.results import CommandResult, defang, markdown_table


@pytest.mark.parametrize("text, defanged", [
    ("http://evil.example/x", "hxxp://evil[.]example/x"),
    ("GET https://secure-paypa1.com/login?a=1", "GET hxxps://secure-paypa1[.]com/login?a=1"),
    ("from 203.0.113.101 against 10.0.0.1:443", "from 203[.]0[.]113[.]101 against 10[.]0[.]0[.]1:443"),
    ("Traffic to db-02.corp.example.", "Traffic to db-02[.]corp[.]example."),
])
def test_urls_hosts_and_ipv4_addresses_are_defanged(text, defanged):
    assert defang(text) == defanged


@pytest.mark.parametrize("text", ["2026-10-18T00:39:04.704Z", "Mozilla/5.0 Firefox/115.0", "HTTP/1.1", "v1.2.3",
                                  "2001:db8::1", "EtaBasedDetection"])
def test_times_versions_and_other_dots_stay_as_they_are(text):
    assert defang(text) == text


def test_defanging_twice_changes_nothing_more():
    once = defang("see https://a.example/x from 10.1.2.3")
    assert defang(once) == once


def test_markdown_cells_are_defanged_and_json_outputs_are_not():
    row = {"url": "https://evil.example/x", "ip": "198.51.100.7"}
    result = CommandResult([row])
    assert "hxxps://evil[.]example/x" in result.markdown() and "198[.]51[.]100[.]7" in result.markdown()
    assert result.outputs == [{"url": "https://evil.example/x", "ip": "198.51.100.7"}]
    assert "https://" not in markdown_table([row])
