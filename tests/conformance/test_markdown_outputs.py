"""Every command's markdown, run against its simulator with the simulator's example arguments: the
manifest's column titles head the table, and no cell holds a raw JSON blob."""
from __future__ import annotations

import pytest

from soarpacks.integrations.common.registry import discover

INTEGRATIONS = discover()
RUNS = [(i, name) for i in sorted(INTEGRATIONS)
        for name in INTEGRATIONS[i].simulator_class()(seed=0).command_examples()
        if name != "fetch-incidents" and INTEGRATIONS[i].manifest.command(name).supported]


@pytest.fixture(params=RUNS, ids=lambda run: f"{run[0]}:{run[1]}")
def run(request):
    return request.param


@pytest.fixture
def integration(run):
    return INTEGRATIONS[run[0]]


def _markdown(run, served, instance):
    return instance.run(run[1], served.simulator.command_examples()[run[1]]).markdown()


def test_no_cell_holds_a_json_blob(run, served, instance):
    text = _markdown(run, served, instance)
    cells = [line for line in text.splitlines() if line.startswith("|")]
    assert not [c for c in cells if '{"' in c or "[{" in c], text[:2000]


def test_a_made_table_is_headed_by_the_manifest_column_titles(run, integration, served, instance):
    titles = (integration.manifest.command(run[1]).outputs or {}).get("titles")
    result = instance.run(run[1], served.simulator.command_examples()[run[1]])
    if not titles or result.readable is not None:
        pytest.skip("no manifest titles, or the handler writes its own markdown")
    header = next(line for line in result.markdown().splitlines() if line.startswith("| "))
    shown = [cell.strip() for cell in header.strip("|").split("|")]
    assert shown == [titles[c] for c in result.columns if c in titles]
