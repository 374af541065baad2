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
