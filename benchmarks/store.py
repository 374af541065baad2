"""The event store at company scale: ``ops`` commands with 50k, 200k and 1M events stored.

A synthetic company (1,000 workers, 5,000 customers, 300 visits a day;
:mod:`benchmarks.store_company`) is written into an SQLite store through the store API in
batches (read models kept as events are appended, as commands keep them): each served
visit is created, proposed, confirmed, checked in, completed, rated (with the worker's
rating update), accepted and settled (9 events); one visit in ten is cancelled instead.
The day after the last one holds 300 open visits: the
round ``ops jobs --date`` exports.

At each size the three commands run from the shell (a fresh process, start-up included),
three times each, and the median wall time is reported:

- ``ops event``: a customer rates a settled visit (the rating rule updates the worker);
- ``ops jobs --date``: the open day's round written as a dataset (no visit of it is
  pinned yet: the round is written from the store's rows);
- ``ops report --format json``.

Outside the target: ``ops jobs`` on a copy of the store where half the round is proposed
(the pins are checked by the dispatcher's rules, which loads the round), and the commands
that read what a person asks about the history: ``ops followups`` (nobody follows up in
this company, so every accepted visit is due: a worst case), ``ops statement`` of one
customer's month and ``ops log --limit 50``.

Target: each <= 1.0 s with 1M events. The section ``store`` of ``benchmarks/RESULTS.md``
gets the figures, the start-up alone (``matchmaker --help``), the machine and versions.

    .venv/bin/python -m benchmarks.store [--sizes 50000,200000,1000000] [--no-write]
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from importlib import metadata
from pathlib import Path

from benchmarks.sections import load_note, write_section
from benchmarks.store_company import Company, fill_store, open_round, pinned_copy
from matchmaker.lifecycle import EventStore

__all__ = ["Timing", "main", "time_commands"]

MATCHMAKER = str(Path(sys.executable).with_name("matchmaker"))


@dataclass(frozen=True, kw_only=True)
class Timing:
    events: int
    event_s: float
    jobs_s: float
    report_s: float
    write_s: float
    inside: dict[str, float]
    """The same three commands timed inside one process (no start-up), seconds."""
    cpu: dict[str, float]
    """CPU seconds (user + system) of the shell commands, median."""
    load: float = float("nan")
    """The 1-minute load average when the commands of this size started."""
    others: dict[str, float] = field(default_factory=dict)
    """Wall seconds (median) of the commands outside the target: followups, statement, log."""


_TARGET = ("event", "jobs", "report")
_OTHERS = ("jobs_pinned", "followups", "statement", "log")

_CPU: dict[str, list[float]] = {}
"""CPU seconds (user + system) of each command's runs: on a shared machine the wall time
counts the other work too, the CPU time only this command's."""


