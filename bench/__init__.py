"""Benchmarks: start-up, prompt mode, generation at scale, TUI responsiveness.

`python -m bench` (or `make bench`) runs them all and prints one table; every figure is a
median of several runs after a warm-up, beside a baseline measured in the same run.
"""
