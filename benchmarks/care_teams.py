"""Care teams or not: generated home-care days (continuity cap 2 on care customers, breaks,
linked visits) planned by routing inside care teams only, without them only (the trim
mends the cap after), and as every backend plans a capped round (both runs, half the time
limit each, the better kept; :mod:`matchmaker.solve._rounds`). Each plan is verified. The
figures go to the ``care-teams`` section of ``benchmarks/RESULTS.md``.

    .venv/bin/python benchmarks/care_teams.py [--rounds 60x150:30,200x600:30]
        [--seeds 1,3] [--no-write]
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make ``benchmarks`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import matchmaker
from benchmarks.sections import load_note, write_section
from matchmaker.compile import Problem, compile_problem
from matchmaker.generate import generate_frames, home_care_settings, warm_up
from matchmaker.io import dataset_from_frames
from matchmaker.model import Dataset, Policy
from matchmaker.plan import build_plan, verify
from matchmaker.solve import Solution, get_solver
from matchmaker.solve._continuity import within_care_teams
from matchmaker.solve._limits import enforce
from matchmaker.solve._routing import solve as routing

MODES = ("inside teams", "without teams", "both (default)")


def plan_with(mode: str, problem: Problem, policy: Policy, limit: float) -> Solution:
    """The round planned the way ``mode`` names, the cap mended after."""
    if mode == "both (default)":
        return get_solver("routing")(problem, policy=policy, time_limit=limit, seed=1)
    round_ = within_care_teams(problem) if mode == "inside teams" else problem
    found = routing(round_, policy=policy, time_limit=limit, seed=1)
    return enforce(problem, policy, found, fill=round_ is not problem)


def measure(dataset: Dataset, mode: str, limit: float) -> dict[str, Any]:
    policy = dataset.settings.policy
    problem = compile_problem(dataset, policy=policy)
    began = time.perf_counter()
    solution = plan_with(mode, problem, policy, limit)
    seconds = time.perf_counter() - began
    plan = build_plan(dataset, problem, solution, policy)
    return {
        "objective": solution.objective,
        "served": f"{plan.kpis['jobs_served']}/{plan.kpis['jobs_total']}",
        "violations": len(verify(dataset, plan)),
        "seconds": seconds,
    }


def markdown(rows: list[tuple[str, int, str, float, dict[str, Any]]], command: str) -> str:
    lines = [
        "## Care teams or not (`benchmarks/care_teams.py`)",
        "",
        f"{platform.machine()}, Python {platform.python_version()}, matchmaker "
        f"{matchmaker.__version__}; generated home-care days (`generate_frames(home_care="
        f"True)` with `home_care_settings()`), routing seed 1. {load_note().capitalize()}; "
        f"command: `{command}`.",
        "",
        "| round | instance seed | how | limit s | objective | served | violations | s |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for size, seed, mode, limit, r in rows:
        lines.append(
            f"| {size} | {seed} | {mode} | {limit:g} | {r['objective']:,} | {r['served']} | "
            f"{r['violations']} | {r['seconds']:.1f} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", default="60x150:30,200x600:30", help="WxJ:seconds list")
    parser.add_argument("--seeds", default="1,3", help="instance seeds")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(argv)
    warm_up()
    rows = []
    for item in args.rounds.split(","):
        size, limit = item.split(":")
        workers, jobs = (int(n) for n in size.split("x"))
        for seed in (int(s) for s in args.seeds.split(",")):
            frames = generate_frames(workers=workers, jobs=jobs, seed=seed, home_care=True)
            dataset = dataset_from_frames(frames, settings=home_care_settings())
            for mode in MODES:
                row = measure(dataset, mode, float(limit))
                print(size, seed, mode, row, flush=True)
                rows.append((size, seed, mode, float(limit), row))
    command = f"python benchmarks/care_teams.py --rounds {args.rounds} --seeds {args.seeds}"
    text = markdown(rows, command)
    print(text)
    if not args.no_write:
        write_section("care-teams", text)


if __name__ == "__main__":
    main()
