"""``soarpacks bench`` exits non-zero when a row misses its target, so CI need not read the table."""
from __future__ import annotations

import argparse

from soarpacks.tools.bench import cli as bench


def _run(monkeypatch, capsys, met):
    row = bench.Row("drain", "1 s", "1 s", 1.0, target="<= 1.3x", met=met)
    monkeypatch.setattr(bench, "drain_rows", lambda *a, **k: [row])
    monkeypatch.setattr(bench, "cold_rows", lambda *a, **k: [])
    options = argparse.Namespace(quick=True, sizes="1", repeats=1, cold_repeats=1, latency_ms=0, no_vendor=True,
                                 plot=None)
    code = bench.run(options)
    return code, capsys.readouterr().err


def test_a_missed_target_exits_1_naming_the_row(monkeypatch, capsys):
    code, err = _run(monkeypatch, capsys, met=False)
    assert code == 1 and "missed target: drain" in err


def test_every_target_met_exits_0(monkeypatch, capsys):
    assert _run(monkeypatch, capsys, met=True)[0] == 0
