"""The HHCRSP benchmark of Mankowska, Meisel & Bierwirth (2014) through matchmaker.

Usage::

    python benchmarks/hhcrsp.py INSTANCE_FILE --time-limit S --seed N --out PLAN_DIR
    python benchmarks/hhcrsp.py --table [--families ABCD] [--time-limit S] [--efg-time-limit S]

The first form solves one instance, writes the plan folder and prints one JSON line
``{"instance", "objective", "distance", "total_tardiness", "max_tardiness", "patients",
"served", "violations", "seconds"}``. The second solves every instance of the families
asked for and writes the table into ``benchmarks/RESULTS.md`` (section ``hhcrsp``).

The mapping to the dataset contract: each caregiver is a worker whose home is the depot,
with one shift over the depot's window and ``policy.travel_home`` on (routes end at the
depot and the way back counts); each (patient, service) is a job needing that service as a
skill, with the patient's window start as ``earliest_start``, its soft end as
``due_start`` and the end of the day (less the service time) as ``latest_start``; a
double service is two jobs, the second ``depends_on`` the first with the instance's
``mind``/``maxd`` gap (0/0 = the same start), by a different caregiver: the paper's model
has no arc from a patient to itself, so one caregiver visits a patient once and the two
services of a double service always go to two caregivers (the published decoders assign
them so too), with a gap as well as without. Travel is the
instance's distance matrix as a travel matrix. The instance's time unit is
:data:`SCALE` minutes, so that the float distances keep two decimals (a matrix rounds a
fractional minute up: each leg is at most 0.01 longer than the instance's). The policy
prices a travel minute, a minute of lateness and a minute of the largest lateness at 1
each and the match score at 0: the paper's objective times ``3 * SCALE``, up to rounding.

The shift ends when the end depot's window closes, but not before :data:`RETURN_BY`: the
``InstanzCPLEX`` files (A-D) close it at 1000, the ``InstanzVNS`` files (E-G) at 600 like
the start depot's. The paper bounds no return time and the published solutions serve every
patient, while a hard return by 600 left up to 30 of 400 visits unserved here; so every
family gets the A-D files' 1000.

The objective printed is recomputed from the plan in floating point with the instance's own
distances: ``(distance + total tardiness + max tardiness) / 3``; the paper's rules are
checked on the plan in the same terms, apart from matchmaker's verifier
(:mod:`benchmarks.hhcrsp_rules`), and the rules broken are counted in ``paper_rules_broken``.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import numpy.typing as npt

from matchmaker.compile import MatrixTravel
from matchmaker.io import write_plan
from matchmaker.model import (
    BackgroundCheck,
    BackgroundCheckStatus,
    Dataset,
    DatasetSettings,
    Gender,
    Job,
    LinkWorker,
    Location,
    Policy,
    Shift,
    SkillRequirement,
    TimeWindow,
    TravelMode,
    Worker,
    add_minutes,
    elapsed_minutes,
)
from matchmaker.plan import Plan, dispatch

if __package__ in (None, ""):
    # Run as a script: make the repository root importable so `benchmarks.*` resolves.
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.hhcrsp_rules import Visit, paper_rules_broken

RETURN_BY = 1000.0
"""The latest end of a shift in instance time units (the end depot's window in A-D)."""

SCALE = 100
"""Minutes per time unit of the instance."""


def _data_folder() -> Path:
    """``$MATCHMAKER_HHCRSP_DATA``, else ``../shared/benchmarks/hhcrsp_mankowska`` next to
    the checkout, else ``/work/shared/...`` (where a worktree finds it)."""
    named = os.environ.get("MATCHMAKER_HHCRSP_DATA")
    if named:
        return Path(named)
    beside = Path(__file__).resolve().parents[2] / "shared/benchmarks/hhcrsp_mankowska"
    return beside if beside.is_dir() else Path("/work/shared/benchmarks/hhcrsp_mankowska")


DATA = _data_folder()
ORIGIN = datetime(2026, 1, 5, tzinfo=UTC)
FAMILIES = {"A": 10, "B": 25, "C": 50, "D": 75, "E": 100, "F": 200, "G": 300}

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, kw_only=True)
class Instance:
    """One instance file as read: node 0 and node n-1 are the depot."""

    name: str
    n_nodes: int
    n_vehicles: int
    n_services: int
    requires: npt.NDArray[np.int64]
    double: tuple[int, ...]
    """The patients with a double service as the file numbers them (from 1, not as nodes)."""
    qualified: npt.NDArray[np.int64]
    distance: FloatArray
    processing: FloatArray
    min_gap: FloatArray
    max_gap: FloatArray
    earliest: FloatArray
    latest: FloatArray

    @property
    def patients(self) -> range:
        return range(1, self.n_nodes - 1)


