"""A city round cut into zones, solved serially and on a 2-worker Dask LocalCluster.

Generates a synthetic city (default 3000 workers x 10000 jobs, one day), compiles it once,
cuts it into 6 zones (:func:`matchmaker.solve.split_zones`) and solves the zones with the
routing backend, first one after the other in this process, then on a
``distributed.LocalCluster`` of 2 single-threaded worker processes; both plans get the
greedy fill across zone borders and go through the verifier. Reports wall seconds, plan
quality (served, objective), the peak memory of this process and of each Dask worker, and
the pickled size of each zone's task. Writes the ``zones`` section of RESULTS.md.

    .venv/bin/python benchmarks/zones.py [--workers 3000] [--jobs 10000] [--zones 6]
        [--piece-seconds 20] [--whole-seconds S] [--home-care] [--no-write]

``--whole-seconds`` also solves the whole round, uncut, with the routing backend for that
long (give it the serial run's time to compare at the same wall). ``--home-care``
generates the round with every home-care rule (``generate --home-care``: due starts,
linked visits, lunch breaks, the continuity cap) and writes section ``zones-home-care``:
the pieces keep the rules and the border fill places visits at fixed starts.

Each zone's search is bounded by ``--piece-seconds`` (time, not work: a deterministic
search of a zone this size runs for minutes), so the two runs' plans differ a little; the
tests (tests/plan/test_split.py) check that with ``deterministic=True`` they are equal.
"""

from __future__ import annotations

