"""Benchmarks: ``python -m tools.bench`` or ``soarpacks bench`` prints one table of ratios, each measured
side by side in one run on this machine. See tools/bench/README.md for results and how to read them."""
