"""Pins that break a hard rule are invalid input.

A pin (``pinned_worker_id``, ``pinned_start``) is kept as it is by every solver, so a pin the
worker cannot serve would make every plan break a hard rule: ``dispatch`` would refuse the
plan as a solver bug. Such a pin is refused up front instead, by ``validate`` and
``dispatch`` alike, naming the jobs file, the row and the pinned worker column.

No rule is re-implemented here. Pair rules (skills, status, documents, blocks ...) are
:func:`matchmaker.plan.check_pair`; rules of the schedule (inside a shift, travel from
home, overlap between pins, limits per shift, pinned starts) come from planning the pinned
jobs alone with the greedy solver, which places every pin as it is, and verifying that plan
with :func:`matchmaker.plan.verify`. (``ops jobs`` exports a round from the event store and
releases such pins there with a warning, so that its output is valid input.)

The home-care rules (soft windows, linked visits, the way home, breaks) are left out of
that plan, which greedy cannot make with them; the way home of the dataset's policy is
then checked on it (a pinned last visit must leave time to get home by the shift's end);
with break rules, each shift's breaks are then placed beside its pins, and pins that
leave no room are refused (:func:`matchmaker.solve.pins_without_break_room`, which what-if
scenarios use too); a pinned visit that depends on a visit no worker can serve in the round
(within the caps of a shift and of a week; with time to get home after it, when the policy
asks for the way home; or its pinned worker cannot, when the link asks for the same worker,
as when the partner is pinned to another worker; or only its pinned worker can, when the
link asks for another; or that cannot keep its own link to the visit it depends on in
turn, up the chain) is refused on its own, since every plan would serve it without its
partner.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from matchmaker.compile import (
    Problem,
    TravelModel,
    cap_fit,
    compile_problem,
    rule_shift_fit,
)
from matchmaker.model import Dataset, Issue, Job, LinkWorker, Policy
from matchmaker.plan import Plan, build_plan, check_pair, verify
from matchmaker.solve import (
    Route,
    follow_window,
    get_solver,
    least_link_gap,
    pins_without_break_room,
)

__all__ = ["check_pin_travel", "check_pins"]

_COLUMN = "pinned_worker_id"


def check_pins(dataset: Dataset, file: str, rows: Mapping[str, int]) -> list[Issue]:
    """An error for every pin of ``dataset`` that breaks a hard rule.

    ``file`` names the jobs table and ``rows`` gives the row of each job id in it.
    """
    pinned = tuple(job for job in dataset.jobs if job.is_pinned)
    if not pinned:
        return []
    issues: list[Issue] = []
    broken: set[str] = set()
    for job in pinned:
        for worker_id in job.pinned_worker_ids:
            worker = dataset.worker(worker_id)
            start = job.pinned_start if job.pinned_start is not None else job.earliest_start
            found = [v.message for v in check_pair(dataset, job.job_id, worker_id, start)]
            # Without any shift the pinned job has no vehicle to go on, so it cannot be
            # planned alone below; inside_shift is what it breaks.
            if not worker.shifts:
                found.append(
                    f"Worker {worker_id} has no shift (shift_start and shift_end, or rows in "
                    "availability)."
                )
            for message in found:
                issues.append(_pin_issue(file, rows, job, worker_id, message))
                broken.add(job.job_id)
    kept = tuple(job for job in pinned if job.job_id not in broken)
    issues.extend(_schedule_issues(dataset, kept, file, rows))
    return issues


def check_pin_travel(
    dataset: Dataset,
    travel: TravelModel | None,
    file: str = "jobs",
    *,
    policy: Policy | None = None,
) -> list[Issue]:
    """An error for every pin whose schedule breaks a rule with ``travel`` (a matrix file
    or road engine chosen after loading) or under ``policy`` (a policy given apart from the
    dataset, which may ask for the way home); :func:`check_pins` used the default model
    and the dataset's own policy."""
    if policy is not None:
        dataset = replace(dataset, settings=dataset.settings.model_copy(update={"policy": policy}))
    pinned = tuple(job for job in dataset.jobs if job.is_pinned)
    return _schedule_issues(dataset, pinned, file, {}, travel)


