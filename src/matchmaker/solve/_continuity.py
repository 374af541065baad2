"""Care teams: the workers a customer with a continuity cap is served by, chosen before
solving for the run of :func:`matchmaker.solve._rounds.round_rules` that plans inside them
(the other plans without them; the better plan is kept).

``max_distinct_workers`` (a hard rule) looks at all the visits of a customer at once,
which neither a routing model nor a one-job-at-a-time insertion sees. Before a backend
runs, each capped customer whose visits could break the cap (more worker slots than the
cap, and more eligible workers) gets a *care team* of at most ``cap`` workers, and the
customer's jobs are offered to those workers only (the problem the backend solves has
``eligible`` narrowed; the plan is built and checked against the original). A team is
picked greedily: first the workers pinned to the customer's jobs, then, while there is
room, among the workers eligible for enough of the customer's still uncovered job slots
that the seats left can still cover them all (or for the most, when none is), the one
with the least travel from home per slot, the better summed match score breaking ties
(the score already counts continuity with the customer's previous workers). Choosing by
slots covered, then score, put workers from across town in the teams: routing inside
teams only on generated home-care days (section ``care-teams`` of
``benchmarks/RESULTS.md``, instance seeds 1 and 3) gave 1,111,862 and 1,003,584 on
200 x 600 at 30 s, 3,076,417 and 2,792,730 on 600 x 2000 at 120 s; by travel per slot
1,084,314 and 982,814, 2,934,885 and 2,694,110.

A customer whose visits cannot break the cap gets no team: on a generated 600 x 2000
home-care day (routing, 120 s; most customers have one or two visits under a cap of two)
teams for them cost 11% and 14% of the objective (3,407,733 against 3,045,132 at
instance seed 1, 3,233,043 against 2,772,174 at seed 3).

This is a heuristic: a team may be too small in hours for the customer's visits while
another team would have served them all. :func:`matchmaker.solve._limits.enforce` still
checks the cap on what comes back.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import numpy.typing as npt

from matchmaker.compile import Problem

__all__ = ["care_teams", "within_care_teams"]

BoolArray = npt.NDArray[np.bool_]

_FAR = 2**40
"""Minutes from home of a worker with no shift (never nearest)."""


def care_teams(problem: Problem) -> dict[int, list[int]]:
    """Customer index -> the workers of its care team, for every capped customer whose
    eligible workers and whose visits' worker slots both outnumber its cap."""
    limits = problem.limits
    if limits is None or not limits.has_customer_limits:
        return {}
    n_workers = problem.n_workers
    # (W, J): the worker has an eligible (or pinned) shift for the job.
    eligible = np.zeros((n_workers, problem.n_jobs), dtype=bool)
    np.logical_or.at(eligible, problem.vehicle_worker, problem.eligible | problem.pinned)
    pinned = np.zeros((n_workers, problem.n_jobs), dtype=bool)
    np.logical_or.at(pinned, problem.vehicle_worker, problem.pinned)
    teams: dict[int, list[int]] = {}
    for customer in np.flatnonzero(limits.customer_max_workers >= 0).tolist():
        cap = int(limits.customer_max_workers[customer])
        jobs = np.flatnonzero(limits.job_customer == customer)
        candidates = np.flatnonzero(eligible[:, jobs].any(axis=1))
        # No plan can break a cap at least the customer's eligible workers, or its
        # visits' worker slots (a day of one or two visits under a cap of two).
        if candidates.size <= cap or int(problem.job_team[jobs].sum()) <= cap:
            continue
        team = np.flatnonzero(pinned[:, jobs].any(axis=1)).tolist()
        can = eligible[:, jobs]
        slots = problem.job_team[jobs].astype(np.int64).copy()
        for worker in team:
            slots -= can[worker]
        score = problem.score[:, jobs]
        home = np.full((n_workers, jobs.size), _FAR, dtype=np.int64)
        np.minimum.at(home, problem.vehicle_worker, problem.travel_home_job[:, jobs])
        while len(team) < cap:
            open_jobs = slots > 0
            if not open_jobs.any():
                break
            cover = can[:, open_jobs].sum(axis=1).astype(np.float64)
            cover[team] = -1.0
            cover[cover <= 0] = -1.0
            if cover.max() <= 0:
                break
            # Enough of the open slots that the seats left can still cover them all (where
            # anyone can), then the least travel from home per slot, then the best score.
            seats = cap - len(team)
            need = min(cover.max(), -(-int(slots[open_jobs].sum()) // seats))
            able = np.flatnonzero(cover >= need)
            minutes = np.where(can[able][:, open_jobs], home[able][:, open_jobs], 0)
            per_slot = minutes.sum(axis=1) / cover[able]
            fit = score[able][:, open_jobs].sum(axis=1)
            worker = int(able[np.lexsort((-fit, per_slot))[0]])
            team.append(worker)
            slots -= can[worker]
        teams[customer] = team
    return teams


def within_care_teams(problem: Problem) -> Problem:
    """``problem`` with each capped customer's jobs eligible only for its care team (the
    same problem when no customer needs one)."""
    teams = care_teams(problem)
    limits = problem.limits
    if not teams or limits is None:
        return problem
    allowed = np.ones((problem.n_workers, problem.n_jobs), dtype=bool)
    for customer, team in teams.items():
        jobs = np.flatnonzero(limits.job_customer == customer)
        allowed[:, jobs] = False
        allowed[np.ix_(np.asarray(team, dtype=np.intp), jobs)] = True
    narrowed = problem.eligible & allowed[problem.vehicle_worker]
    return replace(problem, eligible=narrowed)
