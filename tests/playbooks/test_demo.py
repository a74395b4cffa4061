"""The playbook part of ``soarpacks demo``."""
from __future__ import annotations

import io

from soarpacks.tools.playbooks.demo import DEMO_PLAYBOOK, demo_playbooks


def test_the_demo_runs_one_playbook_against_the_simulators_and_reports_one_row():
    out = io.StringIO()
    rows = demo_playbooks(out=out)
    assert [row["playbook"] for row in rows] == [DEMO_PLAYBOOK]
    assert "FAILED" not in rows[0]["result"] and rows[0]["calls"] > 1
    assert "1. fetch" in out.getvalue() and "Alerts triaged 10" in rows[0]["result"]
