"""What the rules across the round cost: the bundled ``week`` round (80 workers, 600 jobs,
5 days) dispatched without limits, with limits across days, and with a continuity cap.

For each case and backend (greedy, routing) it reports jobs served, verifier violations,
jobs the shared trim dropped and the fill put back, the most different workers one
customer saw, the CV of work minutes and the wall seconds. The figures go to the
``round_rules`` section of ``benchmarks/RESULTS.md``.

    .venv/bin/python benchmarks/bench_round_rules.py [--time-limit S] [--no-write]
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make ``benchmarks`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import matchmaker
from benchmarks.sections import load_note, write_section
from matchmaker.model import LimitSettings

ROOT = Path(__file__).resolve().parents[1]

CASES: dict[str, LimitSettings] = {
    "no limits": LimitSettings(),
    "1200 min/week, 660 min rest, 3 days in a row": LimitSettings(
        max_week_minutes=1200, min_rest_minutes=660, max_consecutive_days=3
    ),
    "at most 1 worker per customer": LimitSettings(max_distinct_workers=1),
}


def measure(
    dataset: matchmaker.Dataset, limits: LimitSettings, solver: str, time_limit: float
) -> dict[str, Any]:
    """One dispatch of ``dataset`` with ``limits`` as its ``[limits]`` defaults."""
    limited = replace(dataset, settings=dataset.settings.model_copy(update={"limits": limits}))
    started = time.perf_counter()
    result = matchmaker.dispatch(limited, solver=solver, time_limit=time_limit, seed=0)
    kpis, stats = result.plan.kpis, result.solution.stats
    return {
        "served": f"{kpis['jobs_served']}/{kpis['jobs_total']}",
        "violations": len(result.violations),
        "dropped": int(stats.get("limits_dropped", 0)),
        "refilled": int(stats.get("limits_refilled", 0)),
        "max_distinct": kpis["max_distinct_workers_per_customer"],
        "cv": kpis["work_minutes_cv"],
        "seconds": time.perf_counter() - started,
    }


def markdown(rows: list[tuple[str, str, dict[str, Any]]], time_limit: float) -> str:
    lines = [
        "## Rules across the round (`benchmarks/bench_round_rules.py`)",
        "",
        f"{platform.machine()}, Python {platform.python_version()}, matchmaker "
        f"{matchmaker.__version__}; `datasets/week` with `[limits]` defaults, seed 0, "
        f"time limit {time_limit:g} s. {load_note().capitalize()}; command: "
        f"`.venv/bin/python benchmarks/bench_round_rules.py --time-limit {time_limit:g}`. "
        "Violations left are pins of the dataset that break the cap (pins are kept).",
        "",
        "| limits | solver | served | violations | trimmed | refilled | max workers/customer "
        "| CV work min | s |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for case, solver, r in rows:
        lines.append(
            f"| {case} | {solver} | {r['served']} | {r['violations']} | {r['dropped']} | "
            f"{r['refilled']} | {r['max_distinct']} | {r['cv']} | {r['seconds']:.1f} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--time-limit", type=float, default=20.0)
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(argv)
    dataset = matchmaker.load_dataset(ROOT / "datasets" / "week")
    rows = [
        (case, solver, measure(dataset, limits, solver, args.time_limit))
        for case, limits in CASES.items()
        for solver in ("greedy", "routing")
    ]
    text = markdown(rows, args.time_limit)
    print(text)
    if not args.no_write:
        write_section("round_rules", text)


if __name__ == "__main__":
    main()
