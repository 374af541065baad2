"""The documented objective every solver minimises, in integer cost units.

::

    objective =   sum over unserved jobs j      drop_penalty[j]
                + sum over served (worker, job)  match_cost[w, j]
                + sum over travel minutes        travel_cost_per_minute
                + sum over moved jobs            stability_cost_per_move   (re-planning only)
                + sum over late minutes          lateness_cost_per_minute  (due_start)
                + the largest lateness           max_lateness_cost_per_minute
                + balance_cost_per_minute * the busiest shift's work minutes (off by default)

* ``match_cost[w, j] = round(match_cost_per_point * (100 - score[w, j]))`` for each
  member of each served job.
* ``drop_penalty[j] = serve_value * weight[priority_j] * team_j`` with
  ``serve_value = travel_cost_per_minute * longest_shift + 100 * match_cost_per_point + 1``:
  one job's travel (bounded by a shift) plus its worst match cost is always less than the
  value of serving it, so serving a job always beats any travel or score saving.
  ``policy.serve_value_minutes`` replaces it by ``travel_cost_per_minute *
  serve_value_minutes``: then a job whose travel (and match cost) exceeds its value is
  better left out, and the insertions leave it out
  (:func:`matchmaker.solve._costs.insertion_worth`).
* ``weight`` is ``policy.priority_weights`` or, with ``policy.strict_priority``, weights
  chosen so that one job of a higher priority is worth more than all jobs of lower
  priorities together.

The stability term counts only when a plan is re-planned (:mod:`matchmaker.live`): each
job planned before that changes worker or moves by more than the shift tolerance costs
``stability_cost_per_move`` (:func:`stability_cost`, the one place the term is computed). A
plan made from scratch moves nothing, so the term is 0 there.

Travel counts from the worker's home to the first job and between jobs; the way home is
not counted (docs/design.md section 3) unless ``policy.travel_home`` asks for it. The
lateness terms are in :mod:`matchmaker.solve._lateness`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matchmaker.compile import Problem
from matchmaker.model import Policy, PolicyError
from matchmaker.solve._fairness import busiest_work
from matchmaker.solve._lateness import home_leg, lateness_minutes
from matchmaker.solve._solution import Route, Solution

__all__ = [
    "ObjectiveTerms",
    "drop_penalties",
    "match_costs",
    "objective_terms",
    "priority_weights",
    "route_travel",
    "serve_value",
    "solution_objective",
    "stability_cost",
]

_INT64_SAFE = 2**62


def serve_value(problem: Problem, policy: Policy) -> int:
    """The value of serving one worker-slot of a weight-1 job: above any saving it could
    cost, unless ``policy.serve_value_minutes`` prices it in travel minutes."""
    if policy.serve_value_minutes is not None:
        return policy.travel_cost_per_minute * policy.serve_value_minutes
    longest_shift = int((problem.vehicle_end - problem.vehicle_start).max(initial=0))
    # The balance term grows by at most a job's duration (< a shift) when a job is served.
    rates = policy.travel_cost_per_minute + policy.balance_cost_per_minute
    value = rates * longest_shift + 100 * policy.match_cost_per_point + 1
    if problem.rules is not None and problem.rules.has_due:
        # Serving a job may make it (and the round's largest lateness) late by up to a shift.
        late = policy.lateness_cost_per_minute + policy.max_lateness_cost_per_minute
        value += late * longest_shift
    if problem.rules is not None and problem.rules.travel_home:
        value += policy.travel_cost_per_minute * longest_shift
    return value


def priority_weights(problem: Problem, policy: Policy) -> dict[int, int]:
    """The weight of each priority 1..5 under ``policy`` for this problem's jobs."""
    if not policy.strict_priority:
        return dict(policy.priority_weights)
    weights: dict[int, int] = {}
    lower_total = 0
    for priority in range(1, 6):
        weights[priority] = lower_total + 1
        slots = int(problem.job_team[problem.job_priority == priority].sum())
        lower_total += weights[priority] * slots
    return weights


def drop_penalties(problem: Problem, policy: Policy) -> npt.NDArray[np.int64]:
    """``drop_penalty[j]`` for every job (see the module docstring)."""
    weights = priority_weights(problem, policy)
    by_priority = np.zeros(6, dtype=np.int64)
    for priority, weight in weights.items():
        by_priority[priority] = weight
    value = serve_value(problem, policy)
    penalties = (
        by_priority[problem.job_priority].astype(object) * problem.job_team.astype(object) * value
    )
    total = int(penalties.sum()) if penalties.size else 0
    if total >= _INT64_SAFE:
        # Settings and round size are input: an overflow is invalid input, not a solver bug.
        if policy.strict_priority:
            raise PolicyError(
                "strict priority makes the drop penalties overflow 64-bit integers on this "
                "round; turn off strict_priority or split the round"
            )
        raise PolicyError(
            "the drop penalties overflow 64-bit integers on this round: lower "
            "travel_cost_per_minute, match_cost_per_point or priority_weights, or split the "
            "round"
        )
    result: npt.NDArray[np.int64] = penalties.astype(np.int64)
    return result


