"""Two dispatchers on one event store at once, through the commands.

Each round seeds the sample dataset into its own schema of a throwaway PostgreSQL cluster
(an SQLite file where PostgreSQL or the ``postgres`` extra is missing), dispatches the day,
applies the plan and records drawn declines and a leave (``ops import``); then, at the
same moment, runs two ``ops replan --apply`` from the same plan (different seeds) while a
third writer confirms visits one ``ops event`` at a time. Every command must exit 0, or 2
with a refusal that names what moved (an answer that no longer fits the visit's state, a
re-plan checked against the store now, an event stamped before one the other writer
recorded meanwhile); then every re-plan that was applied must verify, the day ``ops
jobs`` exports must validate with no pin released, and ``ops report`` must print the same
after ``ops rebuild``. A traceback or any other exit is a failure; it exits 1 when there
is any.

    python benchmarks/store_race.py --rounds 4 --seed 1 [--root DIR] [--sqlite]
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.sweep_commands import Sweep
from benchmarks.sweep_services import Services

SAMPLE = Path(__file__).resolve().parents[1] / "datasets" / "sample"
DAY = "2026-12-01"
SEEDED = datetime(2026, 11, 30, 9, tzinfo=UTC)
MOVED = (
    "is not allowed in state",  # an answer or a withdrawal the other writer overtook
    "against the store now",  # a re-plan the store's new state refuses
    # An event stamped before one another writer recorded meanwhile: the race gives each
    # writer a fixed --time (a re-plan at 11:30, confirmations at 11:40).
    "the events of one visit must be in time order",
)


def _line(kind: str, entity: str, at: datetime, actor: str, **data: object) -> str:
    return json.dumps(
        {"kind": kind, "entity": entity, "time": at.isoformat(), "actor": actor, **data}
    )


def race(sweep: Sweep, store: list[str], root: Path, rng: random.Random) -> None:
    """One round: seed, plan, then the answers and two re-plans at once, then the checks."""
    if sweep.run(["ops", "import-dataset", str(SAMPLE), *store, "--time", SEEDED.isoformat()]) != 0:
        return
    sweep.run(["ops", "jobs", *store, "--date", DAY, "--out", str(root / "round")])
    plan = root / "plan"
    seed = str(rng.randrange(1000))
    sweep.run(
        ["dispatch", str(root / "round"), "--out", str(plan), "--time-limit", "5", "--seed", seed]
    )
    applied_at = (SEEDED + timedelta(hours=1)).isoformat()
    if sweep.run(["ops", "apply-plan", str(plan), *store, "--time", applied_at]) != 0:
        return
    with (plan / "assignments.csv").open(encoding="utf-8") as handle:
        held = {row["job_id"]: row["worker_id"] for row in csv.DictReader(handle)}
    visits = sorted(held)
    rng.shuffle(visits)
    at = SEEDED + timedelta(hours=2)
    declined, confirmed = visits[:4], visits[4:24]
    lines = [
        _line("visit_declined", v, at, f"worker:{held[v]}", worker_id=held[v]) for v in declined
    ]
    lines.append(_line("worker_leave_started", held[visits[-1]], at, "dispatcher", reason="sick"))
    answers = root / "answers.jsonl"
    answers.write_text("\n".join(lines) + "\n", encoding="utf-8")
    sweep.run(["ops", "import", str(answers), *store])

    def replan(name: str, minutes: int) -> None:
        when = (at + timedelta(minutes=minutes)).isoformat()
        args = [
            "ops",
            "replan",
            *store,
            "--plan",
            str(plan),
            "--date",
            DAY,
            "--out",
            str(root / name),
        ]
        args += ["--apply", "--seed", str(minutes), "--time-limit", "3", "--time", when]
        done = subprocess.run([sweep.program, *args], capture_output=True, text=True)
        said = done.stdout + done.stderr
        if done.returncode == 0 and "Traceback" not in said:
            sweep.run(["verify", str(root / name / "input"), str(root / name)])
        elif done.returncode != 2 or not any(r in said for r in MOVED) or "Traceback" in said:
            sweep.fail(f"exit {done.returncode}: matchmaker {' '.join(args)}\n{said[-1500:]}")

    def confirm() -> None:
        for v in confirmed:
            args = ["ops", "event", *store, "--kind", "visit_confirmed", "--entity", v]
            args += [
                "--actor",
                f"worker:{held[v]}",
                "--time",
                (at + timedelta(minutes=40)).isoformat(),
            ]
            sweep.run(args, refusals=MOVED)

    with ThreadPoolExecutor(3) as pool:
        for future in [
            pool.submit(replan, "first", 30),
            pool.submit(replan, "second", 31),
            pool.submit(confirm),
        ]:
            future.result()
    after = root / "after"
    exported = sweep.capture(["ops", "jobs", *store, "--date", DAY, "--out", str(after)])
    if exported is not None and "released" in exported:
        sweep.fail(f"ops jobs released a pin after the race:\n{exported[-800:]}")
    sweep.run(["validate", str(after)])
    week = ["--as-of", "2026-12-08T00:00:00+00:00", "--format", "json"]
    live = sweep.capture(["ops", "report", *store, *week])
    sweep.run(["ops", "rebuild", *store])
    if live is not None and live != sweep.capture(["ops", "report", *store, *week]):
        sweep.fail("ops report differs after ops rebuild")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--root", type=Path, default=None, help="keep each round's folders here")
    parser.add_argument(
        "--sqlite", action="store_true", help="an SQLite file even where PostgreSQL runs"
    )
    parser.add_argument("--matchmaker", default=str(Path(sys.executable).parent / "matchmaker"))
    args = parser.parse_args()
    sweep, services, rng = Sweep(args.matchmaker), Services(), random.Random(args.seed)
    root = args.root or Path(tempfile.mkdtemp(prefix="matchmaker-race-"))
    try:
        for number in range(args.rounds):
            folder = root / f"round{number}"
            folder.mkdir(parents=True, exist_ok=True)
            url = None if args.sqlite else services.postgres(f"race_{args.seed}_{number}")
            store = ["--store", url or str(folder / "ops.db")]
            before = len(sweep.failures)
            race(sweep, store, folder, rng)
            said = "ok" if len(sweep.failures) == before else "FAILED"
            where = "PostgreSQL" if url else "SQLite"
            print(f"{number:3d} {said} ({where})", flush=True)
    finally:
        services.close()
    for failure in sweep.failures:
        print(failure, file=sys.stderr)
    print(f"{len(sweep.failures)} failure(s) in {args.rounds} round(s)")
    return 1 if sweep.failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
