"""Tiny hand-built worlds for rule tests: one qualified worker, one job, then one change.

The defaults make a world in which worker ``W1`` can serve job ``J1`` without any doubt:
skills, experience, certificates, background check, language, gender and a shift covering
the window with travel to spare. A rule test changes one thing so that only its rule
decides, dispatches the world, and hand-builds a plan that breaks the rule.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from matchmaker.compile import Problem
from matchmaker.model import (
    HARD_RULES,
    BackgroundCheck,
    BackgroundCheckStatus,
    Certificate,
    Customer,
    Dataset,
    DatasetSettings,
    Gender,
    Job,
    Location,
    Policy,
    Shift,
    SkillRequirement,
    TimeWindow,
    TravelMode,
    Worker,
    add_minutes,
)
from matchmaker.plan import (
    Assignment,
    DispatchResult,
    Plan,
    ReasonCode,
    UnassignedJob,
    build_plan,
    dispatch,
    verify,
)
from matchmaker.solve import Route, Solution, objective_terms
from tests.clock import DAY, TZ, at

__all__ = [
    "BACKENDS",
    "DAY",
    "HOME",
    "NEAR",
    "REASON_FOR_RULE",
    "TZ",
    "assert_rule_decides",
    "at",
    "customer",
    "dispatched",
    "followed",
    "job",
    "plan_of",
    "rules_broken",
    "shift",
    "verified_plan",
    "with_job",
    "worker",
    "world",
]

HOME = Location(lat=31.2300, lon=121.4700)
NEAR = Location(lat=31.2400, lon=121.4800)
"""About 1.5 km from ``HOME``: a few minutes by any mode."""


def shift(start_hour: int, end_hour: int, *, day: int = 0) -> Shift:
    return Shift(start=at(start_hour, day=day), end=at(end_hour, day=day))


def worker(worker_id: str = "W1", **changes: Any) -> Worker:
    """A worker who can serve the default job: change one field to break one rule."""
    fields: dict[str, Any] = {
        "worker_id": worker_id,
        "name": f"Worker {worker_id}",
        "gender": Gender.FEMALE,
        "languages": frozenset({"mandarin"}),
        "skills": {"cleaning": 3},
        "experience_years": 5.0,
        "certificates": (Certificate(name="health", expires=date(2027, 12, 31)),),
        "background_check": BackgroundCheck(status=BackgroundCheckStatus.PASSED),
        "rating": 4.5,
        "rating_count": 10,
        "home": HOME,
        "shifts": (shift(8, 18),),
        "travel_mode": TravelMode.CAR,
    }
    fields.update(changes)
    return Worker(**fields)


def job(job_id: str = "J1", **changes: Any) -> Job:
    """A job the default worker can serve, 09:00-11:00 start window, one hour, near home."""
    fields: dict[str, Any] = {
        "job_id": job_id,
        "customer_id": "C1",
        "service_type": "cleaning",
        "location": NEAR,
        "window": TimeWindow(start=at(9), end=at(11)),
        "duration_minutes": 60,
        "required_skills": (SkillRequirement(name="cleaning", level=2),),
        "min_experience_years": 1.0,
        "required_certificates": ("health",),
        "language_required": ("mandarin",),
    }
    fields.update(changes)
    return Job(**fields)


def followed(
    leader: Job, window: TimeWindow, min_gap: int, max_gap: int, **changes: Any
) -> list[Job]:
    """``leader`` and F, a visit following it ``min_gap`` to ``max_gap`` minutes later,
    starting in ``window``."""
    follower = job(
        "F", window=window, depends_on=leader.job_id, min_gap=min_gap, max_gap=max_gap, **changes
    )
    return [leader, follower]


def customer(customer_id: str = "C1", **changes: Any) -> Customer:
    return Customer(
        customer_id=customer_id, name=f"Customer {customer_id}", location=NEAR, **changes
    )


def world(
    workers: Iterable[Worker] | None = None,
    jobs: Iterable[Job] | None = None,
    customers: Iterable[Customer] | None = None,
    settings: DatasetSettings | None = None,
) -> Dataset:
    """A dataset of the given parts (defaults: ``worker()``, ``job()``, ``customer()``)."""
    return Dataset(
        workers=tuple(workers if workers is not None else (worker(),)),
        jobs=tuple(jobs if jobs is not None else (job(),)),
        customers=tuple(customers if customers is not None else (customer(),)),
        settings=settings if settings is not None else DatasetSettings(),
    )


def one_worker_for_both_visits() -> Dataset:
    """C1, capped at one worker, has a visit in the morning and one at 13:00-14:00; W1
    works mornings, W2 afternoons, and only W3 (rated lower) works all day."""
    return world(
        workers=[
            worker("W1", shifts=(shift(8, 12),)),
            worker("W2", shifts=(shift(12, 18),)),
            worker("W3", shifts=(shift(8, 18),), rating=3.0),
        ],
        jobs=[job("J1"), job("J2", window=TimeWindow(start=at(13), end=at(14)))],
        customers=[customer(max_distinct_workers=1)],
    )


def plan_of(dataset: Dataset, *visits: tuple[str, str, datetime]) -> Plan:
    """A hand-made plan: ``(job_id, worker_id, start)`` visits lasting each job's duration;
    every other job of the dataset is listed as unassigned."""
    assignments = []
    for sequence, (job_id, worker_id, start) in enumerate(visits, start=1):
        minutes = dataset.job(job_id).duration_minutes if dataset.has_job(job_id) else 60
        assignments.append(
            Assignment(
                job_id=job_id,
                worker_id=worker_id,
                start=start,
                end=add_minutes(start, minutes),
                travel_minutes=0,
                sequence=sequence,
                match_score=50.0,
            )
        )
    served = {job_id for job_id, _, _ in visits}
    unassigned = tuple(
        UnassignedJob(job_id=j.job_id, reason_code=ReasonCode.CAPACITY, reason="by hand")
        for j in dataset.jobs
        if j.job_id not in served
    )
    return Plan(assignments=tuple(assignments), unassigned=unassigned, kpis={})


def verified_plan(
    dataset: Dataset,
    problem: Problem,
    routes: tuple[Route, ...],
    policy: Policy,
    *,
    backend: str = "hand",
) -> Plan:
    """The plan of ``routes`` (a solution priced under ``policy``), which must pass verify."""
    solution = Solution(
        routes=routes,
        objective=objective_terms(problem, routes, policy).total,
        backend=backend,
        seed=0,
        solve_seconds=0.0,
    )
    plan = build_plan(dataset, problem, solution, policy)
    assert verify(dataset, plan) == []
    return plan


def rules_broken(dataset: Dataset, plan: Plan) -> set[str]:
    """The names of the rules :func:`verify` reports for ``plan``."""
    return {v.rule for v in verify(dataset, plan)}


def with_job(dataset: Dataset, job_id: str, **changes: Any) -> Dataset:
    """``dataset`` with one job changed."""
    jobs = tuple(replace(j, **changes) if j.job_id == job_id else j for j in dataset.jobs)
    return replace(dataset, jobs=jobs)


REASON_FOR_RULE: dict[str, ReasonCode] = {
    rule.name: rule.code for rule in HARD_RULES if rule.code is not None
}
"""The reason code an unserved job gets when a verify rule is what keeps it out."""

BACKENDS = ("greedy", "routing")
TIME_LIMIT = 0.5


def dispatched(dataset: Dataset) -> list[DispatchResult]:
    """The round planned by every backend; each plan must pass verify."""
    results = []
    for backend in BACKENDS:
        result = dispatch(dataset, solver=backend, time_limit=TIME_LIMIT, seed=0)
        assert verify(dataset, result.plan) == [], backend
        assert result.violations == ()
        results.append(result)
    return results


def assert_rule_decides(
    rule: str,
    dataset: Dataset,
    *,
    broken: Plan,
    unserved: str | None = "J1",
    code: ReasonCode | None = None,
) -> list[DispatchResult]:
    """Dispatching leaves ``unserved`` out with ``rule``'s reason code (``unserved=None``:
    exactly one job, whichever), and ``broken`` breaks ``rule`` and nothing else."""
    expected = code if code is not None else REASON_FOR_RULE[rule]
    results = dispatched(dataset)
    for result in results:
        left_out = result.plan.unassigned
        backend = result.solution.backend
        assert len(left_out) == 1, (backend, left_out)
        if unserved is not None:
            assert left_out[0].job_id == unserved, backend
        assert left_out[0].reason_code is expected, (backend, left_out[0])
        assert left_out[0].reason, backend
    assert rules_broken(dataset, broken) == {rule}
    return results