def _sections(path: Path) -> dict[str, list[list[str]]]:
    sections: dict[str, list[list[str]]] = {}
    current: list[list[str]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        words = line.split()
        if not words:
            continue
        if len(words) == 1 and not _number(words[0]):
            current = sections.setdefault(words[0], [])
        else:
            current.append(words)
    return sections


def _number(word: str) -> bool:
    try:
        float(word)
    except ValueError:
        return False
    return True


def read_instance(path: Path) -> Instance:
    """An instance file of the mirror (see SOURCES.md for its sections)."""
    s = _sections(path)

    def floats(key: str) -> FloatArray:
        return np.array([[float(x) for x in row] for row in s[key]], dtype=np.float64)

    n_nodes = int(s["nbNodes"][0][0])
    n_vehicles = int(s["nbVehi"][0][0])
    n_services = int(s["nbServi"][0][0])
    processing = floats("p").reshape(n_nodes, n_vehicles, n_services)
    return Instance(
        name=path.stem,
        n_nodes=n_nodes,
        n_vehicles=n_vehicles,
        n_services=n_services,
        requires=floats("r").astype(np.int64),
        double=tuple(int(x) for row in s.get("DS", []) for x in row),
        qualified=floats("a").astype(np.int64),
        distance=floats("d"),
        processing=processing[:, 0, :],
        min_gap=floats("mind").reshape(-1),
        max_gap=floats("maxd").reshape(-1),
        earliest=floats("e").reshape(-1),
        latest=floats("l").reshape(-1),
    )


def _minutes(units: float) -> int:
    return round(units * SCALE)


def _place(node: int) -> Location:
    """A made-up point per node (the travel matrix, not the coordinates, gives travel)."""
    return Location(lat=node // 100 * 0.01, lon=node % 100 * 0.01)


def to_dataset(inst: Instance) -> tuple[Dataset, MatrixTravel, dict[str, tuple[int, int]]]:
    """The round of ``inst``, its travel matrix and job id -> (node, service)."""
    depot = 0
    day_end = _minutes(max(float(inst.latest[inst.n_nodes - 1]), RETURN_BY))
    shift = Shift(start=ORIGIN, end=add_minutes(ORIGIN, day_end))
    workers = tuple(
        Worker(
            worker_id=f"V{v + 1:02d}",
            name="",
            gender=Gender.FEMALE,
            skills={f"s{k + 1}": 1 for k in range(inst.n_services) if inst.qualified[v, k]},
            background_check=BackgroundCheck(status=BackgroundCheckStatus.PASSED),
            home=_place(depot),
            shifts=(shift,),
            travel_mode=TravelMode.CAR,
        )
        for v in range(inst.n_vehicles)
    )
    jobs: list[Job] = []
    where: dict[str, tuple[int, int]] = {}
    for i in inst.patients:
        services = [k for k in range(inst.n_services) if inst.requires[i, k]]
        first: str | None = None
        for k in services:
            job_id = f"P{i:03d}-S{k + 1}"
            duration = max(_minutes(float(inst.processing[i, k])), 1)
            earliest = add_minutes(ORIGIN, _minutes(float(inst.earliest[i])))
            latest = add_minutes(ORIGIN, max(day_end - duration, 0))
            due = add_minutes(ORIGIN, _minutes(float(inst.latest[i])))
            due = min(max(due, earliest), latest)
            link: dict[str, object] = {}
            if first is not None:
                low, high = _minutes(float(inst.min_gap[i])), _minutes(float(inst.max_gap[i]))
                link = {
                    "depends_on": first,
                    "min_gap": low,
                    "max_gap": high,
                    "link_worker": LinkWorker.DIFFERENT,
                }
            jobs.append(
                Job(
                    job_id=job_id,
                    customer_id=f"P{i:03d}",
                    service_type=f"s{k + 1}",
                    location=_place(i),
                    window=TimeWindow(start=earliest, end=latest),
                    duration_minutes=duration,
                    required_skills=(SkillRequirement(name=f"s{k + 1}", level=1),),
                    due_start=due,
                    **link,  # type: ignore[arg-type]
                )
            )
            where[job_id] = (i, k)
            first = first or job_id
    policy = Policy(
        travel_cost_per_minute=1,
        match_cost_per_point=0,
        lateness_cost_per_minute=1,
        max_lateness_cost_per_minute=1,
        travel_home=True,
    )
    nodes = range(inst.n_nodes - 1)  # the last node is the depot again
    travel = MatrixTravel(
        [_place(n) for n in nodes],
        inst.distance[: inst.n_nodes - 1, : inst.n_nodes - 1] * SCALE,
    )
    dataset = Dataset(workers=workers, jobs=tuple(jobs), settings=DatasetSettings(policy=policy))
    return dataset, travel, where


@dataclass(frozen=True, kw_only=True)
class Score:
    objective: float
    distance: float
    total_tardiness: float
    max_tardiness: float
    served: int
    broken: tuple[str, ...]
    """The paper's rules the plan breaks (:func:`benchmarks.hhcrsp_rules.paper_rules_broken`)."""


def score(inst: Instance, plan: Plan, where: dict[str, tuple[int, int]]) -> Score:
    """The paper's objective recomputed from ``plan`` with the instance's float data, and
    the paper's rules it breaks."""
    by_worker: dict[int, list[Visit]] = {}
    tardiness: list[float] = []
    for a in plan.assignments:
        node, service = where[a.job_id]
        start = float(elapsed_minutes(ORIGIN, a.start)) / SCALE
        caregiver = int(a.worker_id.removeprefix("V")) - 1
        by_worker.setdefault(caregiver, []).append((start, node, service))
        tardiness.append(max(0.0, start - float(inst.latest[node])))
    distance = 0.0
    for visits in by_worker.values():
        path = [0, *(node for _, node, _ in sorted(visits)), 0]
        distance += float(sum(inst.distance[a, b] for a, b in itertools.pairwise(path)))
    total, largest = float(sum(tardiness)), float(max(tardiness, default=0.0))
    return Score(
        objective=(distance + total + largest) / 3.0,
        distance=distance,
        total_tardiness=total,
        max_tardiness=largest,
        served=len({a.job_id for a in plan.assignments}),
        broken=tuple(paper_rules_broken(inst, by_worker)),
    )


def run_one(path: Path, time_limit: float, seed: int, out: Path | None) -> dict[str, object]:
    """Solve one instance; the JSON line's fields."""
    inst = read_instance(path)
    dataset, travel, where = to_dataset(inst)
    began = time.perf_counter()
    result = dispatch(dataset, time_limit=time_limit, seed=seed, travel=travel)
    seconds = time.perf_counter() - began
    if out is not None:
        write_plan(result.plan, out, dataset=dataset, policy=result.policy, force=True)
    s = score(inst, result.plan, where)
    return {
        "instance": path.name,
        "objective": round(s.objective, 4),
        "distance": round(s.distance, 4),
        "total_tardiness": round(s.total_tardiness, 4),
        "max_tardiness": round(s.max_tardiness, 4),
        "patients": len(inst.patients),
        "served": s.served,
        "jobs": len(dataset.jobs),
        "violations": len(result.violations),
        "paper_rules_broken": len(s.broken),
        "seconds": round(seconds, 2),
    }


def _bks() -> dict[str, dict[str, str]]:
    with (DATA / "bks.csv").open(encoding="utf-8") as handle:
        return {row["instance_file"]: row for row in csv.DictReader(handle)}


def _family_files(letter: str) -> list[Path]:
    size = FAMILIES[letter]
    kind = "CPLEX" if size <= 75 else "VNS"
    return [DATA / "instances" / f"Instanz{kind}_HCSRP_{size}_{k}.txt" for k in range(1, 11)]


def table(
    families: str,
    limits: dict[str, float],
    seed: int,
    on_family: Callable[[str], None] | None = None,
) -> str:
    """Solve the families and return the RESULTS.md section; ``on_family`` receives the
    section so far after each family (a long run keeps what it measured)."""
    bks = _bks()
    lines = [
        "## HHCRSP (Mankowska, Meisel & Bierwirth 2014)",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores; load average "
        f"{os.getloadavg()[0]:.1f} at the start (other work on the machine slows the "
        f"search); Python {platform.python_version()}.",
        f"Command: `python benchmarks/hhcrsp.py --table --families {families} "
        f"--time-limit {limits['A']:g} --efg-time-limit {limits['E']:g}`, seed {seed}.",
        "Objective = (distance + total tardiness + max tardiness) / 3, recomputed from the "
        "plan in floating point; BKS and lower bound (LB+, CPLEX) from "
        "`../shared/benchmarks/hhcrsp_mankowska/bks.csv`. Gap = ours / BKS - 1.",
        "",
        "Violations: the rules matchmaker's verifier finds broken / the paper's rules broken, "
        "checked apart from it (`benchmarks/hhcrsp_rules.py`).",
        "",
        "| instance | ours | BKS | gap | lower bound | served | violations | seconds |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    gaps: dict[str, list[float]] = {}
    for letter in families:
        for path in _family_files(letter):
            row = run_one(path, limits[letter], seed, None)
            ref = bks[path.name]
            best = float(ref["bks_distance"])
            gap = float(row["objective"]) / best - 1.0  # type: ignore[arg-type]
            gaps.setdefault(letter, []).append(gap)
            bound = ref.get("lower_bound") or ""
            lines.append(
                f"| {ref['instance']} | {row['objective']:.2f} | {best:.2f} | {gap:+.1%} | "
                f"{bound} | {row['served']}/{row['jobs']} | "
                f"{row['violations']} / {row['paper_rules_broken']} | "
                f"{row['seconds']} |"
            )
            print(json.dumps(row), file=sys.stderr, flush=True)
        if on_family is not None:
            on_family(_with_means(lines, gaps, limits))
    return _with_means(lines, gaps, limits)


def _with_means(lines: list[str], gaps: dict[str, list[float]], limits: dict[str, float]) -> str:
    summary = [
        "",
        "| family | time limit (s) | instances | mean gap to BKS |",
        "|---|---:|---:|---:|",
    ]
    for letter, values in gaps.items():
        summary.append(
            f"| {letter} | {limits[letter]:g} | {len(values)} | {statistics.mean(values):+.2%} |"
        )
    return "\n".join([*lines, *summary]) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("instance", nargs="?", type=Path)
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--efg-time-limit", type=float, default=120.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--table", action="store_true")
    parser.add_argument("--families", default="ABCD")
    parser.add_argument(
        "--section", default="hhcrsp", help="RESULTS.md section (two runs side by side)"
    )
    args = parser.parse_args(argv)
    if args.table:
        from benchmarks.sections import write_section

        limits = {f: args.time_limit if f in "ABCD" else args.efg_time_limit for f in FAMILIES}

        def save(markdown: str) -> None:
            write_section(args.section, markdown)

        save(table(args.families, limits, args.seed, save))
        return 0
    if args.instance is None:
        parser.error("give an INSTANCE_FILE or --table")
    print(json.dumps(run_one(args.instance, args.time_limit, args.seed, args.out)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
