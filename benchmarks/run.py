"""matchmaker's benchmark harness: our backends against VROOM on generated one-day rounds.

Run on demand (``make bench`` or ``python benchmarks/run.py``), never as a timed test::

    python benchmarks/run.py                      # the full table (minutes; a quiet machine)
    python benchmarks/run.py --quick              # a smoke run on 60x150 with short limits
    python benchmarks/run.py --sizes 200x600 --limits 10,30 --out /tmp/r.md

Every solver run happens in a fresh child process (``python -m benchmarks.worker``); the
parent reads the child's peak resident memory from ``os.wait4``. Every plan is built with
``build_plan`` and checked by ``verify``. See ``benchmarks/README.md`` for the columns.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    # Run as a script: make the repository root importable so `benchmarks.*` resolves.
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.instances import (
    CACHE_DIR,
    DEFAULT_SIZES,
    INSTANCE_SEED,
    QUICK_SIZES,
    Size,
    ensure_instance,
    parse_size,
)
from benchmarks.run_output import markdown_table, render_markdown, to_json
from benchmarks.run_report import (
    TABLE_HEADER,
    Report,
    Target,
    evaluate_targets,
    per_second,
    table_rows,
)
from benchmarks.sections import keep_sections

__all__ = [
    "TABLE_HEADER",
    "Config",
    "Report",
    "Target",
    "evaluate_targets",
    "machine_info",
    "main",
    "markdown_table",
    "parse_args",
    "render_markdown",
    "run_benchmark",
    "run_child",
    "table_rows",
]

ROOT = Path(__file__).resolve().parent.parent
SOLVERS = ("routing", "greedy", "cpsat", "vroom")
DEFAULT_LIMITS = (10.0, 30.0, 60.0)
QUICK_LIMITS = (5.0,)
DEFAULT_OUT = Path(__file__).resolve().parent / "RESULTS.md"


@dataclass(frozen=True, kw_only=True)
class Config:
    """What one benchmark invocation runs."""

    sizes: tuple[Size, ...]
    datasets: tuple[Path, ...] = ()
    limits: tuple[float, ...] = DEFAULT_LIMITS
    solvers: tuple[str, ...] = SOLVERS
    cpsat_limit: float = 60.0
    cpsat_max_jobs: int = 150
    vroom_limit: float | None = None
    vroom_level: int = 2
    vroom_threads: int = 2
    vroom_max_jobs: int = 2000
    seed: int = 1
    instance_seed: int = INSTANCE_SEED
    cache: Path = CACHE_DIR
    child_extra_seconds: float = 600.0
    quick: bool = False
    pipeline: bool = True
    command: str = ""

    @property
    def vroom_timeout(self) -> float:
        return self.vroom_limit if self.vroom_limit is not None else max(self.limits)


# --- machine ---------------------------------------------------------------------------


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return None


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def machine_info() -> dict[str, Any]:
    """Cores, memory, CPU model, load, Python and the versions of the solving packages."""
    memory = _memory_gb()
    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    return {
        "cpu_model": _cpu_model(),
        "cores": os.cpu_count(),
        "memory_gb": round(memory, 1) if memory is not None else None,
        "load_average": [round(x, 2) for x in load],
        "platform": platform.platform(),
        "python": platform.python_version(),
        "packages": {
            name: _version(name) for name in ("matchmaker", "ortools", "numpy", "pyvroom")
        },
    }


# --- child processes -------------------------------------------------------------------


def run_child(spec: dict[str, Any], workdir: Path, timeout: float) -> dict[str, Any]:
    """Run ``benchmarks.worker`` on ``spec``; its record plus the kernel's view of the child."""
    out = workdir / f"result-{time.monotonic_ns()}.json"
    log = workdir / f"log-{time.monotonic_ns()}.txt"
    spec = dict(spec, out=str(out))
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [env.get("PYTHONPATH", "")])])
    began = time.perf_counter()
    with log.open("wb") as sink:
        child = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.worker", json.dumps(spec)],
            cwd=ROOT,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        killed = False
        try:
            while True:
                pid, status, usage = os.wait4(child.pid, os.WNOHANG)
                if pid:
                    break
                if time.monotonic() > deadline:
                    child.kill()
                    pid, status, usage = os.wait4(child.pid, 0)
                    killed = True
                    break
                time.sleep(0.05)
        except BaseException:
            # Interrupted (Ctrl-C): do not leave the run behind.
            child.kill()
            child.wait()
            raise
        child.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - began
    record: dict[str, Any] = {}
    error = None
    if killed:
        error = f"killed after {timeout:.0f} s"
    elif child.returncode != 0 or not out.exists():
        tail = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-3:]
        error = f"exit {child.returncode}: " + " | ".join(tail)
    else:
        record = json.loads(out.read_text(encoding="utf-8"))
    # Linux reports ru_maxrss in kilobytes.
    record |= {"process_seconds": wall, "peak_mb": usage.ru_maxrss / 1024.0, "error": error}
    return record


