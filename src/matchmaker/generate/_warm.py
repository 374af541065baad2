"""Compiling the solver's kernels before the first solve of a process, on generated rounds.

The searches' kernels compile on first use, and the first time after an install or an
upgrade that took 27-36 s on 2 cores (:mod:`matchmaker.solve._warm`): inside a solve it
would break its time limit. :func:`warm_up` runs them on two small generated rounds, one
plain and one with home-care rules, before any clock starts. Once numba's cache beside the
package holds them, a new process pays about a second for it, and later calls nothing.
"""

from __future__ import annotations

import threading
import time

from matchmaker.compile import compile_problem
from matchmaker.generate._generate import generate_frames
from matchmaker.io import dataset_from_frames
from matchmaker.solve import warm_kernels

__all__ = ["warm_up"]

WORKERS = 6
JOBS = 16
"""The size of each round: large enough to have a team job and linked visits (seed 1)."""
_lock = threading.Lock()
_warm = False


def warm_up() -> float:
    """Compile (or load from numba's cache) every kernel the solvers run, once per
    process; the seconds it took (0 once done)."""
    global _warm
    with _lock:
        if _warm:
            return 0.0
        began = time.perf_counter()
        for home_care in (False, True):
            # Without a break rule: the kernels take the same arrays with breaks or without.
            frames = generate_frames(workers=WORKERS, jobs=JOBS, seed=1, home_care=home_care)
            dataset = dataset_from_frames(frames)
            policy = dataset.settings.policy
            warm_kernels(compile_problem(dataset, policy=policy), policy)
        _warm = True
        return time.perf_counter() - began
