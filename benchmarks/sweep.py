"""A robustness sweep: random generated rounds through every command, as a user runs them.

``python benchmarks/sweep.py --cases 30 --seed 1`` draws rounds (workers, jobs, days, load,
home-care rules, long placement requests; half of them on or over a daylight-saving change
in Berlin, New York or London) and, for each: ``generate``, ``validate``,
``coverage``, ``placements`` (matched or shortlisted) when the round has placement requests,
``dispatch`` (a drawn solver, time limit, ``--deterministic``, ``--split``, for the pieces
a local Dask cluster of two processes or a running Dask scheduler at ``--executor
dask://``, ``--redact`` and ``--lang``) and ``verify``; then on
the plan ``recommend`` and ``explain`` for an unserved job (and ``explain --worker`` for a
drawn worker), ``slots`` for a request like it, ``replan`` with drawn changes (a worker
away, a decline, an overrun, a cancellation, a new job), ``verify`` of the re-plan, and
``report``. On about a third of the rounds, the event-store day of
:mod:`benchmarks.sweep_ops` follows (``ops import-dataset`` to the next day's ``ops jobs``,
with a recurring order paused, resumed or amended, an assessment visit and its findings,
drawn answers, service, money, complaints, a placement and a new worker; ``ops report``
must count what the events fed it, also after ``ops rebuild``), every other one on a
PostgreSQL store. The scheduler and the PostgreSQL cluster are started on first use
(:mod:`benchmarks.sweep_services`).
Each command runs as a child process of the installed ``matchmaker``. On small rounds the
notebook path runs too, in this process: ``compare`` with a scenario of each kind of edit
and one of three together (every scenario's plan verified on its own edited round), then
``smallest_changes`` and ``what_would_serve_most`` on the baseline.

A command fails the sweep when it exits with anything but 0, or 2 with one of the refusals
the README documents (a load the generator cannot reach, a solver that cannot honour the
round's rules); when its output shows a traceback or "bug in matchmaker"; when ``verify``
rejects a plan; when a solve not bound by work (no ``--deterministic``) nor cut into
pieces (no ``--split``, where the limit caps each piece) reports more
``solve_seconds`` (``kpis.json``) than its limit plus 10% and :data:`SLACK_SECONDS` (the
smallest changes after it have their own budget). Failures are printed with their
command; the exit code is 1 when there was any. Nothing is written outside ``--root`` (a
temporary folder by default).
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import shutil
import sys
import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.sweep_commands import REFUSALS, Sweep, read_rows
from benchmarks.sweep_ops import ops_day
from benchmarks.sweep_services import Services

SLACK_SECONDS = 1.0
"""What a solve may take past its time limit and 10% of it (the unit tests' tolerance)."""
DAYLIGHT_SAVING = (
    ("2027-03-28", "Europe/Berlin"),
    ("2027-03-27", "Europe/Berlin"),
    ("2026-10-31", "America/New_York"),
    ("2027-10-30", "Europe/London"),
)
"""Rounds on, or starting the day before, a change of the clocks (Berlin springs forward on
28 March 2027, New York falls back on 1 November 2026, London on 31 October 2027)."""
_NOT_IN_A_REQUEST = (
    "pinned_worker_id",
    "pinned_start",
    "depends_on",
    "min_gap",
    "max_gap",
    "link_worker",
)
"""Columns of an unserved job left blank in the request made from it: a caller's new job
has no pin and follows no visit."""


@dataclass(frozen=True, kw_only=True)
class Case:
    """One drawn round and how it is dispatched."""

    workers: int
    jobs: int
    days: int
    load: float | None
    home_care: bool
    solver: str
    limit: float
    deterministic: bool
    seed: int
    placements: int = 0
    split: str | None = None
    pool: str | None = None
    """How a split round's pieces (zones or days) spread: ``processes`` (``--workers 2``),
    ``scheduler`` (a running Dask scheduler, ``--executor dask://``), or in this process
    (``None``)."""
    redact: bool = False
    ops: bool = False
    calendar: tuple[str, str] | None = None
    """The first day and timezone of the round (``generate --start-date --timezone``);
    ``None``: the generator's (1 December 2026, Asia/Shanghai)."""

    def generate_args(self, folder: Path) -> list[str]:
        args = ["generate", str(folder), "--workers", str(self.workers)]
        args += ["--jobs", str(self.jobs), "--days", str(self.days), "--seed", str(self.seed)]
        args += [] if self.load is None else ["--load", str(self.load)]
        if self.calendar is not None:
            args += ["--start-date", self.calendar[0], "--timezone", self.calendar[1]]
        args += ["--placements", str(self.placements)] if self.placements else []
        return args + (["--home-care"] if self.home_care else [])


def draw(rng: random.Random) -> Case:
    workers = rng.choice([1, 2, 3, 5, 8, 15, 30, 60])
    days = rng.choice([1, 1, 1, 2, 3, 7])
    home_care = rng.random() < 0.4
    split = rng.choice([None, None, None, None, "days", "zones"])
    return Case(
        workers=workers,
        jobs=max(1, int(workers * rng.choice([0.5, 1, 2, 3, 4, 6]) * days)),
        days=days,
        load=rng.choice([None, None, 1.0, 2.0, 3.0]),
        home_care=home_care,
        solver=rng.choice(["routing", "routing", "greedy"] + ([] if home_care else ["cpsat"])),
        limit=rng.choice([1.0, 3.0, 5.0]),
        deterministic=rng.random() < 0.3,
        seed=rng.randrange(1000),
        placements=rng.choice([0, 0, 0, 1, 5, 30]),
        split=split,
        pool=_pool(rng) if split else None,
        redact=rng.random() < 0.2,
        ops=rng.random() < 0.35,
        calendar=rng.choice(DAYLIGHT_SAVING) if rng.random() < 0.5 else None,
    )


def _pool(rng: random.Random) -> str | None:
    draw = rng.random()
    return "processes" if draw < 0.2 else "scheduler" if draw < 0.4 else None


def _changes(rng: random.Random, visits: list[dict[str, str]], new: dict[str, str] | None) -> str:
    """A changes file: up to four changes about planned visits, and maybe a new job."""
    lines: list[dict[str, object]] = []
    hit: set[str] = set()
    for visit in rng.sample(visits, min(len(visits), rng.randint(0, 4))):
        if visit["job_id"] in hit or visit["worker_id"] in hit:
            continue
        hit |= {visit["job_id"], visit["worker_id"]}
        start = datetime.fromisoformat(visit["start"])
        kind = rng.choice(["job_cancelled", "job_declined", "job_overrun", "worker_unavailable"])
        if kind == "worker_unavailable":
            change: dict[str, object] = {"worker_id": visit["worker_id"]}
            change["from"] = (start - timedelta(minutes=30)).isoformat()
            if rng.random() < 0.5:
                change["until"] = (start + timedelta(hours=3)).isoformat()
        else:
            change = {"job_id": visit["job_id"]}
            if kind == "job_declined":
                change["worker_id"] = visit["worker_id"]
            if kind == "job_overrun":
                change["minutes"] = rng.choice([10, 30, 90])
        lines.append({"kind": kind, **change})
    if new is not None:
        lines.append({"kind": "job_added", **new})
    return "".join(json.dumps(line) + "\n" for line in lines)


def live(sweep: Sweep, rng: random.Random, data: Path, plan: Path) -> None:
    """The commands of a dispatch day on one verified plan."""
    visits = [r for r in read_rows(plan / "assignments.csv") if r.get("kind", "visit") == "visit"]
    unserved = [r["job_id"] for r in read_rows(plan / "unassigned.csv")]
    # The plan's input copy holds every job with its location resolved.
    jobs = {r["job_id"]: r for r in read_rows(plan / "input" / "jobs.csv")}
    request = None
    if unserved:
        job_id = rng.choice(unserved)
        request = dict(jobs[job_id], job_id="NEW1", **{c: "" for c in _NOT_IN_A_REQUEST})
        moves = str(rng.choice([0, 2]))
        sweep.run(["recommend", str(plan), "--job-id", job_id, "--max-moves", moves])
        sweep.run(["explain", str(plan), "--job", job_id])
        worker = rng.choice(read_rows(plan / "input" / "workers.csv"))["worker_id"]
        served = rng.choice(visits)["job_id"] if visits else job_id
        for about in dict.fromkeys([job_id, served]):
            language = ["--lang", rng.choice(["en", "zh"])]
            sweep.run(["explain", str(plan), "--job", about, "--worker", worker, *language])
        template = plan.parent / f"{plan.name}-request.csv"
        with template.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(request))
            writer.writeheader()
            writer.writerow(request)
        day = request["earliest_start"][:10]
        sweep.run(["slots", str(plan), "--template", str(template), "--from", day, "--days", "3"])
        sweep.run(["recommend", str(plan), "--job", str(template)])
    changes = plan.parent / f"{plan.name}-changes.jsonl"
    changes.write_text(_changes(rng, visits, request), encoding="utf-8")
    again = plan.parent / f"{plan.name}-replan"
    args = ["replan", str(data), "--previous", str(plan), "--changes", str(changes)]
    args += ["--out", str(again), "--time-limit", "3", "--max-moves", str(rng.choice([0, 3]))]
    args += ["--shift-tolerance", str(rng.choice([0, 15]))]
    if visits and rng.random() < 0.5:
        args += ["--freeze-before", rng.choice(visits)["start"]]
    # A re-plan that cancels every job says so and writes nothing.
    if sweep.run(args) == 0 and again.exists():
        sweep.run(["verify", str(again / "input"), str(again)])
    sweep.run(["report", str(plan), "--out", str(plan.parent / f"{plan.name}.html")])


