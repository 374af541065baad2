"""How long the what-if tools take: coverage, smallest changes and their sum.

For each round (the bundled ``sample`` and ``week``, and a generated day of 200 workers and
600 jobs) it dispatches with the greedy solver (deterministic), then times
:func:`matchmaker.coverage`, :func:`matchmaker.smallest_changes` (every unassigned job) and
:func:`matchmaker.what_would_serve_most`, and counts the kinds of change found. The figures
go to the ``whatif`` section of ``benchmarks/RESULTS.md``.

    .venv/bin/python benchmarks/bench_whatif.py [--no-write]
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make ``benchmarks`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import matchmaker
from benchmarks.sections import load_note, write_section
from matchmaker.generate import DISTRICTS, generate_frames

ROOT = Path(__file__).resolve().parents[1]


def measure(dataset: matchmaker.Dataset) -> dict[str, Any]:
    """Seconds of each step on ``dataset`` and what the smallest changes found."""
    districts = matchmaker.Districts.named(DISTRICTS)
    started = time.perf_counter()
    matchmaker.coverage(dataset, districts=districts)
    cover = time.perf_counter() - started
    result = matchmaker.dispatch(dataset, solver="greedy", time_limit=60, seed=1)
    assert result.ok
    started = time.perf_counter()
    changes = matchmaker.smallest_changes(
        dataset, result.plan, policy=result.policy, districts=districts
    )
    smallest = time.perf_counter() - started
    started = time.perf_counter()
    table = matchmaker.what_would_serve_most(
        dataset, result.plan, changes, policy=result.policy, districts=districts
    )
    most = time.perf_counter() - started
    return {
        "workers": len(dataset.workers),
        "jobs": len(dataset.jobs),
        "unserved": len(result.plan.unassigned),
        "coverage_s": cover,
        "smallest_s": smallest,
        "most_s": most,
        "kinds": dict(Counter(c.kind for c in changes).most_common()),
        "rows": len(table),
    }


def rounds() -> dict[str, matchmaker.Dataset]:
    generated = matchmaker.dataset_from_frames(generate_frames(workers=200, jobs=600, seed=1))
    return {
        "sample": matchmaker.load_dataset(ROOT / "datasets" / "sample"),
        "week": matchmaker.load_dataset(ROOT / "datasets" / "week"),
        "day 200x600": generated,
    }


def markdown(results: dict[str, dict[str, Any]]) -> str:
    lines = [
        "## What-if tools (`benchmarks/bench_whatif.py`)",
        "",
        f"{platform.machine()}, Python {platform.python_version()}, matchmaker "
        f"{matchmaker.__version__}; greedy plan (seed 1), then each step once. "
        f"{load_note().capitalize()}; command: "
        "`.venv/bin/python benchmarks/bench_whatif.py`.",
        "",
        "| round | workers | jobs | unserved | coverage s | smallest changes s | "
        "serve-most s | changes found |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, r in results.items():
        kinds = ", ".join(f"{k} {n}" for k, n in r["kinds"].items())
        lines.append(
            f"| {name} | {r['workers']} | {r['jobs']} | {r['unserved']} | "
            f"{r['coverage_s']:.2f} | {r['smallest_s']:.2f} | {r['most_s']:.2f} | {kinds} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(argv)
    results = {name: measure(dataset) for name, dataset in rounds().items()}
    text = markdown(results)
    print(text)
    if not args.no_write:
        write_section("whatif", text)


if __name__ == "__main__":
    main()
