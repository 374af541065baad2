"""The engine against VROOM on days that bind: normal, tight and week rounds, under the
default and under linear priority weights, VROOM at exploration levels 2 and 5.

Every run is a child process of :mod:`benchmarks.worker` (the same load, solve, build,
verify and measurement as ``run.py``); VROOM gets the same eligibility, caps and the
policy's priority weights (:mod:`benchmarks.vroom_peer`). The figure compared is the
**weighted served value**: the sum of the policy weight of each served job (a team job
counts only when fully staffed with one start).

``--objective same`` (the default) solves and measures every run under the policy with
``match_cost_per_point = 0`` (:data:`benchmarks.worker.OBJECTIVES`): matchmaker, like
VROOM, then maximises the priority-weighted served value and minimises travel, so the two
are compared under the same objective; its report goes into the ``engine-same-objective``
section of ``benchmarks/RESULTS.md``. ``--objective policy`` keeps the dataset's own
policy (matchmaker also minimises ``100 - match score`` per pair, which VROOM does not
see) and writes the ``engine`` section, as before.

``--serve-value-minutes off,60,40`` runs matchmaker once per price (``off``: unset, the
objective above; a number prices serving one weight unit at that many travel minutes, so
that far jobs are left out): the trade between served value and travel per served job,
against VROOM's one plan. Priced runs are under that price's objective, not VROOM's.

    python benchmarks/engine.py                               # every family, ~hours
    python benchmarks/engine.py --rounds 200x600:30,200x600@2:30 --levels 2
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.instances import CACHE_DIR, INSTANCE_SEED, Size, ensure_instance, parse_size
from benchmarks.run import machine_info, markdown_table, run_child
from benchmarks.sections import RESULTS, load_note, write_section
from benchmarks.worker import OBJECTIVES, WEIGHTINGS

__all__ = ["DEFAULT_ROUNDS", "SECTIONS", "Round", "main", "parse_rounds", "render", "run"]

DEFAULT_ROUNDS = (
    "200x600:30,200x600@2:30,200x3000x5d:30,"
    "600x2000:120,600x2000@2:120,600x10000x5d:120,120x900x5d:60"
)
"""Normal, tight (load 2) and week families at 200 and 600 workers, and a 5-day 120 x 900,
each with matchmaker's time limit in seconds."""
SECTIONS = {"same": "engine-same-objective", "policy": "engine"}
"""The RESULTS.md section each objective mode writes by default."""
_OBJECTIVE_NOTES = {
    "same": "- objective: **the same for both** (`--objective same`): the policy with "
    "`match_cost_per_point = 0`, so matchmaker minimises the drop penalties (priority "
    "weight x serve value per job) plus travel minutes, and VROOM maximises its priority "
    "sum, then the tasks served, then minimises travel. What still differs: VROOM's "
    "priorities are the weights rounded to 0-100 (default 6/12/25/50/99, linear "
    "20/40/59/79/99); VROOM ranks served value strictly before travel, ours trades them "
    "at the serve value (one job's value exceeds any one job's travel, not the whole "
    "plan's); VROOM cannot synchronise team jobs (split into single visits). The "
    "`objective` column is this objective, for every solver.",
    "policy": "- objective: the dataset's policy (`--objective policy`): matchmaker also "
    "charges `100 - match score` per assigned pair, which VROOM does not see, so VROOM "
    "is compared on an objective it does not minimise.",
}
_PRICED_NOTE = (
    "- rows *serving priced at N min* are matchmaker under policy `serve_value_minutes = N`: "
    "serving one weight unit is worth N travel minutes, so a job whose travel exceeds its "
    "value is left out. That is **not** the objective above: their `objective`, `lower "
    "bound` and `gap` are of the priced objective, and VROOM's plans are the same runs as "
    "for the unpriced rows. Weighted served value and travel per served job are measured "
    "the same way for every row."
)
LEVEL_TIMEOUT = {2: None, 5: 600.0}
"""VROOM's timeout by level: ``None`` is matchmaker's limit; level 5 gets 10 minutes."""


@dataclass(frozen=True, kw_only=True)
class Round:
    size: Size
    limit: float


def parse_rounds(text: str) -> tuple[Round, ...]:
    """``"200x600:30,120x900x5d:60"`` -> the rounds with their time limits."""
    rounds = []
    for item in (x.strip() for x in text.split(",") if x.strip()):
        size, _, limit = item.partition(":")
        try:
            rounds.append(Round(size=parse_size(size), limit=float(limit or 30)))
        except ValueError as error:
            raise argparse.ArgumentTypeError(f"{item!r}: {error}") from None
    return tuple(rounds)


