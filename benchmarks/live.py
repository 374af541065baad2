"""Live dispatch: recommendation latency and the quality of a re-plan after sick workers.

Two measurements, written to the ``live`` section of ``benchmarks/RESULTS.md``:

1. **Recommend.** A generated round of 600 workers x 2000 jobs is planned (greedy by
   default, ``--plan-solver routing`` for a searched plan). The index is built once
   (:func:`matchmaker.live.build_index`: compile with the plan's travel model, routes as
   arrays) and timed; then every unassigned job (up to ``--requests``) is recommended by id,
   and ``--requests`` served jobs are taken out of the round and recommended as *new* jobs
   (each compiled alone against the workers), with ``k = 5`` and with and without a move
   budget. Target: p95 <= 50 ms per recommendation after an index build of <= 2 s.
2. **Re-plan.** A generated 200 x 600 day is planned by ``routing`` for 30 s; the three
   workers with the most jobs after 11:00 fall sick at 11:00; ``replan`` runs for 10 s with
   ``--freeze-before 11:00`` and a budget of ``--budget`` moves, and the changed round is
   planned from scratch by ``routing`` for 30 s. Target: the re-plan changes at most the
   sick workers' jobs plus the budget and serves at least 98 % of the priority value of the
   from-scratch plan.

    .venv/bin/python -m benchmarks.live [--quick] [--no-write]

``--quick`` runs small rounds with short limits (a smoke run, not figures).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, replace
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.sections import write_section
from matchmaker.generate import generate_dataset
from matchmaker.io import load_dataset
from matchmaker.live import build_index, parse_changes, recommend, replan
from matchmaker.model import Dataset, utc
from matchmaker.plan import Plan, dispatch, verify

__all__ = ["RecommendFigures", "ReplanFigures", "bench_recommend", "bench_replan", "main"]

SEED = 20261201


@dataclass(frozen=True, kw_only=True)
class RecommendFigures:
    workers: int
    jobs: int
    plan_solver: str
    plan_seconds: float
    served: int
    index_seconds: float
    index_seconds_new_round: float
    latencies_ms: dict[str, list[float]]
    options: dict[str, int]


@dataclass(frozen=True, kw_only=True)
class ReplanFigures:
    workers: int
    jobs: int
    sick: tuple[str, ...]
    sick_jobs: int
    budget: int
    replan_seconds: float
    changed_planned: int
    added: int
    moved_unhit: int
    replan_value: int
    scratch_value: int
    previous_value: int
    replan_served: int
    scratch_served: int
    verified: bool


def _round(workers: int, jobs: int, seed: int) -> Dataset:
    """A generated day, written and loaded as a user would (with its dataset.toml)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "round"
        generate_dataset(path, workers=workers, jobs=jobs, seed=seed)
        return load_dataset(path)


def _value(dataset: Dataset, plan: Plan) -> int:
    """Priority value served: the policy's priority weight of every served job."""
    weights = dataset.settings.policy.priority_weights
    served = {a.job_id for a in plan.assignments}
    return sum(weights[j.priority] for j in dataset.jobs if j.job_id in served)


def _percentiles(values: list[float]) -> str:
    if not values:
        return "-"
    p50, p95 = np.percentile(values, [50, 95])
    return f"{p50:.1f} / {p95:.1f} / {max(values):.1f}"


