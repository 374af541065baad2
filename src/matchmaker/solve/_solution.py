"""What a solver returns: routes of job indices with start minutes, in problem units.

Every solver shares one signature (see :data:`Solver`); a :class:`Solution` is turned into a
human :class:`~matchmaker.plan.Plan` by :func:`matchmaker.plan.build_plan`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from matchmaker.compile import Problem
from matchmaker.model import Policy

__all__ = [
    "Progress",
    "ProgressCallback",
    "Route",
    "Solution",
    "Solver",
    "report_done",
    "served_count",
]


@dataclass(frozen=True, kw_only=True, slots=True)
class Route:
    """The jobs one vehicle (worker shift) serves, in order, with their start minutes."""

    vehicle: int
    jobs: tuple[int, ...] = ()
    starts: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        if len(self.jobs) != len(self.starts):
            raise ValueError("a route needs one start minute per job")


@dataclass(frozen=True, kw_only=True)
class Solution:
    """Routes for every vehicle that serves something, plus how the solve went.

    A team job appears in the route of each member, with the same start minute.
    ``objective`` is the value of the documented objective
    (:func:`matchmaker.solve.objective_terms`); ``lower_bound`` is a proven bound on
    it, or ``None``.
    """

    routes: tuple[Route, ...]
    objective: int
    backend: str
    seed: int
    solve_seconds: float
    lower_bound: int | None = None
    status: str = "feasible"
    stats: dict[str, float] = field(default_factory=dict)

    def served_jobs(self) -> set[int]:
        return {job for route in self.routes for job in route.jobs}

    def assignments(self) -> list[tuple[int, int, int]]:
        """``(vehicle, job, start)`` for every job visit, route by route."""
        return [
            (route.vehicle, job, start)
            for route in self.routes
            for job, start in zip(route.jobs, route.starts, strict=True)
        ]


@dataclass(frozen=True, kw_only=True, slots=True)
class Progress:
    """A progress report a solver sends while it searches."""

    elapsed_seconds: float
    objective: int
    served: int
    message: str = ""


ProgressCallback = Callable[[Progress], None]


def served_count(routes: Sequence[Route]) -> int:
    """Distinct jobs served by ``routes`` (a team job counts once)."""
    return len({job for route in routes for job in route.jobs})


def report_done(
    progress: ProgressCallback | None, routes: Sequence[Route], objective: int, elapsed: float
) -> None:
    """Send a solve's last progress report (``message="done"``) to whoever listens."""
    if progress is not None:
        progress(
            Progress(
                elapsed_seconds=elapsed,
                objective=objective,
                served=served_count(routes),
                message="done",
            )
        )


class Solver(Protocol):
    """The signature every solver backend implements.

    ``deterministic``: bound the search by work, not wall time, so the same problem and
    seed give the same solution on any machine (``time_limit`` is then only a cap;
    ``stats["time_capped"]`` is 1 when it cut the search short). ``stop``: when set, the
    search ends soon and the best solution so far is returned (``stats["interrupted"]``).
    """

    def __call__(
        self,
        problem: Problem,
        *,
        policy: Policy,
        time_limit: float,
        seed: int,
        warm_start: Solution | None = None,
        progress: ProgressCallback | None = None,
        deterministic: bool = False,
        stop: threading.Event | None = None,
    ) -> Solution: ...