def _specs(config: Config, instance: str, dataset: Path, jobs: int) -> list[dict[str, Any]]:
    base = {"instance": instance, "dataset": str(dataset), "seed": config.seed}
    specs: list[dict[str, Any]] = []
    if "routing" in config.solvers:
        specs += [dict(base, solver="routing", time_limit=limit) for limit in config.limits]
    if "greedy" in config.solvers:
        specs.append(dict(base, solver="greedy", time_limit=max(config.limits)))
    if "cpsat" in config.solvers and jobs <= config.cpsat_max_jobs:
        specs.append(dict(base, solver="cpsat", time_limit=config.cpsat_limit))
    if "vroom" in config.solvers:
        spec = dict(
            base,
            solver="vroom",
            time_limit=config.vroom_timeout,
            vroom_level=config.vroom_level,
            vroom_threads=config.vroom_threads,
        )
        if jobs > config.vroom_max_jobs:
            spec["skip"] = f"over {config.vroom_max_jobs} jobs (--vroom-max-jobs)"
        specs.append(spec)
    return specs


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run_benchmark(config: Config) -> Report:
    """Generate (or reuse) every instance and run every solver on it, one child each."""
    report = Report(
        config=config,
        machine=machine_info(),
        started=time.strftime("%Y-%m-%d %H:%M:%S %z"),
    )
    began = time.perf_counter()
    instances: list[tuple[str, Path]] = []
    for size in config.sizes:
        _say(f"instance {size.name}: preparing")
        instances.append(
            (size.name, ensure_instance(size, seed=config.instance_seed, cache=config.cache))
        )
    instances += [(path.name, path) for path in config.datasets]
    with tempfile.TemporaryDirectory(prefix="matchmaker-bench-") as scratch:
        workdir = Path(scratch)
        for name, path in instances:
            jobs = _count_jobs(path)
            if config.pipeline:
                spec = {"instance": name, "dataset": str(path), "solver": "pipeline"}
                record = run_child(spec, workdir, config.child_extra_seconds)
                record["instance"] = name
                report.pipeline.append(record)
                _say(f"  {name} pipeline: {_brief(record)}")
            for spec in _specs(config, name, path, jobs):
                timeout = 2 * float(spec["time_limit"]) + config.child_extra_seconds
                if "skip" in spec:
                    record = {"skipped": spec["skip"], "error": None}
                else:
                    record = run_child(spec, workdir, timeout)
                record |= {
                    "instance": name,
                    "solver": spec["solver"],
                    "time_limit": float(spec["time_limit"]),
                }
                report.runs.append(record)
                _say(f"  {name} {spec['solver']} {spec['time_limit']:g}s: {_brief(record)}")
    report.seconds = time.perf_counter() - began
    return report


def _count_jobs(folder: Path) -> int:
    """Rows of a dataset's jobs table (a huge number when it cannot be read here)."""
    import pandas as pd

    if (folder / "jobs.csv").exists():
        return len(pd.read_csv(folder / "jobs.csv"))
    if (folder / "jobs.parquet").exists():
        return len(pd.read_parquet(folder / "jobs.parquet"))
    if (folder / "jobs.json").exists():
        return len(pd.read_json(folder / "jobs.json"))
    return sys.maxsize


def _brief(record: dict[str, Any]) -> str:
    if record.get("error"):
        return f"ERROR {record['error']}"
    if record.get("skipped"):
        return f"skipped: {record['skipped']}"
    if "jobs_served" not in record:
        rules = record.get("eligibility_rules_pairs_per_second")
        step = record.get("eligibility_pairs_per_second")
        return (
            f"compile {record.get('compile_seconds', 0):.2f} s, "
            f"pair rules {per_second(rules)}, eligibility step {per_second(step)}"
        )
    return (
        f"served {record['jobs_served']}/{record['jobs_total']}, "
        f"travel {record['travel_minutes']}, violations {record['violations']}, "
        f"{record['solve_seconds']:.1f} s, {record['peak_mb']:.0f} MB"
    )