def match_costs(
    problem: Problem,
    policy: Policy,
    pairs: tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]] | None = None,
) -> npt.NDArray[np.int64]:
    """``match_cost[w, j]`` for every worker-job pair (W, J), or for the ``(workers, jobs)``
    index arrays ``pairs`` only."""
    score = problem.score if pairs is None else problem.score[pairs]
    return np.rint(policy.match_cost_per_point * (100.0 - score)).astype(np.int64)


def route_travel(problem: Problem, route: Route) -> int:
    """Travel minutes of one route: home to the first job, then job to job (and back home
    with ``policy.travel_home``)."""
    if not route.jobs:
        return 0
    jobs = np.asarray(route.jobs, dtype=np.intp)
    mode = int(problem.vehicle_mode[route.vehicle])
    first = int(problem.travel_home_job[route.vehicle, jobs[0]])
    between = int(problem.travel_job_job[mode, jobs[:-1], jobs[1:]].sum())
    return first + between + home_leg(problem, route)


def stability_cost(policy: Policy, moved_jobs: int) -> int:
    """The stability term: ``stability_cost_per_move`` for each job a re-plan moves."""
    return int(policy.stability_cost_per_move) * int(moved_jobs)


@dataclass(frozen=True, kw_only=True, slots=True)
class ObjectiveTerms:
    """Each term of the objective by name, and their sum."""

    unserved_penalty: int
    match_cost: int
    travel_cost: int
    travel_minutes: int
    stability_cost: int = 0
    """:func:`stability_cost` of the jobs a re-plan moved (0 for a plan from scratch)."""
    lateness_cost: int = 0
    """``lateness_cost_per_minute`` times the minutes served jobs start after due_start."""
    max_lateness_cost: int = 0
    """``max_lateness_cost_per_minute`` times the round's largest lateness."""
    balance_cost: int = 0
    """``balance_cost_per_minute`` times the busiest shift's work minutes
    (:mod:`matchmaker.solve._fairness`)."""

    @property
    def total(self) -> int:
        return (
            self.unserved_penalty
            + self.match_cost
            + self.travel_cost
            + self.stability_cost
            + self.lateness_cost
            + self.max_lateness_cost
            + self.balance_cost
        )

    def as_dict(self) -> dict[str, int]:
        return {
            "unserved_penalty": self.unserved_penalty,
            "match_cost": self.match_cost,
            "travel_cost": self.travel_cost,
            "stability_cost": self.stability_cost,
            "lateness_cost": self.lateness_cost,
            "max_lateness_cost": self.max_lateness_cost,
            "balance_cost": self.balance_cost,
            "total": self.total,
        }


def objective_terms(
    problem: Problem, routes: tuple[Route, ...], policy: Policy, *, moved_jobs: int = 0
) -> ObjectiveTerms:
    """Evaluate the documented objective for ``routes`` (any solver's).

    A team job is served only when all ``job_team`` members serve it. ``moved_jobs`` is
    the number of jobs a re-plan moved (its stability term).
    """
    workers: list[int] = []
    jobs: list[int] = []
    travel = 0
    for route in routes:
        travel += route_travel(problem, route)
        worker = int(problem.vehicle_worker[route.vehicle])
        workers.extend([worker] * len(route.jobs))
        jobs.extend(route.jobs)
    # A team job counts as served only with all its members; a partial team is unserved.
    visits = np.bincount(np.asarray(jobs, dtype=np.intp), minlength=problem.n_jobs)
    served = visits >= problem.job_team
    # Only the planned pairs: the whole (W, J) matrix costs seconds on a big round.
    pairs = (np.asarray(workers, dtype=np.intp), np.asarray(jobs, dtype=np.intp))
    match = int(match_costs(problem, policy, pairs).sum())
    late_total, late_max = lateness_minutes(problem, routes)
    return ObjectiveTerms(
        unserved_penalty=int(drop_penalties(problem, policy)[~served].sum()),
        match_cost=match,
        travel_cost=travel * policy.travel_cost_per_minute,
        travel_minutes=travel,
        stability_cost=stability_cost(policy, moved_jobs),
        lateness_cost=late_total * policy.lateness_cost_per_minute,
        max_lateness_cost=late_max * policy.max_lateness_cost_per_minute,
        balance_cost=policy.balance_cost_per_minute * busiest_work(problem, routes)
        if policy.balance_cost_per_minute
        else 0,
    )


def solution_objective(problem: Problem, solution: Solution, policy: Policy) -> int:
    return objective_terms(problem, solution.routes, policy).total