import argparse
import os
import pickle
import platform
import resource
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make ``benchmarks`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.sections import load_note, write_section
from matchmaker.compile import compile_problem
from matchmaker.generate import generate_frames, home_care_settings
from matchmaker.io import dataset_from_frames
from matchmaker.plan import build_plan, open_executor, verify
from matchmaker.solve import Solution, get_solver, solve_pieces, split_zones

__all__ = ["main", "run"]


def _peak_mb() -> float:
    """This process's peak resident memory in MB: ``VmHWM`` of /proc/self/status (Linux),
    which a process started by fork and exec does not inherit, unlike ``ru_maxrss``."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _quality(solution: Solution) -> dict[str, Any]:
    return {
        "served": len({job for route in solution.routes for job in route.jobs}),
        "objective": solution.objective,
        "filled_at_borders": int(solution.stats.get("filled_at_borders", 0)),
        "fill_s": solution.stats.get("fill_seconds", 0.0),
        "fill_cut": bool(solution.stats.get("fill_timed_out")),
    }


def run(
    *,
    workers: int,
    jobs: int,
    zones: int,
    piece_seconds: float,
    seed: int = 1,
    processes: bool = True,
    fill_seconds: float = 120.0,
    home_care: bool = False,
    whole_seconds: float | None = None,
) -> dict[str, Any]:
    """Both runs on one generated round (and the uncut round, given ``whole_seconds``);
    returns every figure (``processes=False``: the Dask workers are threads of this
    process, for a quick check of the harness)."""
    began = time.perf_counter()
    frames = generate_frames(workers=workers, jobs=jobs, seed=seed, home_care=home_care)
    dataset = dataset_from_frames(frames, settings=home_care_settings() if home_care else None)
    generated = time.perf_counter() - began
    began = time.perf_counter()
    problem = compile_problem(dataset)
    compiled = time.perf_counter() - began
    policy = dataset.settings.policy
    began = time.perf_counter()
    pieces = split_zones(problem, policy, zones, seed)
    cut = time.perf_counter() - began
    task_mb = [
        len(pickle.dumps(replace(p.problem, travel_model=None), protocol=5)) / 1e6 for p in pieces
    ]
    options: dict[str, Any] = {
        "solver": "routing",
        "policy": policy,
        "time_limit": piece_seconds,
        "fill_time_limit": fill_seconds,
        "seed": seed,
    }
    results: dict[str, Any] = {
        "shape": f"{workers} workers x {jobs} jobs",
        "vehicles": problem.n_vehicles,
        "zones": len(pieces),
        "zone_sizes": [(len(p.vehicles), len(p.jobs)) for p in pieces],
        "task_mb": task_mb,
        "generate_s": generated,
        "compile_s": compiled,
        "split_s": cut,
        "problem_mb": sum(a.nbytes for a in vars(problem).values() if hasattr(a, "nbytes")) / 1e6,
    }

    began = time.perf_counter()
    serial = solve_pieces(problem, pieces, **options)
    results["serial_s"] = time.perf_counter() - began
    results["serial"] = _quality(serial)
    results["serial_ok"] = not verify(dataset, build_plan(dataset, problem, serial, policy))
    results["serial_peak_mb"] = _peak_mb()

    with open_executor(workers=2, processes=processes) as executor:
        assert executor is not None
        began = time.perf_counter()
        spread = solve_pieces(problem, pieces, executor=executor, **options)
        results["dask_s"] = time.perf_counter() - began
        client = executor._client  # type: ignore[attr-defined]
        peaks = client.run(_peak_mb)
        results["dask_worker_peak_mb"] = sorted(float(v) for v in peaks.values())
    results["dask"] = _quality(spread)
    results["dask_ok"] = not verify(dataset, build_plan(dataset, problem, spread, policy))
    results["client_peak_mb"] = _peak_mb()
    if whole_seconds is not None:
        began = time.perf_counter()
        whole = get_solver("routing")(problem, policy=policy, time_limit=whole_seconds, seed=seed)
        results["whole_s"] = time.perf_counter() - began
        results["whole"] = _quality(whole)
        results["whole_ok"] = not verify(dataset, build_plan(dataset, problem, whole, policy))
    return results


def _fill(q: dict[str, Any]) -> str:
    cut = ", cut by its time limit" if q["fill_cut"] else ""
    return f"{q['filled_at_borders']} ({q['fill_s']:.0f} s{cut})"


def _markdown(r: dict[str, Any], command: str) -> str:
    from importlib.metadata import version

    rules = " with every home-care rule (`generate --home-care`)" if r.get("home_care") else ""
    fill = "fixed-start fill" if r.get("home_care") else "greedy fill"
    lines = [
        "## Zones on Dask (benchmarks/zones.py)",
        "",
        f"A generated city of {r['shape']} ({r['vehicles']} shifts), one day{rules}, cut into "
        f"{r['zones']} zones (shifts x jobs per zone: "
        + ", ".join(f"{v}x{j}" for v, j in r["zone_sizes"])
        + "), each zone solved by the routing backend for at most "
        f"{r['piece_seconds']:g} s, then the {fill} across zone borders (at most "
        f"{r['fill_seconds']:g} s); serially in one "
        "process vs on a `distributed.LocalCluster` of 2 single-threaded worker processes.",
        "",
        "| run | wall s | served | objective | border fill: jobs (s) | verified | peak memory |",
        "| --- | ---: | ---: | ---: | ---: | --- | --- |",
        f"| serial | {r['serial_s']:.1f} | {r['serial']['served']} | "
        f"{r['serial']['objective']:,} | {_fill(r['serial'])} | "
        f"{'yes' if r['serial_ok'] else 'NO'} | {r['serial_peak_mb']:,.0f} MB (one process, "
        "compile included) |",
        f"| 2 Dask workers | {r['dask_s']:.1f} | {r['dask']['served']} | "
        f"{r['dask']['objective']:,} | {_fill(r['dask'])} | "
        f"{'yes' if r['dask_ok'] else 'NO'} | workers "
        + " / ".join(f"{m:,.0f} MB" for m in r["dask_worker_peak_mb"])
        + f"; client {r['client_peak_mb']:,.0f} MB |",
        *(
            [
                f"| whole round, uncut, {r['whole_seconds']:g} s | {r['whole_s']:.1f} | "
                f"{r['whole']['served']} | {r['whole']['objective']:,} | - | "
                f"{'yes' if r['whole_ok'] else 'NO'} | (in the client) |"
            ]
            if "whole" in r
            else []
        ),
        "",
        f"Before solving (both runs share it): generate {r['generate_s']:.1f} s, compile "
        f"{r['compile_s']:.1f} s (problem arrays {r['problem_mb']:,.0f} MB), split "
        f"{r['split_s']:.1f} s. Each task sends one zone's sliced problem: "
        + ", ".join(f"{m:.1f}" for m in r["task_mb"])
        + " MB pickled.",
        "",
        f"{load_note().capitalize()}. "
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, OR-Tools {version('ortools')}, distributed "
        f"{version('distributed')}. Command: `{command}`.",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=3000)
    parser.add_argument("--jobs", type=int, default=10000)
    parser.add_argument("--zones", type=int, default=6)
    parser.add_argument("--piece-seconds", type=float, default=20.0)
    parser.add_argument("--fill-seconds", type=float, default=120.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--whole-seconds", type=float, default=None)
    parser.add_argument("--home-care", action="store_true")
    parser.add_argument("--no-write", action="store_true", help="Print only; leave RESULTS.md.")
    args = parser.parse_args(argv)
    results = run(
        workers=args.workers,
        jobs=args.jobs,
        zones=args.zones,
        piece_seconds=args.piece_seconds,
        seed=args.seed,
        fill_seconds=args.fill_seconds,
        home_care=args.home_care,
        whole_seconds=args.whole_seconds,
    )
    results["piece_seconds"] = args.piece_seconds
    results["fill_seconds"] = args.fill_seconds
    results["whole_seconds"] = args.whole_seconds
    results["home_care"] = args.home_care
    command = "python benchmarks/zones.py " + " ".join(argv if argv is not None else sys.argv[1:])
    text = _markdown(results, command.strip())
    print(text)
    if not args.no_write:
        write_section("zones-home-care" if args.home_care else "zones", text)


if __name__ == "__main__":
    main()
