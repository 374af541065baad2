"""Long placements: CP-SAT matching against the greedy baseline, and shortlist diversity.

A synthetic book of placements (``matchmaker generate --placements``): 300 workers with the
placement columns and 200 placement requests (postpartum carers around due dates, nannies,
live-in housekeepers, elderly carers) starting within 90 days. For each seed it reports,
for CP-SAT (``match_placements``, time limit 10 s, 2 search workers) and the greedy
baseline (requests in priority order, each the best eligible worker still free on its
dates): requests filled, priority-weighted fill, mean match score of the placements and
solve time; and for shortlists of 3 (``shortlist``, ``max_shortlists`` 3) against a naive
top-3 per request: distinct workers per candidate slot (diversity), the most shortlists
one worker is on, requests with a full shortlist. Every plan and shortlist is checked by
the independent verifier. Target: a full CP-SAT round in at most 10 s.

    python benchmarks/placements.py [--seeds 1 2 3] [--time-limit 10] [--no-write]

Writes the ``placements`` section of benchmarks/RESULTS.md (benchmarks/sections.py).
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any

import numpy as np

from benchmarks.run import machine_info
from benchmarks.sections import load_note, write_section
from matchmaker.generate import generate_frames
from matchmaker.io import dataset_from_frames
from matchmaker.model import Dataset, DatasetSettings
from matchmaker.placement import (
    eligibility,
    match_placements,
    placement_scores,
    shortlist,
    verify_placements,
    verify_shortlists,
)

SECTION = "placements"


def build(workers: int, requests: int, days: int, seed: int) -> Dataset:
    """The generated book of placements (visits of one day come along, pinned ones count)."""
    frames = generate_frames(
        workers=workers, jobs=100, seed=seed, placements=requests, placement_days=days
    )
    return dataset_from_frames(frames, settings=DatasetSettings(timezone="Asia/Shanghai"))


def _weighted_fill(dataset: Dataset, filled: set[str]) -> float:
    weights = dataset.settings.policy.priority_weights
    total = sum(weights[r.priority] for r in dataset.placement_requests)
    got = sum(weights[r.priority] for r in dataset.placement_requests if r.request_id in filled)
    return got / total if total else 1.0


def _naive_top_k(dataset: Dataset, k: int) -> dict[str, Any]:
    """Each request's k best-scored eligible workers, with no cap per worker."""
    elig = eligibility(dataset).eligible
    score = np.where(elig, placement_scores(dataset)["total"], -1.0)
    load: dict[int, int] = {}
    slots = 0
    full = 0
    for r in range(score.shape[1]):
        ranked = [int(w) for w in np.argsort(-score[:, r], kind="stable")[:k] if score[w, r] >= 0]
        slots += len(ranked)
        full += len(ranked) == k
        for w in ranked:
            load[w] = load.get(w, 0) + 1
    return {
        "diversity": len(load) / slots if slots else 1.0,
        "max_per_worker": max(load.values(), default=0),
        "full": full,
    }


def measure(dataset: Dataset, *, time_limit: float, seed: int) -> dict[str, Any]:
    """One seed's figures (see the module docstring)."""
    out: dict[str, Any] = {"requests": len(dataset.placement_requests)}
    for solver in ("cpsat", "greedy"):
        began = time.perf_counter()
        plan = match_placements(dataset, solver=solver, time_limit=time_limit, seed=seed)
        seconds = time.perf_counter() - began
        violations = verify_placements(dataset, plan)
        filled = {p.request_id for p in plan.placements}
        out[solver] = {
            "filled": len(filled),
            "weighted_fill": _weighted_fill(dataset, filled),
            "mean_score": float(plan.kpis["mean_match_score"]),
            "seconds": seconds,
            "status": plan.kpis["solver_stats"]["status"],
            "violations": len(violations),
        }
    began = time.perf_counter()
    lists = shortlist(dataset, k=3, max_shortlists=3, seed=seed)
    seconds = time.perf_counter() - began
    out["shortlist"] = {
        "diversity": float(lists.kpis["diversity"]),
        "max_per_worker": int(lists.kpis["max_shortlists_per_worker"]),
        "full": int(lists.kpis["requests_with_full_shortlist"]),
        "with_one": len({e.request_id for e in lists.shortlists}),
        "seconds": seconds,
        "violations": len(verify_shortlists(dataset, lists, k=3, max_shortlists=3)),
    }
    out["naive"] = _naive_top_k(dataset, 3)
    return out


def markdown(rows: list[dict[str, Any]], *, args: argparse.Namespace) -> str:
    """The RESULTS.md section."""
    info = machine_info()
    lines = [
        "## Long placements (`benchmarks/placements.py`)",
        "",
        f"{args.workers} workers x {args.requests} placement requests starting within "
        f"{args.days} days (generated, seeds {', '.join(map(str, args.seeds))}); CP-SAT "
        f"time limit {args.time_limit:g} s on 2 search workers. Fill = requests placed; "
        "weighted = by policy priority weights; score = mean match score of the placements.",
        "",
        "| seed | CP-SAT filled | weighted | score | seconds | status | greedy filled | weighted "
        "| score | seconds | violations |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for seed, row in zip(args.seeds, rows, strict=True):
        c, g = row["cpsat"], row["greedy"]
        lines.append(
            f"| {seed} | {c['filled']}/{row['requests']} | {c['weighted_fill']:.1%} | "
            f"{c['mean_score']:.1f} | {c['seconds']:.1f} | {c['status']} | "
            f"{g['filled']}/{row['requests']} | {g['weighted_fill']:.1%} | {g['mean_score']:.1f} "
            f"| {g['seconds']:.2f} | {c['violations'] + g['violations']} |"
        )
    lines += [
        "",
        "Shortlists of 3 (`max_shortlists` 3) against a naive top 3 per request (no cap): "
        "diversity = distinct workers / candidate slots.",
        "",
        "| seed | diversity | max per worker | full lists | with a candidate | seconds "
        "| naive diversity | naive max per worker | naive full lists | violations |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for seed, row in zip(args.seeds, rows, strict=True):
        s, n = row["shortlist"], row["naive"]
        lines.append(
            f"| {seed} | {s['diversity']:.2f} | {s['max_per_worker']} | {s['full']} | "
            f"{s['with_one']} | {s['seconds']:.2f} | {n['diversity']:.2f} | "
            f"{n['max_per_worker']} | {n['full']} | {s['violations']} |"
        )
    cpsat_seconds = [row["cpsat"]["seconds"] for row in rows]
    lines += [
        "",
        f"CP-SAT round: median {statistics.median(cpsat_seconds):.1f} s, max "
        f"{max(cpsat_seconds):.1f} s (target <= 10 s).",
        "",
        f"Machine: {info['cpu_model']}, {info['cores']} cores, {info['memory_gb']} GB, load "
        f"{info['load_average']} at the end ({load_note()}); "
        f"Python {info['python']}, "
        + ", ".join(f"{k} {v}" for k, v in info["packages"].items())
        + ".",
        "",
        "Command: `python benchmarks/placements.py --seeds "
        + " ".join(map(str, args.seeds))
        + f" --time-limit {args.time_limit:g}`",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=300)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--no-write", action="store_true", help="print, do not write RESULTS.md")
    args = parser.parse_args(argv)
    rows = []
    for seed in args.seeds:
        dataset = build(args.workers, args.requests, args.days, seed)
        rows.append(measure(dataset, time_limit=args.time_limit, seed=seed))
        print(seed, rows[-1], flush=True)
    text = markdown(rows, args=args)
    print(text)
    if not args.no_write:
        write_section(SECTION, text)


if __name__ == "__main__":
    main()
