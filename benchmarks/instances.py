"""Benchmark instances: generated rounds, cached as dataset folders.

An instance is named ``<workers>x<jobs>`` (for example ``200x600``), with ``x<days>d`` for a
round over several days and ``@<load>`` for a round whose load (work asked for over work
offered, ``matchmaker generate --load``) is set: ``200x600@2`` is a tight day on which about
half the jobs can be served, ``120x900x5d`` a week. Its dataset is drawn by
:func:`matchmaker.generate.generate_dataset` with a fixed seed and written once under the
cache folder (``benchmarks/.cache/`` by default, keyed by size, seed and a hash of the
generator's source), so every solver run reads the same files through
:func:`matchmaker.io.load_dataset`, as a user would.
"""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass
from pathlib import Path

from matchmaker.compile import Problem
from matchmaker.model import Dataset, Policy

__all__ = [
    "CACHE_DIR",
    "DEFAULT_SIZES",
    "INSTANCE_SEED",
    "QUICK_SIZES",
    "Loaded",
    "Size",
    "ensure_instance",
    "generator_fingerprint",
    "load_instance",
    "parse_size",
]

CACHE_DIR = Path(__file__).resolve().parent / ".cache"
INSTANCE_SEED = 20261201
DEFAULT_SIZES = ("10x30", "20x60", "60x150", "200x600", "600x2000", "1500x5000")
"""The two smallest are for the CP-SAT comparison: rounds CP-SAT can prove optimal."""
QUICK_SIZES = ("60x150",)

_SIZE = re.compile(r"^\s*(\d+)\s*x\s*(\d+)\s*(?:x\s*(\d+)\s*d)?\s*(?:@\s*([0-9.]+))?\s*$")


@dataclass(frozen=True, kw_only=True, slots=True)
class Size:
    """Workers, jobs, days and load of a generated instance."""

    workers: int
    jobs: int
    days: int = 1
    load: float | None = None

    @property
    def name(self) -> str:
        name = f"{self.workers}x{self.jobs}"
        if self.days > 1:
            name += f"x{self.days}d"
        if self.load is not None:
            name += f"@{self.load:g}"
        return name

    @property
    def pairs(self) -> int:
        return self.workers * self.jobs


def parse_size(text: str) -> Size:
    """``"200x600"`` -> ``Size(workers=200, jobs=600)``; ``"120x900x5d@2"`` adds 5 days
    and a load of 2."""
    match = _SIZE.match(text)
    days = int(match[3]) if match is not None and match[3] else 1
    if match is None or min(int(match[1]), int(match[2]), days) < 1:
        raise ValueError(
            f"size {text!r} is not WORKERSxJOBS[xDAYSd][@LOAD], e.g. 200x600 or 120x900x5d@2"
        )
    load = float(match[4]) if match[4] else None
    return Size(workers=int(match[1]), jobs=int(match[2]), days=days, load=load)


def ensure_instance(size: Size, *, seed: int = INSTANCE_SEED, cache: Path = CACHE_DIR) -> Path:
    """The dataset folder of ``size`` (generated on first use, then reused)."""
    from matchmaker.generate import generate_dataset

    cache = Path(cache)
    cache.mkdir(parents=True, exist_ok=True)
    ignore = cache / ".gitignore"
    if not ignore.exists():
        # Generated data is reproducible from its seed: keep it out of version control.
        ignore.write_text("*\n", encoding="utf-8")
    path = cache / f"{size.name}-seed{seed}-gen{generator_fingerprint()}"
    if not path.is_dir():
        generate_dataset(
            path, workers=size.workers, jobs=size.jobs, seed=seed, days=size.days, load=size.load
        )
    return path


def generator_fingerprint() -> str:
    """A short hash of the generator's source: a changed generator means new cached data."""
    import matchmaker.generate as generate

    digest = hashlib.sha256()
    for module in sorted(Path(generate.__file__).parent.glob("*.py")):
        digest.update(module.read_bytes())
    return digest.hexdigest()[:10]


@dataclass(frozen=True, kw_only=True)
class Loaded:
    """A dataset, its compiled problem, the policy used and what loading them cost."""

    dataset: Dataset
    problem: Problem
    policy: Policy
    load_seconds: float
    compile_seconds: float


def load_instance(path: Path) -> Loaded:
    """Load a dataset folder and compile it under the dataset's own policy."""
    from matchmaker.compile import compile_problem
    from matchmaker.io import load_dataset

    began = time.perf_counter()
    dataset = load_dataset(Path(path))
    loaded = time.perf_counter()
    policy = dataset.settings.policy
    problem = compile_problem(dataset, policy=policy)
    compiled = time.perf_counter()
    return Loaded(
        dataset=dataset,
        problem=problem,
        policy=policy,
        load_seconds=loaded - began,
        compile_seconds=compiled - loaded,
    )
