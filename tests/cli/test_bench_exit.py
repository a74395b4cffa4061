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


def _vendor_run(monkeypatch, tmp_path, stdout, returncode=0):
    import subprocess
    (tmp_path / "alertlogic_concurrency.py").write_text("")
    monkeypatch.setattr(bench, "HERE", tmp_path)
    monkeypatch.setattr(subprocess, "run", lambda *a, **k: subprocess.CompletedProcess(a, returncode, stdout, "boom"))
    return bench.vendor_rows()[0]


def test_a_vendor_benchmark_below_its_target_misses_it(monkeypatch, tmp_path):
    [row] = _vendor_run(monkeypatch, tmp_path, "  ratio (sequential / concurrent): 3.5x\n")
    assert (row.ratio, row.target, row.met) == (3.5, ">= 5x", False)


def test_a_vendor_benchmark_at_its_target_meets_it(monkeypatch, tmp_path):
    [row] = _vendor_run(monkeypatch, tmp_path, "  ratio (sequential / concurrent): 5.2x\n")
    assert row.met is True


def test_a_vendor_benchmark_that_fails_misses_its_target(monkeypatch, tmp_path):
    [row] = _vendor_run(monkeypatch, tmp_path, "", returncode=1)
    assert row.ratio is None and row.met is False


def test_plot_writes_the_rows_chart(monkeypatch, capsys, tmp_path):
    row = bench.Row("drain", "1 s", "1 s", 1.2, target="<= 1.3x", met=True)
    monkeypatch.setattr(bench, "drain_rows", lambda *a, **k: [row])
    monkeypatch.setattr(bench, "cold_rows", lambda *a, **k: [])
    options = argparse.Namespace(quick=True, sizes="1", repeats=1, cold_repeats=1, latency_ms=0, no_vendor=True,
                                 plot=str(tmp_path / "rows.svg"))
    assert bench.run(options) == 0
    assert "drain" in (tmp_path / "rows.svg").read_text()
