"""Live dispatch with a lunch rule: what checking breaks costs a recommendation.

A generated round (600 workers x 2000 jobs by default) is given a lunch rule (30-60
minutes starting 11:30-14:00, shifts over 6 h; its pins released) and planned: greedy on
the round without the rule, then the jobs a shift's lunch leaves no room for are taken out
(:func:`matchmaker.solve.fit_breaks`) and the plan rebuilt with its break rows (it
verifies). The same requests as in ``benchmarks/live.py`` are then timed on that plan,
with and without the rule in the round: every unassigned job (up to ``--requests``) by id
and ``--requests`` served jobs taken out and asked for as new jobs, ``k = 5``, with no
moves and with up to 3, and for the first 20 taken jobs the bookable 2-hour windows of
their day between 08:00 and 18:00 (``slots``: five recommendations each). A sample of the
options found is applied and verified (rule ``breaks`` included). Written to the
``live-breaks`` section of ``benchmarks/RESULTS.md``.

    .venv/bin/python -m benchmarks.live_breaks [--quick] [--no-write]
"""

from __future__ import annotations

import argparse
import random
import time
from dataclasses import dataclass, replace
from datetime import datetime
from datetime import time as clock
from typing import Any

from benchmarks.live import _machine, _percentiles, _round
from benchmarks.sections import write_section
from matchmaker.compile import compile_problem
from matchmaker.live import apply_option, build_index, recommend, slots
from matchmaker.model import BreakRule, Dataset, Job, TimeWindow
from matchmaker.plan import Plan, build_plan, verify
from matchmaker.solve import Solution, fit_breaks, get_solver, objective_terms

__all__ = ["BreakFigures", "bench_breaks", "main"]

SEED = 20261201
LUNCH = BreakRule(
    name="lunch",
    min_minutes=30,
    max_minutes=60,
    earliest_start=clock(11, 30),
    latest_start=clock(14),
    min_shift_minutes=360,
)
_VERIFIED = 20
"""Options applied and verified per request kind (each apply rebuilds the whole plan)."""


@dataclass(frozen=True, kw_only=True)
class BreakFigures:
    workers: int
    jobs: int
    served: int
    breaks: int
    plan_seconds: float
    index_seconds: dict[str, float]
    latencies_ms: dict[str, list[float]]
    options: dict[str, int]
    verified: int
    violations: int


def _with_lunch(dataset: Dataset) -> Dataset:
    """``dataset`` with the lunch rule and without its pins (a pin may leave a shift no
    room for lunch, which loading refuses)."""
    jobs = tuple(replace(j, pinned_worker_ids=(), pinned_start=None) for j in dataset.jobs)
    settings = dataset.settings.model_copy(update={"breaks": (LUNCH,)})
    return replace(dataset, jobs=jobs, settings=settings)


def _plan(dataset: Dataset) -> Plan:
    """Greedy without the rule, then fit_breaks and the plan with its break rows."""
    policy = dataset.settings.policy
    bare = replace(dataset, settings=dataset.settings.model_copy(update={"breaks": ()}))
    solved = get_solver("greedy")(
        compile_problem(bare, policy=policy), policy=policy, time_limit=60.0, seed=1
    )
    problem = compile_problem(dataset, policy=policy)
    routes = fit_breaks(problem, solved.routes)
    solution = Solution(
        routes=routes,
        objective=objective_terms(problem, routes, policy).total,
        backend="greedy+fit_breaks",
        seed=1,
        solve_seconds=0.0,
    )
    return build_plan(dataset, problem, solution, policy)


def _office_hours(job: Job) -> Job:
    """The job asked for between 08:00 and 18:00 of its day (its own time offset)."""
    day, zone = job.earliest_start.date(), job.earliest_start.tzinfo
    return replace(
        job,
        window=TimeWindow(
            start=datetime.combine(day, clock(8), tzinfo=zone),
            end=datetime.combine(day, clock(18), tzinfo=zone),
        ),
    )


_SLOT_REQUESTS = 20
"""Taken jobs whose day's bookable windows are asked for (each several recommendations)."""


@dataclass(frozen=True)
class _SlotAnswer:
    """The slots found, read like a recommendation: ``options`` are the bookable windows."""

    options: list[Any]


