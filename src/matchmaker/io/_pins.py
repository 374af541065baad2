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
(or its pinned worker cannot, when the link asks for the same worker, as when the partner
is pinned to another worker; or only its pinned worker can, when the link asks for another)
is refused on its own, since every plan would serve it without its partner.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime

import numpy as np
import numpy.typing as npt

from matchmaker.compile import Problem, TravelModel, compile_problem
from matchmaker.model import Dataset, Issue, Job, LinkWorker, Policy, elapsed_minutes
from matchmaker.plan import Plan, build_plan, check_pair, verify
from matchmaker.solve import Route, get_solver, pins_without_break_room

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
    # Greedy refuses break rules too: the pins are planned without them, then each
    # shift's breaks are placed beside its pins (_break_issues).
    alone = Dataset(
        workers=tuple(replace(w, breaks=None) for w in dataset.workers),
        jobs=tuple(_without_links(job) for job in (*pinned, *partners)),
        customers=dataset.customers,
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
    issues.extend(_link_issues(dataset, pinned, partners, plan, broken, file, rows))
    if dataset.settings.breaks:
        issues.extend(_break_issues(dataset, alone, solution.routes, file, rows, travel))
    for job in pinned:
        if job.depends_on is None or job.job_id in broken:
            continue
        partner = alone.job_position(job.depends_on)
        # A pinned partner goes to its pinned shifts only, whoever else could serve it.
        partner_pinned = bool(problem.pinned[:, partner].any())
        able = problem.pinned[:, partner].copy()
        if not partner_pinned:
            able |= problem.eligible[:, partner]
        capped = _capped_to_pinned(problem, alone.job(job.depends_on).customer_id)
        if capped is not None:
            able &= capped
        pins = _shifts_of(problem, job)
        who = ", ".join(job.pinned_worker_ids)
        partner_pins = f"is pinned to {', '.join(alone.job(job.depends_on).pinned_worker_ids)}"
        # One worker serves both when the link asks it or only job's pinned workers can.
        same = job.link_worker is LinkWorker.SAME or not (able & ~pins).any()
        message = None
        if not able.any():
            message = (
                f"Job {job.job_id} depends on visit {job.depends_on}, which no worker can "
                "serve in this round."
            )
        elif same and not (able & pins).any():
            why = partner_pins if partner_pinned else f"{who} cannot serve in this round"
            message = (
                f"Job {job.job_id} (pinned to {who}) depends on visit {job.depends_on}, "
                f"which the same worker must serve and which {why}."
            )
        elif job.link_worker is LinkWorker.DIFFERENT and not (able & ~pins).any():
            why = partner_pins if partner_pinned else f"only {who} can serve in this round"
            message = (
                f"Job {job.job_id} (pinned to {who}) depends on visit {job.depends_on}, "
                f"which another worker must serve and which {why}."
            )
        elif not _partner_can_start(alone, job, same, _least_leg(problem, partner, job, pins)):
            message = (
                f"Job {job.job_id} and the visit it depends on, {job.depends_on}, cannot "
                "start min_gap to max_gap minutes apart inside their windows and pins"
                + (
                    ", the same worker finishing the first and travelling before the second."
                    if same
                    else "."
                )
            )
        if message is not None and capped is not None:
            customer_id = alone.job(job.depends_on).customer_id
            message = message[:-1] + (
                f" (customer {customer_id}'s cap on different workers is reached by the "
                "workers pinned to its visits)."
            )
        if message is not None:
            issues.append(_pin_issue(file, rows, job, None, message))
    return issues


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


def _least_leg(problem: Problem, partner: int, job: Job, pins: npt.NDArray[np.bool_]) -> int:
    """The shortest way from ``partner`` to ``job`` in the travel modes of ``job``'s
    pinned shifts."""
    legs = problem.travel_job_job[
        problem.vehicle_mode[pins], partner, problem.job_ids.index(job.job_id)
    ]
    return int(legs.min()) if legs.size else 0


def _partner_can_start(dataset: Dataset, job: Job, one_worker: bool, leg: int) -> bool:
    """Whether ``job`` (pinned) and the visit it depends on have starts, inside their
    windows (or at their pinned starts), ``min_gap`` to ``max_gap`` minutes apart; when
    ``one_worker`` serves both, the first must also end, and the worker travel ``leg``
    minutes, before the second starts."""
    assert job.depends_on is not None
    partner = dataset.job(job.depends_on)
    first, last = _start_range(partner)
    low, high = _start_range(job)
    least = job.min_gap or 0
    if one_worker:
        least = max(least, partner.duration_minutes + leg)
    if elapsed_minutes(first, high) < least:
        return False
    if job.max_gap is None:
        return True
    # Some partner start s has [s + least, s + max_gap] meeting job's start range.
    return least <= job.max_gap and elapsed_minutes(last, low) <= job.max_gap


def _start_range(job: Job) -> tuple[datetime, datetime]:
    if job.pinned_start is not None:
        return job.pinned_start, job.pinned_start
    return job.earliest_start, job.latest_start


def _link_issues(
    dataset: Dataset,
    pinned: tuple[Job, ...],
    partners: tuple[Job, ...],
    plan: Plan,
    broken: set[str],
    file: str,
    rows: Mapping[str, int],
) -> list[Issue]:
    """Errors for two visits pinned at fixed starts that break the link between them (the
    verifier's rule, on the plan of the pins with the links put back)."""
    fixed = {job.job_id for job in pinned if job.pinned_start is not None}
    linked = Dataset(
        workers=dataset.workers,
        jobs=(*pinned, *partners),
        customers=dataset.customers,
        settings=dataset.settings,
    )
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
