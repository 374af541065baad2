"""What bounds a search: the wall clock, or a fixed amount of work; and a stop request.

By default every step of a solve gets a share of ``time_limit`` seconds, so how far a
search gets depends on the machine and its load. With ``deterministic=True`` every step
is bounded by work instead (OR-Tools routing: limit checks, which it makes at a steady
pace while exploring moves; CP-SAT: deterministic time; Python loops: a number of rounds),
amounts that depend only on the round, so the same input and seed give the same plan on
any machine. ``time_limit`` then only caps the wall time: a step cut short by it sets
:attr:`Budget.capped`, and the plan may then differ between runs.

``stop`` (a :class:`threading.Event`, e.g. set by a Ctrl-C handler) ends the search at
the next check; the solver returns the best plan it has, with ``stats["interrupted"]``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["Budget", "WorkLimit", "poll_stop", "read_back"]


READ_BACK = 0.05
"""Share of the time limit a solve keeps for reading its plan back (start minutes, the
objective) after the search."""
READ_BACK_PER_JOB = 0.0002
"""Seconds per job kept for the same when that is more: computing the start minutes and
the objective of a 1500 x 5000 round took 0.5 s, and the search ends up to 0.3 s after
its deadline, so with 5 % alone a 10 s routing limit ran 12.1 s (before the objective
stopped pricing every worker-job pair)."""


def read_back(time_limit: float, n_jobs: int) -> float:
    """Seconds a solve of ``n_jobs`` jobs keeps from ``time_limit`` for after its search."""
    return max(time_limit * READ_BACK, n_jobs * READ_BACK_PER_JOB)


@dataclass(kw_only=True)
class Budget:
    """The wall-clock deadline of a solve, its mode, and whether it was cut short."""

    deadline: float
    """``time.perf_counter()`` value at which the solve must end."""
    deterministic: bool = False
    stop: threading.Event | None = None
    capped: bool = False
    """A deterministic step was cut short by the wall clock (the plan may not repeat)."""
    stats: dict[str, float] = field(default_factory=dict)

    @classmethod
    def of(cls, time_limit: float, *, deterministic: bool, stop: threading.Event | None) -> Budget:
        return cls(
            deadline=time.perf_counter() + max(float(time_limit), 0.0),
            deterministic=deterministic,
            stop=stop,
        )

    @property
    def stopped(self) -> bool:
        """A stop was requested (Ctrl-C)."""
        return self.stop is not None and self.stop.is_set()

    def left(self) -> float:
        """Wall seconds until the deadline (0 when it has passed)."""
        return max(self.deadline - time.perf_counter(), 0.0)

    def out_of_time(self) -> bool:
        """Whether the deadline has passed; in deterministic mode this marks the plan as
        cut short by the clock."""
        if time.perf_counter() < self.deadline:
            return False
        if self.deterministic:
            self.capped = True
        return True

    def flags(self) -> dict[str, float]:
        """The ``stats`` entries of a solution made under this budget."""
        return {
            "deterministic": float(self.deterministic),
            "time_capped": float(self.capped),
            "interrupted": float(self.stopped),
        }


class WorkLimit:
    """A search limit counting OR-Tools' limit checks, and honouring a stop request.

    OR-Tools checks its limits at a steady pace while it explores moves (about 100,000
    times a second on a 40 x 120 round), and with one search thread it makes the same
    checks in the same order every run: a number of checks is work, not time.
    """

    def __init__(self, checks: int | None, stop: threading.Event | None) -> None:
        self.limit = checks
        self.stop = stop
        self.count = 0
        self.reached = False

    def __call__(self) -> bool:
        self.count += 1
        if self.limit is not None and self.count > self.limit:
            self.reached = True
            return True
        return self.stop is not None and self.stop.is_set()


def poll_stop(stop: threading.Event | None, halt: Callable[[], None]) -> Callable[[], None]:
    """Call ``halt`` from a helper thread as soon as ``stop`` is set; returns a function
    that ends the polling (call it when the search is over)."""
    if stop is None:
        return lambda: None
    done = threading.Event()

    def watch() -> None:
        while not done.wait(0.05):
            if stop.is_set():
                halt()
                return

    thread = threading.Thread(target=watch, name="matchmaker-stop", daemon=True)
    thread.start()

    def finish() -> None:
        done.set()
        thread.join()

    return finish
