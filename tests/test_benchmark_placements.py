"""The placements benchmark harness on a tiny book (no timings are asserted)."""

from __future__ import annotations

import argparse

from benchmarks.placements import build, markdown, measure


def test_the_harness_measures_both_solvers_and_shortlists() -> None:
    """On 30 workers x 12 requests every figure is there, nothing breaks a rule, and CP-SAT
    fills at least the greedy baseline's priority weight."""
    dataset = build(30, 12, 30, seed=1)
    row = measure(dataset, time_limit=5, seed=1)
    assert row["cpsat"]["violations"] == row["greedy"]["violations"] == 0
    assert row["shortlist"]["violations"] == 0
    assert row["cpsat"]["weighted_fill"] >= row["greedy"]["weighted_fill"]
    assert 0 < row["shortlist"]["diversity"] <= 1
    args = argparse.Namespace(workers=30, requests=12, days=30, seeds=[1], time_limit=5.0)
    text = markdown([row], args=args)
    assert text.startswith("## Long placements") and "| 1 |" in text