def _parse_prices(text: str) -> tuple[int | None, ...]:
    """``"off,60,40"`` -> ``(None, 60, 40)``."""
    try:
        return tuple(None if x.strip() == "off" else int(x) for x in text.split(",") if x.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: minutes or 'off', comma-separated") from None


def run(
    rounds: tuple[Round, ...],
    *,
    weightings: tuple[str, ...],
    levels: tuple[int, ...],
    seed: int,
    cache: Path,
    objective: str = "same",
    prices: tuple[int | None, ...] = (None,),
    instance_seed: int = INSTANCE_SEED,
) -> list[dict[str, Any]]:
    """Every round x weighting: matchmaker routing at each price of serving
    (``serve_value_minutes``, ``None``: unset) and VROOM at each level, one child each; the
    rounds are generated from ``instance_seed``."""
    records: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="matchmaker-engine-") as scratch:
        for round_ in rounds:
            path = ensure_instance(round_.size, seed=instance_seed, cache=cache)
            for weighting in weightings:
                base: dict[str, Any] = {
                    "dataset": str(path),
                    "seed": seed,
                    "weighting": weighting,
                    "objective": objective,
                }
                specs = [
                    dict(base, solver="routing", time_limit=round_.limit, serve_value_minutes=p)
                    for p in prices
                ]
                for level in levels:
                    timeout = LEVEL_TIMEOUT.get(level) or round_.limit
                    specs.append(dict(base, solver="vroom", time_limit=timeout, vroom_level=level))
                for spec in specs:
                    record = run_child(spec, Path(scratch), 2 * float(spec["time_limit"]) + 600)
                    record |= {
                        "instance": round_.size.name,
                        "weighting": weighting,
                        "solver": spec["solver"],
                        "level": spec.get("vroom_level"),
                        "time_limit": float(spec["time_limit"]),
                    }
                    records.append(record)
                    print(_brief(record), file=sys.stderr, flush=True)
    return records


def _name(record: dict[str, Any]) -> str:
    if record["solver"] == "vroom":
        return f"VROOM level {record['level']}"
    price = record.get("serve_value_minutes")
    priced = "" if price is None else f", serving priced at {price} min"
    return f"matchmaker routing {record['time_limit']:g} s{priced}"


def _brief(record: dict[str, Any]) -> str:
    head = f"{record['instance']} {record['weighting']} {_name(record)}"
    if record.get("error"):
        return f"{head}: ERROR {record['error']}"
    return (
        f"{head}: weighted {record['weighted_served']}/{record['weighted_total']}, "
        f"served {record['jobs_served']}, {record['solve_seconds']:.1f} s, "
        f"violations {record['violations']}"
    )


def _percent(ours: float, theirs: float) -> str:
    return "-" if not theirs else f"{100 * (ours - theirs) / theirs:+.1f}%"


def _gap(record: dict[str, Any]) -> str:
    """``(objective - lower bound) / lower bound`` of a run that reports a bound."""
    bound, objective = record.get("lower_bound"), record.get("objective")
    if record.get("error") or not bound or objective is None:
        return "-"
    return f"{100 * (objective - bound) / bound:.1f}%"


def _cell(record: dict[str, Any] | None, key: str, digits: int = 0) -> str:
    if record is None or record.get("error") or record.get(key) is None:
        return "-"
    return f"{record[key]:,.{digits}f}"


def _peak(record: dict[str, Any]) -> str:
    """The run's peak memory: its process's, plus its search helpers' where it had any
    (an upper bound: forked helpers share the problem's pages, counted here twice)."""
    helpers = record.get("peak_rss_mb_helpers") or 0.0
    if record.get("error") or record.get("peak_mb") is None or not helpers:
        return _cell(record, "peak_mb")
    return f"{record['peak_rss_mb_self'] + helpers:,.0f}"


