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
