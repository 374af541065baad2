"""What a recommendation offers: options in human units, and applying one to a plan.

An :class:`Option` is one way to serve a job: the worker(s) and the start
(``assignments``), the planned jobs it shifts or re-assigns (``moves``), and what it costs
in the documented objective. :func:`apply_option` turns a plan and an option into the plan
with the option carried out, rebuilt through :func:`~matchmaker.plan.build_plan` so that its
KPIs, reasons and travel are those of a plan made by dispatch; tests pass every option
applied this way through the verifier.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, tzinfo
from functools import cached_property
from typing import Any

from matchmaker.compile import compile_problem
from matchmaker.live._index import schedule_of
from matchmaker.model import Dataset, Job, Policy, add_minutes, utc
from matchmaker.plan import Assignment, Break, Plan, build_plan
from matchmaker.solve import Route, Solution, objective_terms

__all__ = [
    "Move",
    "Option",
    "Placement",
    "Recommendation",
    "applied_breaks",
    "applied_rows",
    "apply_option",
    "instant",
    "plan_of_schedule",
]


@dataclass(frozen=True, kw_only=True, slots=True)
class Placement:
    """One worker serving the recommended job."""

    job_id: str
    worker_id: str
    start: datetime
    end: datetime

    def to_dict(self) -> dict[str, Any]:
        return {
            "job_id": self.job_id,
            "worker_id": self.worker_id,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
        }


@dataclass(frozen=True, kw_only=True, slots=True)
class Move:
    """A planned job the option shifts (same worker, later start) or re-assigns."""

    job_id: str
    worker_id: str
    start: datetime
    end: datetime
    previous_worker_id: str
    previous_start: datetime

    def to_dict(self) -> dict[str, Any]:
        return {
            "job_id": self.job_id,
            "worker_id": self.worker_id,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "previous_worker_id": self.previous_worker_id,
            "previous_start": self.previous_start.isoformat(),
        }


@dataclass(frozen=True, kw_only=True)
class Option:
    """One way to serve a job, ranked from 1 (best).

    ``objective_delta`` is the change of the plan's objective when the option is applied,
    every term counted (negative: better; serving a job that was not served removes its
    drop penalty, priced in the plan's round);
    ``travel_delta`` the change in travel minutes; ``match_score`` the (mean) score of the
    worker(s) for the job; ``components`` the points of each match-score component the job
    gains (the mean over a team).
    """

    rank: int
    assignments: tuple[Placement, ...]
    moves: tuple[Move, ...]
    objective_delta: int
    travel_delta: int
    match_score: float
    components: dict[str, float] = field(default_factory=dict)
    said: Mapping[str, str] = field(default_factory=dict)
    """What the option does, in a sentence, by language (:mod:`matchmaker.live._words`)."""
    breaks: tuple[Break, ...] = ()
    """The breaks of every worker shift the option changes, re-placed beside its new day
    (empty in a round without break rules); :func:`apply_option` gives the same."""

    @property
    def worker_ids(self) -> tuple[str, ...]:
        return tuple(p.worker_id for p in self.assignments)

    @property
    def reason(self) -> str:
        """The sentence in English."""
        return self.said.get("en", "")

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        return {
            "rank": self.rank,
            "assignments": [p.to_dict() for p in self.assignments],
            "moves": [m.to_dict() for m in self.moves],
            "objective_delta": self.objective_delta,
            "travel_delta": self.travel_delta,
            "match_score": self.match_score,
            "components": dict(self.components),
            "reason": self.said.get(lang, ""),
            "breaks": [
                {"worker_id": b.worker_id, "start": b.start.isoformat(), "end": b.end.isoformat()}
                for b in self.breaks
            ],
        }


@dataclass(frozen=True, kw_only=True)
class Recommendation:
    """The best options for one job, in the plan's dataset ``base`` (``added``: the job,
    when it is a new one, not in ``base``)."""

    job_id: str
    options: tuple[Option, ...]
    base: Dataset
    added: Job | None = None
    eligible_workers: int = 0
    why_none: Mapping[str, str] = field(default_factory=dict)
    """Why there are no options, when there are none, by language."""

    @property
    def note(self) -> str:
        """Why there are no options, in English."""
        return self.why_none.get("en", "")

    @cached_property
    def dataset(self) -> Dataset:
        """The round the options apply to: ``base``, with the new job appended."""
        if self.added is None:
            return self.base
        return replace(self.base, jobs=(*self.base.jobs, self.added))

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        data: dict[str, Any] = {
            "job_id": self.job_id,
            "options": [o.to_dict(lang) for o in self.options],
        }
        if not self.options:
            data["note"] = self.why_none.get(lang, "")
        return data


def plan_of_schedule(
    dataset: Dataset,
    plan: Plan,
    rows: list[Assignment],
    *,
    policy: Policy,
    backend: str,
    extra_kpis: dict[str, Any] | None = None,
) -> Plan:
    """The plan whose assignments are ``rows`` (on ``dataset``, with ``plan``'s travel
    model), rebuilt like a dispatched plan: travel, sequence, reasons, KPIs."""
    problem = compile_problem(dataset, policy=policy, travel=plan.travel)
    draft = Plan(
        assignments=tuple(rows),
        unassigned=(),
        kpis={},
        travel=plan.travel,
        travel_home=plan.travel_home,
    )
    schedule = schedule_of(problem, draft)
    routes = tuple(
        Route(
            vehicle=v,
            jobs=tuple(j for j, _ in visits),
            starts=tuple(s for _, s in visits),
        )
        for v, visits in sorted(schedule.items())
    )
    terms = objective_terms(problem, routes, policy)
    solution = Solution(
        routes=routes,
        objective=terms.total,
        backend=backend,
        seed=int(plan.kpis.get("seed", 0) or 0),
        solve_seconds=0.0,
    )
    built = build_plan(dataset, problem, solution, policy)
    if extra_kpis:
        built = replace(built, kpis={**built.kpis, **extra_kpis})
    return built


def apply_option(
    recommendation: Recommendation, plan: Plan, option: Option, *, policy: Policy
) -> Plan:
    """``plan`` with ``option`` carried out: the job given to the option's workers and every
    move made. The result is on ``recommendation.dataset``."""
    rows = applied_rows(plan, option)
    return plan_of_schedule(recommendation.dataset, plan, rows, policy=policy, backend="recommend")


def applied_rows(plan: Plan, option: Option) -> list[Assignment]:
    """The assignments of ``plan`` with ``option`` carried out, in start order (travel and
    scores are left at zero: :func:`plan_of_schedule` or the verifier works them out);
    :func:`applied_breaks` gives its breaks."""
    changed = {m.job_id for m in option.moves} | {p.job_id for p in option.assignments}
    rows = [a for a in plan.assignments if a.job_id not in changed]
    rows += [_row(p.job_id, p.worker_id, p.start, p.end) for p in option.assignments]
    rows += [_row(m.job_id, m.worker_id, m.start, m.end) for m in option.moves]
    rows.sort(key=lambda a: (utc(a.start), a.worker_id, a.job_id))
    return rows


def applied_breaks(dataset: Dataset, plan: Plan, option: Option) -> tuple[Break, ...]:
    """The breaks of ``plan`` with ``option`` carried out: each worker shift the option
    changes (it holds one of the option's starts, or a moved job's old or new start)
    loses its old breaks and takes the option's re-placed ones; the others keep theirs.
    The same breaks as :func:`apply_option`'s plan, without rebuilding it."""
    moments = [(p.worker_id, p.start) for p in option.assignments]
    for m in option.moves:
        moments += [(m.worker_id, m.start), (m.previous_worker_id, m.previous_start)]
    touched = {
        (worker_id, utc(shift.start), utc(shift.end))
        for worker_id, moment in moments
        for shift in dataset.worker(worker_id).shifts
        if utc(shift.start) <= utc(moment) < utc(shift.end)
    }
    kept = [
        b
        for b in plan.breaks
        if not any(b.worker_id == w and start <= utc(b.start) < end for w, start, end in touched)
    ]
    return tuple(sorted([*kept, *option.breaks], key=lambda b: (utc(b.start), b.worker_id)))


def _row(job_id: str, worker_id: str, start: datetime, end: datetime) -> Assignment:
    return Assignment(
        job_id=job_id,
        worker_id=worker_id,
        start=start,
        end=end,
        travel_minutes=0,
        sequence=0,
        match_score=0.0,
    )


def instant(horizon: datetime, minute: int, zone: tzinfo | None) -> datetime:
    """Solver ``minute`` as an instant, shown in ``zone`` as plans show a job's times."""
    return add_minutes(horizon, int(minute), zone if zone is not None else horizon.tzinfo)