def _schedule_issues(
    dataset: Dataset,
    pinned: tuple[Job, ...],
    file: str,
    rows: Mapping[str, int],
    travel: TravelModel | None = None,
) -> list[Issue]:
    """Errors for pins whose schedule cannot be kept: plan the pinned jobs alone and verify;
    and for pinned visits whose partner no worker can serve."""
    if not pinned:
        return []
    partners = _partners(dataset, pinned)
    linked = Dataset(
        workers=dataset.workers,
        jobs=(*pinned, *partners),
        customers=dataset.customers,
        settings=dataset.settings,
    )
    # Greedy refuses break rules too: the pins are planned without them, then each
    # shift's breaks are placed beside its pins (_break_issues).
    alone = replace(
        linked,
        workers=tuple(replace(w, breaks=None) for w in dataset.workers),
        jobs=tuple(_without_links(job) for job in linked.jobs),
        settings=dataset.settings.model_copy(
            update={
                "policy": dataset.settings.policy.model_copy(update={"travel_home": False}),
                "breaks": (),
            }
        ),
    )
    policy = alone.settings.policy
    problem = compile_problem(alone, policy=policy, travel=travel)
    solution = get_solver("greedy")(problem, policy=policy, time_limit=1.0, seed=0)
    plan = build_plan(alone, problem, solution, policy)
    issues: list[Issue] = []
    seen: set[tuple[str, str | None]] = set()
    # The way home is judged on the pins' plan as the dataset's policy asks for it.
    home = dataset.settings.policy.travel_home
    for violation in verify(alone, replace(plan, travel_home=home)):
        if violation.job_id is None or not alone.has_job(violation.job_id):
            continue
        job = alone.job(violation.job_id)
        if not job.is_pinned or (violation.job_id, violation.worker_id) in seen:
            continue  # the first broken rule says it; the others follow from it
        seen.add((violation.job_id, violation.worker_id))
        issues.append(_pin_issue(file, rows, job, violation.worker_id, violation.message))
    broken = {job_id for job_id, _ in seen}
    issues.extend(_link_issues(linked, pinned, plan, broken, file, rows))
    if dataset.settings.breaks:
        issues.extend(_break_issues(dataset, alone, solution.routes, file, rows, travel))
    # The partners' way home needs the dataset's policy (rules.travel_job_home).
    reach = problem
    if home and any(job.depends_on is not None for job in pinned):
        reach = compile_problem(linked, policy=dataset.settings.policy, travel=travel)
    for job in pinned:
        if job.depends_on is not None and job.job_id not in broken:
            # Same jobs, same order: the positions in reach are linked's too.
            message = _partner_issue(linked, reach, job)
            if message is not None:
                issues.append(_pin_issue(file, rows, job, None, message))
    return issues