NOTEBOOK_JOBS = 120
"""Rounds of at most this many jobs also go through the notebook path (its solves are
bounded by work, so larger rounds take minutes)."""


def notebook(sweep: Sweep, rng: random.Random, data: Path, case: Case) -> None:
    """The what-if path a notebook takes on the round (module docstring); an exception or a
    plan that ``verify`` rejects fails the sweep."""
    import traceback

    import matchmaker
    from matchmaker.generate import DISTRICTS
    from matchmaker.whatif import Edit, RelaxableRule

    try:
        dataset = matchmaker.load_dataset(data)
        districts = matchmaker.Districts.named(DISTRICTS)
        some_jobs = tuple(j.job_id for j in rng.sample(dataset.jobs, min(3, len(dataset.jobs))))
        workers = tuple(w.worker_id for w in rng.sample(dataset.workers, 1))
        rules: list[RelaxableRule] = ["language_required", "gender_required", "experience"]
        edits: list[Edit] = [
            matchmaker.AddWorkers(
                count=2,
                skills={"elderly_care": 4, "cleaning": 3},
                certificates=("health",),
                home=districts.centres[rng.choice(sorted(districts.centres))],
            ),
            matchmaker.RemoveWorkers(worker_ids=workers),
            matchmaker.RelaxRule(
                rule=rng.choice([*rules, "skill_level", "travel_speed"]),
                job_ids=rng.choice([(), some_jobs]),
            ),
            matchmaker.TightenRule(
                rule=rng.choice(["experience", "skill_level", "travel_speed"]),
                amount=rng.choice([0.5, 1.0]),
            ),
            matchmaker.ChangeWeights(changes={"travel_cost_per_minute": 3}),
            matchmaker.ChangeShifts(
                start_minutes=rng.choice([-60, 0, 30]), end_minutes=rng.choice([-30, 60])
            ),
            matchmaker.AddDemand(count=rng.choice([1, 5]), seed=case.seed),
        ]
        scenarios = [matchmaker.Scenario(name=f"edit{k}", edits=(e,)) for k, e in enumerate(edits)]
        scenarios.append(matchmaker.Scenario(name="three", edits=tuple(rng.sample(edits, 3))))
        solver = "routing" if case.home_care else case.solver
        comparison = matchmaker.compare(
            dataset, scenarios, time_limit=case.limit, seed=case.seed, solver=solver
        )
        for name, run in comparison.results.items():
            broken = matchmaker.verify(run.dataset, run.result.plan)
            if broken:
                sweep.fail(f"compare, scenario {name} on {data}: {broken[0].message}")
        baseline = comparison.results["baseline"].result.plan
        changes = matchmaker.smallest_changes(dataset, baseline, districts=districts)
        matchmaker.what_would_serve_most(dataset, baseline, changes, districts=districts)
    except Exception:
        sweep.fail(f"the notebook path on {data}:\n{traceback.format_exc()[-1500:]}")