def bench_breaks(workers: int, jobs: int, *, requests: int) -> BreakFigures:
    dataset = _with_lunch(_round(workers, jobs, SEED))
    began = time.perf_counter()
    plan = _plan(dataset)
    plan_seconds = time.perf_counter() - began
    assert verify(dataset, plan) == []
    policy = dataset.settings.policy
    without = replace(dataset, settings=dataset.settings.model_copy(update={"breaks": ()}))

    rng = random.Random(SEED)
    served = sorted({a.job_id for a in plan.assignments})
    taken = set(rng.sample(served, min(requests, len(served))))
    smaller_jobs = tuple(j for j in dataset.jobs if j.job_id not in taken)
    rest = replace(plan, assignments=tuple(a for a in plan.assignments if a.job_id not in taken))
    unassigned = [u.job_id for u in plan.unassigned][:requests]

    latencies: dict[str, list[float]] = {}
    options: dict[str, int] = {}
    index_seconds: dict[str, float] = {}
    verified = violations = 0
    for label, round_ in (("lunch rule", dataset), ("no rule", without)):
        began = time.perf_counter()
        index = build_index(round_, plan, policy=policy)
        index_seconds[label] = time.perf_counter() - began
        smaller = replace(round_, jobs=smaller_jobs)
        index_new = build_index(smaller, rest, policy=policy)
        asks: list[tuple[str, Any]] = []
        for moves in (0, 3):
            for job_id in unassigned:
                asks.append(
                    (
                        f"unassigned job, {moves} moves",
                        lambda j=job_id, m=moves, i=index, r=round_: (
                            recommend(r, plan, j, index=i, max_moves=m),
                            plan,
                        ),
                    )
                )
            for job_id in sorted(taken):
                asks.append(
                    (
                        f"new job, {moves} moves",
                        lambda j=job_id, m=moves, i=index_new, s=smaller, r=round_: (
                            recommend(s, rest, r.job(j), index=i, max_moves=m),
                            rest,
                        ),
                    )
                )
        # A caller asking for a time: the bookable windows of a taken job's day.
        for job_id in sorted(taken)[:_SLOT_REQUESTS]:
            asks.append(
                (
                    "slots of a day (5 windows of 2 h)",
                    lambda j=job_id, i=index_new, s=smaller, r=round_: (
                        _SlotAnswer(
                            slots(
                                s,
                                rest,
                                _office_hours(r.job(j)),
                                start_day=r.job(j).earliest_start.date(),
                                days=1,
                                window=120,
                                index=i,
                            )
                        ),
                        rest,
                    ),
                )
            )
        checked: dict[str, int] = {}
        for kind, ask in asks:
            name = f"{kind}, {label}"
            start = time.perf_counter()
            found, base = ask()
            latencies.setdefault(name, []).append((time.perf_counter() - start) * 1000)
            options[name] = options.get(name, 0) + (1 if found.options else 0)
            if isinstance(found, _SlotAnswer):
                continue  # a slot's option is a recommendation's: those are verified above
            if label == "lunch rule" and found.options and checked.get(kind, 0) < _VERIFIED:
                checked[kind] = checked.get(kind, 0) + 1
                applied = apply_option(found, base, found.options[0], policy=policy)
                verified += 1
                violations += len(verify(found.dataset, applied))
    return BreakFigures(
        workers=workers,
        jobs=jobs,
        served=len(served),
        breaks=len(plan.breaks),
        plan_seconds=plan_seconds,
        index_seconds=index_seconds,
        latencies_ms=latencies,
        options=options,
        verified=verified,
        violations=violations,
    )


def report(figures: BreakFigures, command: str) -> str:
    lines = [
        "## Live dispatch with a lunch rule (recommend, slots)",
        "",
        _machine(),
        f"- command: `{command}`",
        f"- round: {figures.workers} workers x {figures.jobs} jobs, lunch 30-60 min starting "
        "11:30-14:00 for shifts over 6 h; plan: greedy without the rule, then `fit_breaks` "
        f"({figures.plan_seconds:.1f} s): {figures.served} jobs served, "
        f"{figures.breaks} break rows, verifies",
        "- index build: "
        + ", ".join(f"{name} {s:.2f} s" for name, s in figures.index_seconds.items()),
        f"- options applied and verified (rule `breaks` included): {figures.verified}, "
        f"violations: {figures.violations}",
        "",
        "| request | n | with an option | p50 / p95 / max ms |",
        "| --- | ---: | ---: | --- |",
    ]
    for name, values in figures.latencies_ms.items():
        lines.append(
            f"| {name} | {len(values)} | {figures.options.get(name, 0)} | {_percentiles(values)} |"
        )
    lines += [
        "",
        "The break check runs on the shortlist of the vectorised gap search "
        "(`live._break_fit`): each worker's gaps in cost order until one leaves the lunch "
        "room, the push and swap candidates as they are expanded, the team candidates. "
        "Figures measured while other work shared the machine: rerun alone for clean ones.",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a small round (a smoke run)")
    parser.add_argument("--no-write", action="store_true", help="print, do not write RESULTS.md")
    parser.add_argument("--requests", type=int, default=100)
    args = parser.parse_args(argv)
    if args.quick:
        figures = bench_breaks(30, 90, requests=10)
    else:
        figures = bench_breaks(600, 2000, requests=args.requests)
    command = "python -m benchmarks.live_breaks" + (" --quick" if args.quick else "")
    if args.requests != 100:
        command += f" --requests {args.requests}"
    text = report(figures, command)
    print(text)
    if not args.no_write and not args.quick:
        write_section("live-breaks", text)


if __name__ == "__main__":
    main()