def bench_recommend(
    workers: int, jobs: int, *, requests: int, plan_solver: str, plan_limit: float
) -> RecommendFigures:
    dataset = _round(workers, jobs, SEED)
    began = time.perf_counter()
    plan = dispatch(dataset, solver=plan_solver, time_limit=plan_limit, seed=1).plan
    plan_seconds = time.perf_counter() - began
    policy = dataset.settings.policy

    began = time.perf_counter()
    index = build_index(dataset, plan, policy=policy)
    index_seconds = time.perf_counter() - began

    latencies: dict[str, list[float]] = {}
    options: dict[str, int] = {}

    def timed(name: str, call: Any) -> None:
        start = time.perf_counter()
        found = call()
        latencies.setdefault(name, []).append((time.perf_counter() - start) * 1000)
        options[name] = options.get(name, 0) + (1 if found.options else 0)

    unassigned = [u.job_id for u in plan.unassigned][:requests]
    for job_id in unassigned:
        for moves, name in ((0, "unassigned job, no moves"), (3, "unassigned job, up to 3 moves")):
            timed(
                name,
                lambda j=job_id, m=moves: recommend(dataset, plan, j, index=index, max_moves=m),
            )

    rng = random.Random(SEED)
    candidates = sorted(a.job_id for a in plan.assignments if not dataset.job(a.job_id).is_pinned)
    taken = set(rng.sample(candidates, min(requests, len(candidates))))
    smaller = replace(dataset, jobs=tuple(j for j in dataset.jobs if j.job_id not in taken))
    rest = replace(plan, assignments=tuple(a for a in plan.assignments if a.job_id not in taken))
    began = time.perf_counter()
    index_new = build_index(smaller, rest, policy=policy)
    index_seconds_new = time.perf_counter() - began
    for job_id in sorted(taken):
        new = dataset.job(job_id)
        for moves, name in ((0, "new job, no moves"), (3, "new job, up to 3 moves")):
            timed(
                name,
                lambda n=new, m=moves: recommend(smaller, rest, n, index=index_new, max_moves=m),
            )
    return RecommendFigures(
        workers=workers,
        jobs=jobs,
        plan_solver=plan_solver,
        plan_seconds=plan_seconds,
        served=len({a.job_id for a in plan.assignments}),
        index_seconds=index_seconds,
        index_seconds_new_round=index_seconds_new,
        latencies_ms=latencies,
        options=options,
    )


def bench_replan(
    workers: int, jobs: int, *, budget: int, plan_limit: float, replan_limit: float
) -> ReplanFigures:
    dataset = _round(workers, jobs, SEED + 1)
    previous = dispatch(dataset, solver="routing", time_limit=plan_limit, seed=1).plan
    zone = dataset.settings.zone
    first = min(utc(j.earliest_start) for j in dataset.jobs).astimezone(zone)
    eleven = first.replace(hour=11, minute=0, second=0, microsecond=0)
    late = Counter(a.worker_id for a in previous.assignments if utc(a.start) >= utc(eleven))
    sick = tuple(w for w, _ in late.most_common(3))
    sick_jobs = sum(late[w] for w in sick)
    lines = [
        json.dumps({"kind": "worker_unavailable", "worker_id": w, "from": eleven.isoformat()})
        for w in sick
    ]
    changes = parse_changes(lines, dataset, file="sick.jsonl")
    began = time.perf_counter()
    result = replan(
        dataset,
        previous,
        changes,
        max_moves=budget,
        freeze_before=eleven,
        time_limit=replan_limit,
        seed=1,
    )
    replan_seconds = time.perf_counter() - began
    scratch = dispatch(result.dataset, solver="routing", time_limit=plan_limit, seed=1).plan
    changed = sum(1 for row in result.diff if row.change in ("moved", "reassigned", "dropped"))
    added = sum(1 for row in result.diff if row.change == "added")
    return ReplanFigures(
        workers=workers,
        jobs=jobs,
        sick=sick,
        sick_jobs=sick_jobs,
        budget=budget,
        replan_seconds=replan_seconds,
        changed_planned=changed,
        added=added,
        moved_unhit=result.moved,
        replan_value=_value(result.dataset, result.plan),
        scratch_value=_value(result.dataset, scratch),
        previous_value=_value(dataset, previous),
        replan_served=len({a.job_id for a in result.plan.assignments}),
        scratch_served=len({a.job_id for a in scratch.assignments}),
        verified=not result.violations and not verify(result.dataset, result.plan),
    )


