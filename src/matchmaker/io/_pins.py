"""Pins that break a hard rule are invalid input.

A pin (``pinned_worker_id``, ``pinned_start``) is kept as it is by every solver, so a pin the
worker cannot serve would make every plan break a hard rule: ``dispatch`` would refuse the
plan as a solver bug. Such a pin is refused up front instead, by ``validate`` and
``dispatch`` alike, naming the jobs file, the row and the pinned worker column.

No rule is re-implemented here. Pair rules (skills, status, documents, blocks ...) are
:func:`matchmaker.plan.check_pair`; rules of the schedule (inside a shift, travel from
home, overlap between pins, limits per shift, pinned starts) come from planning the pinned
jobs alone with the greedy solver, which places every pin as it is, and verifying that plan
with :func:`matchmaker.plan.verify`, and, with break rules, placing each shift's breaks
beside its pins (:func:`matchmaker.solve.route_breaks`). (``ops jobs`` exports a round
from the event store and releases such pins there with a warning, so that its output is
valid input.)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from matchmaker.compile import TravelModel, compile_problem
from matchmaker.model import Dataset, Issue, Job
from matchmaker.plan import build_plan, check_pair, verify
from matchmaker.solve import Route, get_solver, route_breaks

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


def check_pin_travel(dataset: Dataset, travel: TravelModel, file: str = "jobs") -> list[Issue]:
    """An error for every pin whose schedule breaks a rule with ``travel`` (a matrix file
    or road engine chosen after loading; :func:`check_pins` used the default model)."""
    pinned = tuple(job for job in dataset.jobs if job.is_pinned)
    return _schedule_issues(dataset, pinned, file, {}, travel)


def _schedule_issues(
    dataset: Dataset,
    pinned: tuple[Job, ...],
    file: str,
    rows: Mapping[str, int],
    travel: TravelModel | None = None,
) -> list[Issue]:
    """Errors for pins whose schedule cannot be kept: plan the pinned jobs alone and verify."""
    if not pinned:
        return []
    # Greedy refuses break rules: the pins are planned without them, then their breaks
    # are placed (below).
    alone = Dataset(
        workers=tuple(replace(w, breaks=None) for w in dataset.workers),
        jobs=pinned,
        customers=dataset.customers,
        settings=dataset.settings.model_copy(update={"breaks": ()}),
    )
    policy = dataset.settings.policy
    problem = compile_problem(alone, policy=policy, travel=travel)
    solution = get_solver("greedy")(problem, policy=policy, time_limit=1.0, seed=0)
    plan = build_plan(alone, problem, solution, policy)
    issues: list[Issue] = []
    if dataset.settings.breaks:
        issues += _pin_breaks(dataset, pinned, solution.routes, file, rows, travel)
    seen: set[tuple[str, str | None]] = set()
    for violation in verify(alone, plan):
        if violation.job_id is None or not alone.has_job(violation.job_id):
            continue
        if (violation.job_id, violation.worker_id) in seen:
            continue  # the first broken rule says it; the others follow from it
        seen.add((violation.job_id, violation.worker_id))
        job = alone.job(violation.job_id)
        issues.append(_pin_issue(file, rows, job, violation.worker_id, violation.message))
    return issues


def _pin_breaks(
    dataset: Dataset,
    pinned: tuple[Job, ...],
    routes: tuple[Route, ...],
    file: str,
    rows: Mapping[str, int],
    travel: TravelModel | None,
) -> list[Issue]:
    """An error for the pins of each shift whose breaks do not fit beside them."""
    whole = replace(dataset, jobs=pinned, placement_requests=())
    problem = compile_problem(whole, policy=dataset.settings.policy, travel=travel)
    issues: list[Issue] = []
    for route in routes:
        if route_breaks(problem, route) is not None:
            continue
        worker_id = problem.worker_ids[int(problem.vehicle_worker[route.vehicle])]
        job = pinned[route.jobs[0]]
        issues.append(
            _pin_issue(
                file,
                rows,
                job,
                worker_id,
                f"the pinned jobs of worker {worker_id} in this shift leave no room for "
                "the breaks of [[breaks]] in dataset.toml.",
            )
        )
    return issues


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