def _wall(argv: list[str], name: str = "") -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(argv, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed: {result.stderr.strip()}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    _CPU.setdefault(name, []).append(cpu)
    return elapsed


def _settled_visits(path: Path, count: int) -> list[str]:
    """Settled visits of the store (from its read model), the latest first."""
    with EventStore(path) as store:
        rows = store.execute(
            "SELECT entity_id FROM entity_state WHERE entity_type = 'visit' "
            "AND state = 'settled' ORDER BY day DESC LIMIT ?",
            (count,),
        ).fetchall()
    return [str(r[0]) for r in rows]


def time_commands(
    path: Path, round_day: str, company: Company, out: Path, repeat: int = 3
) -> dict[str, float]:
    """Median wall seconds (and CPU seconds) of the commands run from the shell."""
    store = str(path)
    _CPU.clear()
    visits = _settled_visits(path, repeat + 1)[1:]
    walls: dict[str, list[float]] = {name: [] for name in (*_TARGET, *_OTHERS)}
    data = '{"category": "gate", "text": "left the gate open"}'
    # The company's calendar may run past today: the issue is stamped on the round's eve.
    eve = f"{round_day}T00:00:00+08:00"
    month = (datetime.fromisoformat(eve) - timedelta(days=1)).strftime("%Y-%m")
    pinned = pinned_copy(path, round_day, company, out)
    for run in range(repeat):
        commands = {
            "event": f"ops event --store {store} --kind visit_issue_reported "
            f"--entity {visits[run]} --actor customer --time {eve} --data",
            "jobs": f"ops jobs --store {store} --date {round_day} --out {out / 'round'} --force",
            "jobs_pinned": f"ops jobs --store {pinned} --date {round_day} "
            f"--out {out / 'round-pinned'} --force",
            "report": f"ops report --store {store} --format json --out {out / 'report.json'} "
            f"--as-of {round_day}T00:00:00+08:00",
            "followups": f"ops followups --store {store} --as-of {round_day}",
            "statement": f"ops statement --store {store} --customer C00000 --month {month}",
            "log": f"ops log --store {store} --limit 50",
        }
        for name, words in commands.items():
            argv = [MATCHMAKER, *words.split()]
            if name == "event":
                argv.append(data)
            walls[name].append(_wall(argv, name))
    for leftover in out.glob("pinned.db*"):
        leftover.unlink()
    return {
        **{name: statistics.median(runs) for name, runs in walls.items()},
        **{f"{name}_cpu": statistics.median(runs) for name, runs in _CPU.items()},
    }


def time_inside(path: Path, round_day: str, out: Path) -> dict[str, float]:
    """The three commands' work without process start-up (library calls, fresh store)."""
    from matchmaker.lifecycle import Operations, export_jobs, make_event, open_store, store_report

    visit_id = _settled_visits(path, 1)[0]
    figures = {}
    started = time.perf_counter()
    with open_store(path) as store:
        Operations(store).submit(
            [
                make_event(
                    "visit_issue_reported",
                    visit_id,
                    time=datetime.fromisoformat(f"{round_day}T00:00:00+08:00"),
                    actor="customer",
                    category="gate",
                )
            ]
        )
    figures["event"] = time.perf_counter() - started
    started = time.perf_counter()
    with open_store(path) as store:
        export_jobs(
            Operations(store),
            day=datetime.fromisoformat(round_day).date(),
            out=out / "round-inside",
            force=True,
        )
    figures["jobs"] = time.perf_counter() - started
    started = time.perf_counter()
    with open_store(path) as store:
        store_report(
            store,
            Operations(store).policy,
            as_of=datetime.fromisoformat(f"{round_day}T00:00:00+08:00"),
        )
    figures["report"] = time.perf_counter() - started
    return figures


def _byte_compile() -> None:
    """Byte-compile matchmaker first, as installing it does: a process started with
    ``PYTHONDONTWRITEBYTECODE`` would otherwise compile every module from source on every
    run (about 0.3 s of each command's start-up)."""
    import compileall

    import matchmaker

    compileall.compile_dir(Path(matchmaker.__file__).parent, quiet=1)


def _startup() -> float:
    return statistics.median(_wall([MATCHMAKER, "--help"], "startup") for _ in range(3))


def _command(argv: list[str] | None) -> str:
    words = argv if argv is not None else sys.argv[1:]
    return " ".join(["python -m benchmarks.store", *words])


def _markdown(rows: list[Timing], startup: float | None, command: str, repeat: int) -> str:
    lines = [
        "## Event store at company scale (`benchmarks/store.py`)",
        "",
        f"`{command}` on {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, SQLite {sqlite3.sqlite_version}, matchmaker "
        f"{metadata.version('matchmaker')}. " + load_note(),
        "",
        "Synthetic company: 1,000 workers, 5,000 customers, 300 visits a day (9 events per "
        "served visit, 1 in 10 cancelled), written through the store API in batches with the "
        "read models kept. Wall time of a fresh `matchmaker` process from the shell, start-up "
        f"included, median of {repeat}. Target: each <= 1.0 s at 1M events.",
        "",
        "| events | `ops event` (s) | `ops jobs --date` (s) | `ops report` (s) | "
        "CPU event / jobs / report (s) | in-process event / jobs / report (s) | "
        "writing the store (s) | load average |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        cpu = " / ".join(f"{row.cpu[k]:.2f}" for k in ("event", "jobs", "report"))
        inside = " / ".join(f"{row.inside[k]:.2f}" for k in ("event", "jobs", "report"))
        lines.append(
            f"| {row.events:,} | {row.event_s:.2f} | {row.jobs_s:.2f} | {row.report_s:.2f} | "
            f"{cpu} | {inside} | {row.write_s} | {row.load:.2f} |"
        )
    if any(row.others for row in rows):
        lines += [
            "",
            "Outside the target (wall, s): `ops jobs --date` of the same round with every "
            "other visit proposed to a worker (150 pins: the round is loaded and its pins "
            "checked by the dispatcher's rules), `ops followups` (every accepted visit due, a "
            "worst case; the table shows 50), `ops statement` of one customer's month, `ops "
            "log --limit 50`.",
            "",
            "| events | `ops jobs` with pins | `ops followups` | `ops statement` | `ops log` |",
            "|---:|---:|---:|---:|---:|",
        ]
        lines += [
            f"| {row.events:,} | "
            + " | ".join(f"{row.others.get(k, float('nan')):.2f}" for k in _OTHERS)
            + " |"
            for row in rows
        ]
    if startup is not None:
        lines += ["", f"Start-up alone (`matchmaker --help`): {startup:.2f} s."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> list[Timing]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="50000,200000,1000000")
    parser.add_argument("--folder", type=Path, default=None, help="Keep the stores here.")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--no-inside", action="store_true", help="Skip the in-process timings (saves time)."
    )
    args = parser.parse_args(argv)
    company = Company()
    folder = args.folder or Path(tempfile.mkdtemp(prefix="matchmaker-store-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    rows: list[Timing] = []
    _byte_compile()
    try:
        path = folder / "store.db"
        total_write = 0
        for size in (int(s) for s in args.sizes.split(",")):
            last_day, seconds = fill_store(path, size, company)
            total_write += seconds
            round_day = open_round(path, last_day, company)
            with EventStore(path) as store:
                events = store.count()
            load = os.getloadavg()[0]
            figures = time_commands(path, round_day, company, folder, repeat=args.repeat)
            inside = (
                {"event": float("nan"), "jobs": float("nan"), "report": float("nan")}
                if args.no_inside
                else time_inside(path, round_day, folder)
            )
            rows.append(
                Timing(
                    events=events,
                    event_s=figures["event"],
                    jobs_s=figures["jobs"],
                    report_s=figures["report"],
                    write_s=total_write,
                    inside=inside,
                    cpu={k: figures[f"{k}_cpu"] for k in _TARGET},
                    load=load,
                    others={k: figures[k] for k in _OTHERS},
                )
            )
            print(rows[-1], flush=True)
            if not args.no_write:  # each size as soon as it is measured
                write_section("store", _markdown(rows, None, _command(argv), args.repeat))
        startup = _startup()
    finally:
        if args.folder is None:
            shutil.rmtree(folder, ignore_errors=True)
    text = _markdown(rows, startup, _command(argv), args.repeat)
    print(text)
    if not args.no_write:
        write_section("store", text)
    return rows


if __name__ == "__main__":
    main()