def render(
    records: list[dict[str, Any]],
    command: str,
    machine: dict[str, Any],
    objective: str = "policy",
    started: str = "",
) -> str:
    """The report: a comparison per round and weighting, then every run; ``machine`` is
    :func:`~benchmarks.run.machine_info` read when the runs began, ``objective`` the
    mode the runs were made under (:data:`benchmarks.worker.OBJECTIVES`), ``started``
    when they began (UTC, ISO 8601: :mod:`benchmarks.engine_status` orders runs by it)."""
    packages = ", ".join(f"{k} {v}" for k, v in machine["packages"].items())
    compare: list[list[str]] = []
    keys = dict.fromkeys((r["instance"], r["weighting"]) for r in records)
    for instance, weighting in keys:
        runs = [r for r in records if (r["instance"], r["weighting"]) == (instance, weighting)]
        for ours, peer in (
            (o, p) for o in runs if o["solver"] == "routing" for p in runs if p["solver"] == "vroom"
        ):
            ok = not ours.get("error") and not peer.get("error")
            compare.append(
                [
                    instance,
                    weighting,
                    _name(ours),
                    _name(peer),
                    _cell(ours, "weighted_served"),
                    _cell(peer, "weighted_served"),
                    _percent(ours["weighted_served"], peer["weighted_served"]) if ok else "-",
                    _cell(ours, "travel_per_served", 1),
                    _cell(peer, "travel_per_served", 1),
                    _cell(ours, "solve_seconds", 1) + " / " + _cell(peer, "solve_seconds", 1),
                    _cell(ours, "violations") + " / " + _cell(peer, "violations"),
                ]
            )
    rows = [
        [
            r["instance"],
            r["weighting"],
            _name(r),
            _cell(r, "weighted_served"),
            _cell(r, "jobs_served") + "/" + _cell(r, "jobs_total"),
            _cell(r, "travel_per_served", 1),
            _cell(r, "mean_match_score", 1),
            _cell(r, "objective"),
            _cell(r, "lower_bound"),
            _gap(r),
            _cell(r, "solve_seconds", 1),
            _peak(r),
            _cell(r, "violations"),
            str(r.get("error") or "")[:80],
        ]
        for r in records
    ]
    priced = any(r.get("serve_value_minutes") is not None for r in records)
    return "\n".join(
        [
            "## The engine against VROOM on days that bind (issue 11)"
            + (", under the same objective" if objective == "same" else "")
            + ("; matchmaker also with serving priced" if priced else ""),
            "",
            f"- machine: {machine['cpu_model']}, {machine['cores']} cores, "
            f"{machine['memory_gb']} GB; load average at start {machine['load_average']}",
            f"- {machine['platform']}; Python {machine['python']}; {packages}",
            f"- command: `{command}`",
            *([f"- started: {started}"] if started else []),
            f"- {load_note()}",
            _OBJECTIVE_NOTES[objective],
            *([_PRICED_NOTE] if priced else []),
            "- weighted served value: the sum of the policy weight of each served job "
            "(default weights 1/2/4/8/16, linear 1..5); VROOM gets the same weights as "
            "priorities, the same eligibility and caps, and team jobs split into single "
            "visits (it cannot synchronise them; a split team counts only when fully "
            "staffed with one start)",
            "- peak MB: the run's process, plus the largest of matchmaker's search helper "
            "processes where it forked any (an upper bound: they share the problem's pages)",
            "- wall s: the solve alone; matchmaker's compiled kernels are loaded before its "
            "clock starts, as `matchmaker dispatch` does (about a second a process; each "
            "record's `warm_seconds`)",
            "",
            markdown_table(
                [
                    "round",
                    "weights",
                    "matchmaker",
                    "peer",
                    "matchmaker weighted",
                    "peer weighted",
                    "difference",
                    "travel/served ours",
                    "travel/served peer",
                    "wall s ours / peer",
                    "violations ours / peer",
                ],
                compare,
            ),
            "",
            markdown_table(
                [
                    "round",
                    "weights",
                    "solver",
                    "weighted served",
                    "served",
                    "travel/served",
                    "match score",
                    "objective",
                    "lower bound",
                    "gap",
                    "wall s",
                    "peak MB",
                    "violations",
                    "error",
                ],
                rows,
            ),
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="benchmarks/engine.py", description=__doc__)
    parser.add_argument("--rounds", type=parse_rounds, default=parse_rounds(DEFAULT_ROUNDS))
    parser.add_argument("--weightings", default=",".join(WEIGHTINGS), help="default,linear")
    parser.add_argument("--levels", default="2,5", help="VROOM exploration levels")
    parser.add_argument(
        "--objective",
        choices=sorted(OBJECTIVES),
        default="same",
        help="same: no match cost, the objective VROOM minimises (default); "
        "policy: the dataset's own policy",
    )
    parser.add_argument(
        "--serve-value-minutes",
        type=_parse_prices,
        default=(None,),
        help="prices of serving for matchmaker's runs, in travel minutes per weight unit "
        "('off': unset, the default), e.g. off,60,40",
    )
    parser.add_argument("--section", help="RESULTS.md section (default by --objective)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--instance-seed",
        type=int,
        default=INSTANCE_SEED,
        help="seed the rounds are generated from (another one: days the engine was not tuned on)",
    )
    parser.add_argument("--cache", type=Path, default=CACHE_DIR)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    weightings = tuple(w.strip() for w in args.weightings.split(",") if w.strip())
    unknown = set(weightings) - set(WEIGHTINGS)
    if unknown:
        parser.error(f"unknown weightings {sorted(unknown)}; choose from {', '.join(WEIGHTINGS)}")
    levels = tuple(int(x) for x in args.levels.split(",") if x.strip())
    began = time.perf_counter()
    started = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    machine = machine_info()
    records = run(
        args.rounds,
        weightings=weightings,
        levels=levels,
        seed=args.seed,
        cache=args.cache,
        objective=args.objective,
        prices=args.serve_value_minutes,
        instance_seed=args.instance_seed,
    )
    command = "python benchmarks/engine.py " + " ".join(sys.argv[1:] if argv is None else argv)
    text = render(records, command, machine, args.objective, started)
    end_load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    text += f"\n\n- took {time.perf_counter() - began:.0f} s; load average at the end {end_load}\n"
    print(text)
    write_section(args.section or SECTIONS[args.objective], text, args.out)
    return 1 if any(r.get("error") for r in records) else 0


if __name__ == "__main__":
    raise SystemExit(main())