def _partner_issue(linked: Dataset, problem: Problem, job: Job) -> str | None:
    """Why pinned ``job`` can never be served with the visit it depends on (``None`` when
    it may be): no shift can take the partner, or its worker rule or gap cannot hold, the
    visits the partner depends on in turn counted (:func:`_reach`)."""
    assert job.depends_on is not None
    partner = linked.job(job.depends_on)
    reach = _reach(linked, problem, partner)
    able = reach.able
    pins = _shifts_of(problem, job)
    who = ", ".join(job.pinned_worker_ids)
    partner_pins = f"is pinned to {', '.join(partner.pinned_worker_ids)}"
    partner_pinned = partner.is_pinned
    # The partner's own partners narrowed who can serve it: say so.
    chained = " with the visits it depends on in turn" if partner.depends_on else ""
    # One worker serves both when the link asks it or only job's pinned workers can.
    same = job.link_worker is LinkWorker.SAME or not (able & ~pins).any()
    message = None
    if reach.low > reach.high:
        message = (
            f"Job {job.job_id} depends on visit {partner.job_id}, which cannot start inside "
            "its window min_gap to max_gap minutes after the visit it depends on in turn, "
            f"{partner.depends_on} (windows, pins and gaps up the chain of linked visits)."
        )
    elif not able.any():
        message = (
            f"Job {job.job_id} depends on visit {partner.job_id}, which no worker can serve in "
            f"this round{chained}."
        )
    elif same and not (able & pins).any():
        why = partner_pins if partner_pinned else f"{who} cannot serve in this round{chained}"
        message = (
            f"Job {job.job_id} (pinned to {who}) depends on visit {partner.job_id}, "
            f"which the same worker must serve and which {why}."
        )
    elif job.link_worker is LinkWorker.DIFFERENT and not (able & ~pins).any():
        why = partner_pins if partner_pinned else f"only {who} can serve in this round{chained}"
        message = (
            f"Job {job.job_id} (pinned to {who}) depends on visit {partner.job_id}, "
            f"which another worker must serve and which {why}."
        )
    else:
        position = linked.job_position(partner.job_id)
        least = _least_gap(problem, job, position, same, pins)
        if not _gap_can_hold(problem, job, linked.job_position(job.job_id), reach, least):
            message = (
                f"Job {job.job_id} and the visit it depends on, {partner.job_id}, cannot "
                "start min_gap to max_gap minutes apart inside their windows, shifts and pins"
                + (
                    ", the same worker finishing the first and travelling before the second."
                    if same
                    else "."
                )
            )
    if message is not None and _capped_to_pinned(problem, partner.customer_id) is not None:
        message = message[:-1] + (
            f" (customer {partner.customer_id}'s cap on different workers is reached by the "
            "workers pinned to its visits)."
        )
    return message


@dataclass(frozen=True, kw_only=True)
class _Reach:
    """Where a visit could be served so that the visits it depends on keep their links:
    the shifts that could take it and its start minutes (``low`` to ``high``; none when
    ``low > high``)."""

    able: npt.NDArray[np.bool_]
    low: int
    high: int


def _reach(linked: Dataset, problem: Problem, job: Job) -> _Reach:
    """:class:`_Reach` of ``job``, carried down the chain of visits it depends on from the
    first: each link narrows the follower's starts to its gap from the leader's starts and
    its shifts to those whose worker the link allows beside the leader's. A necessary
    condition only: travel is the least leg, and each worker's other visits are left out."""
    chain = [job]
    while chain[-1].depends_on is not None:
        leader = linked.job(chain[-1].depends_on)
        if leader in chain:
            break
        chain.append(leader)
    reach = _own_reach(problem, chain[-1], linked.job_position(chain[-1].job_id))
    everyone = np.ones(problem.n_vehicles, dtype=np.bool_)
    for follower in reversed(chain[:-1]):
        assert follower.depends_on is not None
        own = _own_reach(problem, follower, linked.job_position(follower.job_id))
        same = follower.link_worker is LinkWorker.SAME
        before = linked.job_position(follower.depends_on)
        least = _least_gap(problem, follower, before, same, everyone)
        able = own.able & _linked_shifts(problem, reach.able, follower.link_worker)
        reach = _follow(replace(own, able=able), reach, least, follower.max_gap)
    return reach


def _follow(own: _Reach, leader: _Reach, least: int, most: int | None) -> _Reach:
    """``own`` with its starts narrowed to those ``least`` to ``most`` minutes (no upper
    bound when ``None``) after some start of ``leader``'s (:func:`follow_window`)."""
    low, high = follow_window((leader.low, leader.high), (own.low, own.high), least, most)
    return replace(own, low=low, high=high)


