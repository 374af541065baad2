"""The live benchmark's harness on tiny rounds (a smoke test: nothing here is timed)."""

from __future__ import annotations

from benchmarks.live import bench_recommend, bench_replan, report


def test_the_live_benchmark_measures_and_reports_on_tiny_rounds() -> None:
    """Both measurements run end to end and the report carries the figures the section
    promises: latency rows per request kind and the re-plan's bound and verdict."""
    rec = bench_recommend(10, 24, requests=3, plan_solver="greedy", plan_limit=2.0)
    rep = bench_replan(8, 20, budget=2, plan_limit=1.0, replan_limit=1.0)
    assert set(rec.latencies_ms) >= {"new job, no moves", "new job, up to 3 moves"}
    assert rep.verified
    assert rep.moved_unhit <= rep.budget
    text = report(rec, rep, "python -m benchmarks.live --quick")
    assert "p50 / p95 / max ms" in text
    assert "re-plan / from scratch" in text


def test_the_lunch_benchmark_measures_and_reports_on_a_tiny_round() -> None:
    """The lunch-rule benchmark runs end to end: its plan has break rows, every option it
    applies verifies, and the report has a latency row per request kind and round (the
    day's slots of each job taken out included)."""
    from benchmarks.live_breaks import bench_breaks
    from benchmarks.live_breaks import report as lunch_report

    figures = bench_breaks(12, 30, requests=3)
    assert figures.breaks > 0
    assert figures.violations == 0
    assert "new job, 3 moves, lunch rule" in figures.latencies_ms
    assert len(figures.latencies_ms["slots of a day (5 windows of 2 h), lunch rule"]) == 3
    assert "| request | n | with an option |" in lunch_report(figures, "x")