def _machine() -> str:
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = ", ".join(
        f"{name} {metadata.version(name)}" for name in ("matchmaker", "ortools", "numpy")
    )
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"- machine: {cpu}, {os.cpu_count()} cores, load average {load} when it started "
        "(a load above the cores means other work shared the machine: rerun alone for "
        "clean figures)\n"
        f"- {platform.platform()}; Python {platform.python_version()}; {versions}"
    )


def report(rec: RecommendFigures, rep: ReplanFigures, command: str) -> str:
    lines = [
        "## Live dispatch (recommend, re-plan)",
        "",
        _machine(),
        f"- command: `{command}`",
        "",
        f"**Recommend** on a {rec.workers} x {rec.jobs} round planned by {rec.plan_solver} "
        f"({rec.served} jobs served, planned in {rec.plan_seconds:.1f} s). Index build "
        f"(compile with the plan's travel model + routes as arrays): "
        f"**{rec.index_seconds:.2f} s** (round without the taken-out jobs: "
        f"{rec.index_seconds_new_round:.2f} s). Latency per recommendation, k = 5:",
        "",
        "| request | n | with options | p50 / p95 / max ms |",
        "|---|---|---|---|",
    ]
    for name, values in rec.latencies_ms.items():
        lines.append(
            f"| {name} | {len(values)} | {rec.options.get(name, 0)} | {_percentiles(values)} |"
        )
    lines += [
        "",
        "An unassigned job of the plan is asked for by id; a greedy plan leaves no room for "
        "its own unassigned jobs, so those rows mostly time finding none. The new-job rows "
        "(served jobs taken out of the round and asked for as new orders, each compiled "
        "alone against the 600 workers) are the realistic case.",
    ]
    ratio = rep.replan_value / rep.scratch_value if rep.scratch_value else 1.0
    lines += [
        "",
        f"**Re-plan** of a {rep.workers} x {rep.jobs} day planned by routing: workers "
        f"{', '.join(rep.sick)} sick from 11:00 ({rep.sick_jobs} of their jobs start at or "
        f"after 11:00); `replan` with `--freeze-before 11:00 --max-moves {rep.budget}` "
        f"took {rep.replan_seconds:.1f} s.",
        "",
        "| figure | value |",
        "|---|---|",
        f"| planned jobs changed (moved, re-assigned or dropped) | {rep.changed_planned} |",
        f"| of which not hit by the change (counted against the budget of {rep.budget}) | "
        f"{rep.moved_unhit} |",
        f"| bound: sick workers' jobs + budget | {rep.sick_jobs + rep.budget} |",
        f"| jobs unassigned before, served now | {rep.added} |",
        f"| priority value served: previous plan / re-plan / from scratch (30 s) | "
        f"{rep.previous_value} / {rep.replan_value} / {rep.scratch_value} |",
        f"| re-plan / from scratch | {ratio:.1%} (target >= 98 %) |",
        f"| jobs served: re-plan / from scratch | {rep.replan_served} / {rep.scratch_served} |",
        f"| re-plan passes verify | {'yes' if rep.verified else 'NO'} |",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small rounds, short limits")
    parser.add_argument("--no-write", action="store_true", help="print, do not write RESULTS.md")
    parser.add_argument("--plan-solver", default="greedy", choices=("greedy", "routing"))
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--budget", type=int, default=10)
    args = parser.parse_args(argv)
    if args.quick:
        rec = bench_recommend(30, 90, requests=10, plan_solver="greedy", plan_limit=5.0)
        rep = bench_replan(20, 60, budget=args.budget, plan_limit=2.0, replan_limit=2.0)
    else:
        rec = bench_recommend(
            600, 2000, requests=args.requests, plan_solver=args.plan_solver, plan_limit=60.0
        )
        rep = bench_replan(200, 600, budget=args.budget, plan_limit=30.0, replan_limit=10.0)
    command = "python -m benchmarks.live" + (" --quick" if args.quick else "")
    if args.plan_solver != "greedy":
        command += f" --plan-solver {args.plan_solver}"
    text = report(rec, rep, command)
    print(text)
    if not args.no_write and not args.quick:
        write_section("live", text)


if __name__ == "__main__":
    main()
