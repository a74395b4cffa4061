"""The benchmark's throughput chart: a well-formed SVG with one line per way of draining."""
from __future__ import annotations

import xml.dom.minidom

import pytest

from soarpacks.tools.bench.plot import _nice_step, line_chart


def test_the_chart_is_svg_with_one_line_and_one_legend_entry_per_series():
    series = {"fetch-incidents, loopback": [(1000, 44000.0), (10000, 75000.0)],
              "floor (bare requests), loopback": [(1000, 118000.0), (10000, 159000.0)]}
    document = xml.dom.minidom.parseString(line_chart(series, title="t", x_label="N", y_label="alerts/s"))
    assert len(document.getElementsByTagName("polyline")) == 2
    texts = [node.firstChild.data for node in document.getElementsByTagName("text")]
    assert set(series) <= set(texts) and "10,000" in texts


def test_tick_steps_are_one_two_or_five_times_a_power_of_ten():
    assert [_nice_step(v) for v in (0.7, 3, 41_000, 160_000)] == [1, 5, 50_000, 200_000]


def test_an_empty_chart_is_refused():
    with pytest.raises(ValueError):
        line_chart({}, title="t", x_label="x", y_label="y")


def test_the_rows_chart_has_one_bar_per_row_coloured_by_whether_it_met_its_target():
    from soarpacks.tools.bench.plot import rows_chart
    rows = [("fetch 10,000 alerts, loopback", 1.2, 1.3, True), ("alertlogic_concurrency", 3.5, 5.0, False),
            ("cold start", 1.4, None, None)]
    document = xml.dom.minidom.parseString(rows_chart(rows, title="t"))
    bars = [r for r in document.getElementsByTagName("rect") if r.getAttribute("fill") != "white"]
    assert [b.getAttribute("fill") for b in bars] == ["#2ca02c", "#d62728", "#999999"]
    assert len(document.getElementsByTagName("line")) == 1 + 2  # the 1x line, and a tick per target