def _own_reach(problem: Problem, job: Job, position: int) -> _Reach:
    """The shifts that could take ``job`` alone (only its pinned ones when pinned; else the
    eligible ones, with the way home when the policy asks for it, that leave time to travel
    from home, serve it and travel back, and whose caps leave room for it; those of the
    workers pinned to its customer's visits when they reach its cap) and its starts: inside
    its window (or at its pinned start) and inside one of those shifts, after the trip from
    home and ending early enough."""
    one = slice(position, position + 1)
    end = problem.vehicle_end
    if problem.rules is not None and problem.rules.travel_job_home is not None:
        end = end - problem.rules.travel_job_home[:, position]
    # Eligibility's own shift rule, with the shift ending the way back earlier.
    fit = rule_shift_fit(
        vehicle_start=problem.vehicle_start,
        vehicle_end=end,
        travel_home_job=problem.travel_home_job[:, one],
        job_earliest=problem.job_earliest[one],
        job_latest=problem.job_latest[one],
        job_duration=problem.job_duration[one],
    )
    able = problem.pinned[:, position].copy()
    if not able.any():
        able |= problem.eligible[:, position] & fit.fits[:, 0] & _room(problem, position)
    capped = _capped_to_pinned(problem, job.customer_id)
    if capped is not None:
        able &= capped
    pinned_start = int(problem.job_pinned_start[position])
    if pinned_start >= 0:
        low = high = pinned_start
    else:
        low, high = int(problem.job_earliest[position]), int(problem.job_latest[position])
    if able.any():
        low = max(low, int(fit.first_start[able, 0].min()))
        high = min(high, int(fit.last_start[able, 0].max()))
    return _Reach(able=able, low=low, high=high)


def _room(problem: Problem, position: int) -> npt.NDArray[np.bool_]:
    """The shifts whose caps leave room for the job at ``position`` alone
    (:func:`~matchmaker.compile.cap_fit`, the week's cap from ``Problem.limits``)."""
    limits = problem.limits
    week = None if limits is None else limits.worker_max_week[problem.vehicle_worker]
    fit = cap_fit(
        vehicle_max_jobs=problem.vehicle_max_jobs,
        vehicle_max_work=problem.vehicle_max_work,
        vehicle_max_week=week,
        job_duration=problem.job_duration[position : position + 1],
    )
    return fit[:, 0]


def _linked_shifts(
    problem: Problem, leader: npt.NDArray[np.bool_], kind: LinkWorker
) -> npt.NDArray[np.bool_]:
    """The shifts whose worker may serve a visit linked by ``kind`` to one that only the
    ``leader`` shifts could serve."""
    workers = np.unique(problem.vehicle_worker[leader])
    if kind is LinkWorker.SAME:
        return np.isin(problem.vehicle_worker, workers)
    if kind is LinkWorker.DIFFERENT and workers.size == 1:
        return np.asarray(problem.vehicle_worker != workers[0])
    return np.full(problem.n_vehicles, workers.size > 0)


def _break_issues(
    dataset: Dataset,
    alone: Dataset,
    routes: tuple[Route, ...],
    file: str,
    rows: Mapping[str, int],
    travel: TravelModel | None,
) -> list[Issue]:
    """An error for the pins of each shift whose breaks do not fit beside them (the pins
    alone: the partners of linked pins are left to the solver)."""
    whole = replace(alone, workers=dataset.workers, settings=dataset.settings)
    problem = compile_problem(whole, policy=dataset.settings.policy, travel=travel)
    issues: list[Issue] = []
    for vehicle, jobs in pins_without_break_room(problem, routes):
        worker_id = problem.worker_ids[int(problem.vehicle_worker[vehicle])]
        job = alone.jobs[jobs[0]]
        issues.append(
            _pin_issue(
                file,
                rows,
                dataset.job(job.job_id),
                worker_id,
                f"the pinned jobs of worker {worker_id} in this shift leave no room for "
                "the breaks of [[breaks]] in dataset.toml.",
            )
        )
    return issues


