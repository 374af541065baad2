"""A dispatch plan in human units: plan contract v1 (docs/design.md section 6).

``Plan`` holds who serves which job and when, the jobs left unassigned with a reason, and
the KPIs. Its tables are :mod:`matchmaker.plan._frames`; reading and writing plan folders
lives in :mod:`matchmaker.io`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from matchmaker.model import ReasonCode, utc
from matchmaker.plan._frames import plan_to_frames

if TYPE_CHECKING:
    import pandas as pd

    from matchmaker.compile import TravelModel
    from matchmaker.model import Dataset

__all__ = ["PLAN_SCHEMA_VERSION", "Assignment", "Break", "Plan", "ReasonCode", "UnassignedJob"]

PLAN_SCHEMA_VERSION = 1


@dataclass(frozen=True, kw_only=True, slots=True)
class Assignment:
    """One worker serving one job (a team job has one assignment per member)."""

    job_id: str
    worker_id: str
    start: datetime
    end: datetime
    travel_minutes: int
    """Minutes travelled to reach this job (from home or from the previous job)."""
    sequence: int
    """Position of the job in the worker's day, from 1."""
    match_score: float


@dataclass(frozen=True, kw_only=True, slots=True)
class Break:
    """A worker's break (``[[breaks]]`` of ``dataset.toml``): a row of kind ``break``."""

    worker_id: str
    start: datetime
    end: datetime


@dataclass(frozen=True, kw_only=True, slots=True)
class UnassignedJob:
    job_id: str
    reason_code: ReasonCode
    reason: str
    smallest_change: str = ""
    """The cheapest proven change that would serve the job (``matchmaker.smallest_changes``);
    empty when not computed."""


@dataclass(frozen=True, kw_only=True)
class Plan:
    """A whole plan: assignments, unassigned jobs with reasons, and KPIs.

    ``kpis`` carries every key of the contract (``jobs_total``, ``jobs_served``,
    ``fill_rate``, ``priority_served``, ``travel_minutes_total``, ``mean_match_score``,
    ``objective``, ``lower_bound``, ``backend``, ``seed``, ``solve_seconds``) and may carry
    more (the objective terms). ``score_components`` maps ``(job_id, worker_id)`` to the
    named parts of the match score of each assignment; ``breaks`` are the workers' breaks.

    ``travel`` is the travel model the plan was made with; :func:`~matchmaker.plan.verify`,
    :func:`~matchmaker.plan.explain_job` and the plan folder use it. ``None`` (a plan made
    by hand) stands for the default model with the dataset's ``[travel]`` settings. It does
    not take part in comparing plans.
    """

    assignments: tuple[Assignment, ...]
    unassigned: tuple[UnassignedJob, ...]
    kpis: dict[str, Any]
    score_components: dict[tuple[str, str], dict[str, float]] = field(default_factory=dict)
    travel: TravelModel | None = field(default=None, compare=False)
    breaks: tuple[Break, ...] = ()
    """The workers' breaks, by start; empty when the round has no break rules."""
    travel_home: bool = field(default=False, compare=False)
    """The plan was made with the way home (policy ``travel_home``): ``verify`` checks that
    each shift's last job leaves the time to get home by the shift's end."""

    def to_frames(self, dataset: Dataset | None = None) -> dict[str, pd.DataFrame]:
        """The plan's tables as DataFrames: ``assignments``, ``unassigned``, ``workers`` and
        ``kpis`` (see :func:`matchmaker.plan.plan_to_frames`)."""
        return plan_to_frames(self, dataset=dataset)

    def assignments_of(self, worker_id: str) -> list[Assignment]:
        return sorted(
            (a for a in self.assignments if a.worker_id == worker_id), key=lambda a: utc(a.start)
        )