def one(
    sweep: Sweep, services: Services, rng: random.Random, case: Case, root: Path, number: int
) -> str:
    """Generate, dispatch and verify one case, then the live commands and, on a small round,
    the notebook path; a status word."""
    data, plan = root / f"data{number}", root / f"plan{number}"
    if sweep.run(case.generate_args(data), refusals=REFUSALS) != 0:
        return "not generated"
    sweep.run(["validate", str(data)])
    sweep.run(["coverage", str(data), "--format", rng.choice(["table", "json"])])
    if case.placements:
        shortlist = rng.choice([[], ["--shortlist", "3"]])
        out = root / f"placements{number}"
        sweep.run(["placements", str(data), "--out", str(out), "--time-limit", "2", *shortlist])
    args = ["dispatch", str(data), "--out", str(plan), "--solver", case.solver]
    args += ["--time-limit", str(case.limit), "--seed", str(case.seed)]
    args += ["--deterministic"] if case.deterministic else []
    args += [] if case.split is None else ["--split", case.split]
    args += services.pool_args(case.pool)
    args += ["--redact"] if case.redact else []
    args += ["--lang", rng.choice(["en", "zh"])]
    code = sweep.run(args, refusals=REFUSALS)
    if code != 0:
        return "refused" if code == 2 else "failed"
    kpis = json.loads((plan / "kpis.json").read_text(encoding="utf-8"))
    seconds = float(kpis["solve_seconds"])
    bound_by_time = not case.deterministic and case.split is None
    if bound_by_time and seconds > case.limit * 1.1 + SLACK_SECONDS:
        sweep.fail(f"solved in {seconds:.1f} s at a {case.limit:g} s limit: {' '.join(args)}")
    if sweep.run(["verify", str(data), str(plan)]) != 0:
        return "failed"
    live(sweep, rng, data, plan)
    if case.ops:
        # Every other store day runs on PostgreSQL, where there is one.
        url = services.postgres(f"sweep_{number}") if number % 2 else None
        store = url or str(root / f"ops{number}.db")
        ops_day(sweep, rng, data, root, number, case.seed, store)
    if case.jobs > NOTEBOOK_JOBS:
        return f"ok, solved {seconds:.1f} s"
    notebook(sweep, rng, data, case)
    return f"ok, solved {seconds:.1f} s, what-if"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--root", type=Path, default=None, help="keep the rounds here")
    parser.add_argument("--matchmaker", default=str(Path(sys.executable).parent / "matchmaker"))
    options = parser.parse_args(argv)
    rng = random.Random(options.seed)
    root = options.root or Path(tempfile.mkdtemp(prefix="matchmaker-sweep-"))
    root.mkdir(parents=True, exist_ok=True)
    sweep = Sweep(options.matchmaker)
    services = Services()
    try:
        for number in range(options.cases):
            case = draw(rng)
            status = one(sweep, services, rng, case, root, number)
            print(f"{number:3d} {status:20s} {case}", flush=True)
    finally:
        services.close()
        if options.root is None:
            shutil.rmtree(root, ignore_errors=True)
    print(f"{len(sweep.failures)} failure(s) in {options.cases} case(s)")
    return 1 if sweep.failures else 0


if __name__ == "__main__":
    sys.exit(main())