# --- command line ----------------------------------------------------------------------


def _floats(text: str) -> tuple[float, ...]:
    values = tuple(float(x) for x in text.split(",") if x.strip())
    if not values or min(values) <= 0:
        raise argparse.ArgumentTypeError(f"{text!r}: give positive seconds, e.g. 10,30,60")
    return values


def _sizes(text: str) -> tuple[Size, ...]:
    try:
        return tuple(parse_size(x) for x in text.split(",") if x.strip())
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _solvers(text: str) -> tuple[str, ...]:
    names = tuple(x.strip() for x in text.split(",") if x.strip())
    unknown = set(names) - set(SOLVERS)
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"choose from {', '.join(SOLVERS)}")
    return names


def parse_args(argv: list[str] | None = None) -> tuple[Config, Path | None, Path | None]:
    """The run's :class:`Config` and where to write the markdown and JSON reports."""
    parser = argparse.ArgumentParser(
        prog="benchmarks/run.py",
        description="Benchmark matchmaker's solvers against VROOM on generated rounds.",
    )
    parser.add_argument("--quick", action="store_true", help="smoke run: 60x150, 5 s limits")
    parser.add_argument("--sizes", type=_sizes, help="WORKERSxJOBS list, e.g. 60x150,200x600")
    parser.add_argument(
        "--dataset", type=Path, action="append", default=[], help="also run on this dataset folder"
    )
    parser.add_argument("--limits", type=_floats, help="routing time limits, s (10,30,60)")
    parser.add_argument(
        "--solvers", type=_solvers, default=SOLVERS, help="routing,greedy,cpsat,vroom"
    )
    parser.add_argument("--cpsat-limit", type=float, help="CP-SAT time limit, s (60; quick 15)")
    parser.add_argument(
        "--cpsat-max-jobs", type=int, default=150, help="run CP-SAT up to this many jobs"
    )
    parser.add_argument("--vroom-limit", type=float, help="VROOM timeout, s (the longest limit)")
    parser.add_argument("--vroom-level", type=int, default=2, help="VROOM exploration level 1-5")
    parser.add_argument("--vroom-threads", type=int, default=2)
    parser.add_argument(
        "--vroom-max-jobs", type=int, default=2000, help="run VROOM up to this many jobs"
    )
    parser.add_argument("--seed", type=int, default=1, help="solver seed")
    parser.add_argument("--instance-seed", type=int, default=INSTANCE_SEED)
    parser.add_argument("--cache", type=Path, default=CACHE_DIR, help="generated datasets folder")
    parser.add_argument("--no-pipeline", action="store_true", help="skip the compile figures")
    parser.add_argument(
        "--child-extra-seconds",
        type=float,
        default=600.0,
        help="a child is killed after 2x its limit plus this",
    )
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="markdown report (benchmarks/RESULTS.md)"
    )
    parser.add_argument("--json", type=Path, help="write the raw records here")
    args = parser.parse_args(argv)
    quick = bool(args.quick)
    sizes = args.sizes or tuple(parse_size(s) for s in (QUICK_SIZES if quick else DEFAULT_SIZES))
    if args.dataset and args.sizes is None:
        sizes = ()
    config = Config(
        sizes=sizes,
        datasets=tuple(args.dataset),
        limits=args.limits or (QUICK_LIMITS if quick else DEFAULT_LIMITS),
        solvers=args.solvers,
        cpsat_limit=args.cpsat_limit or (15.0 if quick else 60.0),
        cpsat_max_jobs=args.cpsat_max_jobs,
        vroom_limit=args.vroom_limit,
        vroom_level=args.vroom_level,
        vroom_threads=args.vroom_threads,
        vroom_max_jobs=args.vroom_max_jobs,
        seed=args.seed,
        instance_seed=args.instance_seed,
        cache=args.cache,
        child_extra_seconds=args.child_extra_seconds,
        quick=quick,
        pipeline=not args.no_pipeline,
        command="python benchmarks/run.py " + " ".join(sys.argv[1:] if argv is None else argv),
    )
    return config, args.out, args.json


def main(argv: list[str] | None = None) -> int:
    config, out, json_out = parse_args(argv)
    report = run_benchmark(config)
    text = render_markdown(report)
    print(text)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(keep_sections(text, out), encoding="utf-8")
    if json_out is not None:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(json.dumps(to_json(report), indent=2, default=str), encoding="utf-8")
    failed = [r for r in [*report.runs, *report.pipeline] if r.get("error")]
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