def _capped_to_pinned(problem: Problem, customer_id: str) -> npt.NDArray[np.bool_] | None:
    """The shifts of the workers pinned to ``customer_id``'s visits when they already reach
    the customer's cap on different workers (any other worker would break it); else
    ``None``. The cap is the compiled one (``Problem.limits``)."""
    limits = problem.limits
    if limits is None or customer_id not in limits.customer_ids:
        return None
    customer = limits.customer_ids.index(customer_id)
    cap = int(limits.customer_max_workers[customer])
    pinned = problem.pinned[:, limits.job_customer == customer].any(axis=1)
    held = np.unique(problem.vehicle_worker[pinned])
    if cap < 0 or held.size < cap:
        return None
    return np.isin(problem.vehicle_worker, held)


def _shifts_of(problem: Problem, job: Job) -> npt.NDArray[np.bool_]:
    """The shifts (vehicles) of ``job``'s pinned workers."""
    workers = np.asarray(problem.worker_ids, dtype=object)[problem.vehicle_worker]
    return np.isin(workers, list(job.pinned_worker_ids))


def _least_gap(
    problem: Problem, job: Job, leader: int, one_worker: bool, shifts: npt.NDArray[np.bool_]
) -> int:
    """The least minutes from the start of the visit at ``leader`` to ``job``'s start
    (:func:`least_link_gap`, the travel modes of ``shifts``)."""
    follower = problem.job_ids.index(job.job_id)
    return least_link_gap(problem, leader, follower, job.min_gap or 0, one_worker, shifts)


def _gap_can_hold(problem: Problem, job: Job, position: int, partner: _Reach, least: int) -> bool:
    """Whether pinned ``job`` (at ``position``) has a start inside its window (or at its
    pinned start) ``least`` to ``max_gap`` minutes after some start of its partner's."""
    reach = _follow(_own_reach(problem, job, position), partner, least, job.max_gap)
    return reach.low <= reach.high


def _link_issues(
    linked: Dataset,
    pinned: tuple[Job, ...],
    plan: Plan,
    broken: set[str],
    file: str,
    rows: Mapping[str, int],
) -> list[Issue]:
    """Errors for two visits pinned at fixed starts that break the link between them (the
    verifier's rule, on the plan of the pins with the links put back: ``linked``)."""
    fixed = {job.job_id for job in pinned if job.pinned_start is not None}
    issues: list[Issue] = []
    for violation in verify(linked, plan):
        job_id = violation.job_id
        if violation.rule != "linked_visits" or job_id not in fixed or job_id in broken:
            continue
        if linked.job(job_id).depends_on in fixed:
            broken.add(job_id)
            issues.append(_pin_issue(file, rows, linked.job(job_id), None, violation.message))
    return issues


def _partners(dataset: Dataset, pinned: tuple[Job, ...]) -> tuple[Job, ...]:
    """The unpinned visits the ``pinned`` ones depend on, however indirectly."""
    found: dict[str, Job] = {}
    chosen = {job.job_id for job in pinned}
    queue = [job.depends_on for job in pinned if job.depends_on is not None]
    while queue:
        job_id = queue.pop()
        if job_id in chosen or job_id in found:
            continue
        job = dataset.job(job_id)
        found[job_id] = job
        if job.depends_on is not None:
            queue.append(job.depends_on)
    return tuple(found.values())


def _without_links(job: Job) -> Job:
    """``job`` without the home-care rules the greedy plan of the pins cannot honour."""
    return replace(job.unlinked(), due_start=None)


def _pin_issue(
    file: str, rows: Mapping[str, int], job: Job, worker_id: str | None, message: str
) -> Issue:
    who = f"pinned worker {worker_id}" if worker_id else "the pin"
    if worker_id is not None and worker_id not in job.pinned_worker_ids:
        who = f"the pin (worker {worker_id} completes the team)"
    return Issue(
        file=file,
        row=rows.get(job.job_id),
        column=_COLUMN,
        value=";".join(job.pinned_worker_ids),
        message=f"{who} breaks a hard rule: {message.removesuffix(' (pinned)')} Pins are kept "
        "as they are, so fix or remove the pin",
    )
