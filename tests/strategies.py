"""Hypothesis strategies: random small datasets that use every column of the input contract.

:func:`datasets` draws a round of 1-5 workers and 1-7 jobs over two days: skills with
levels, experience, certificates with expiry dates around the round, background checks
(passed, pending, failed, expiring), languages, genders, ratings, travel modes, statuses,
one to four shifts (split shifts and a second day included), job and work-minute limits,
limits across days (weekly minutes, rest, days in a row); customers with preferred gender,
languages and workers, blocked and previous workers and a continuity cap; jobs
with windows, durations, skill, experience, certificate, gender and language requirements,
teams of two, priorities, excluded workers and pins; with or without a dataset timezone
and, rarely, ``[limits]`` defaults.

Pins are feasible by construction: a pin is kept only when the plan made of all pins so far
passes :func:`matchmaker.plan.verify`, team jobs are pinned to a full team, and a pin
without a start is only drawn for a worker with no other pin (so no solver can be forced
to place two pins on top of each other).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import TypeVar

from hypothesis import strategies as st

from matchmaker.io._pins import check_pins
from matchmaker.model import (
    BackgroundCheck,
    BackgroundCheckStatus,
    BreakRule,
    Certificate,
    Customer,
    Dataset,
    DatasetSettings,
    Gender,
    Job,
    LimitSettings,
    LinkWorker,
    Location,
    Policy,
    Shift,
    SkillRequirement,
    TimeWindow,
    TravelMode,
    Worker,
    WorkerStatus,
)
from matchmaker.plan import Assignment, Plan, ReasonCode, UnassignedJob, check_pair, verify
from tests.clock import DAY, at

__all__ = ["datasets"]

T = TypeVar("T")

SKILLS = ("cleaning", "elderly_care", "infant_care")
CERTIFICATES = ("health", "nursing")
LANGUAGES = ("mandarin", "shanghainese", "english")


def _moment(day: int, minute: int) -> datetime:
    return at(0, minute, day=day)


def _int(draw: st.DrawFn, low: int, high: int) -> int:
    return draw(st.integers(low, high))


def _pick(draw: st.DrawFn, items: Sequence[T]) -> T:
    return items[_int(draw, 0, len(items) - 1)]


def _rarely(draw: st.DrawFn) -> bool:
    """True about one time in six; False is where hypothesis shrinks to."""
    return _int(draw, 0, 5) == 5


def _maybe(draw: st.DrawFn) -> bool:
    return _int(draw, 0, 1) == 1


def _subset(draw: st.DrawFn, items: Sequence[T], max_size: int = 2) -> list[T]:
    """Up to ``max_size`` of ``items``, in their order (a bit mask shrinks to none)."""
    if not items:
        return []
    mask = _int(draw, 0, 2 ** len(items) - 1)
    return [item for i, item in enumerate(items) if mask >> i & 1][:max_size]


def _expiry(draw: st.DrawFn) -> date:
    """A date from three days before to ten days after the round starts."""
    return DAY + timedelta(days=_int(draw, -3, 10))


def _location(draw: st.DrawFn) -> Location:
    """A point on a coarse grid in a 10 km box, so that some coincide (zero travel)."""
    return Location(lat=31.20 + 0.02 * _int(draw, 0, 4), lon=121.40 + 0.02 * _int(draw, 0, 4))


def _shifts(draw: st.DrawFn) -> tuple[Shift, ...]:
    """One to four non-overlapping shifts over two days (split shifts included)."""
    chosen: list[Shift] = []
    days = [_int(draw, 0, 1)] if _rarely(draw) else [0, 1]
    for day in days:
        start = _int(draw, 7 * 4, 10 * 4) * 15
        if _maybe(draw):  # a split shift: morning and afternoon
            chosen.append(Shift(start=_moment(day, start), end=_moment(day, start + 180)))
            chosen.append(Shift(start=_moment(day, start + 300), end=_moment(day, start + 540)))
        else:
            length = _int(draw, 6, 11) * 60
            chosen.append(Shift(start=_moment(day, start), end=_moment(day, start + length)))
    return tuple(chosen)


def _worker(draw: st.DrawFn, worker_id: str) -> Worker:
    status = (
        _pick(draw, list(BackgroundCheckStatus)) if _rarely(draw) else BackgroundCheckStatus.PASSED
    )
    rating = None if _rarely(draw) else _int(draw, 0, 50) / 10
    skills = ["cleaning", *_subset(draw, SKILLS[1:])]
    return Worker(
        worker_id=worker_id,
        name=f"Worker {worker_id}",
        gender=_pick(draw, list(Gender)),
        languages=frozenset(_subset(draw, LANGUAGES, max_size=3)),
        skills={name: _int(draw, 1, 5) for name in skills},
        experience_years=_int(draw, 0, 20) / 2,
        certificates=tuple(
            Certificate(name=name, expires=_expiry(draw)) for name in _subset(draw, CERTIFICATES)
        ),
        background_check=BackgroundCheck(
            status=status, expires=_expiry(draw) if _rarely(draw) else None
        ),
        rating=rating,
        rating_count=0 if rating is None else _int(draw, 0, 80),
        home=_location(draw),
        shifts=_shifts(draw),
        max_jobs=_int(draw, 1, 4) if _maybe(draw) else None,
        max_work_minutes=30 * _int(draw, 2, 16) if _maybe(draw) else None,
        travel_mode=_pick(draw, list(TravelMode)),
        status=_pick(draw, [WorkerStatus.SUSPENDED, WorkerStatus.ON_LEAVE])
        if _rarely(draw)
        else WorkerStatus.ACTIVE,
        max_week_minutes=60 * _int(draw, 1, 6) if _rarely(draw) else None,
        min_rest_minutes=60 * _int(draw, 8, 16) if _rarely(draw) else None,
        max_consecutive_days=_int(draw, 1, 2) if _rarely(draw) else None,
    )


def _customer(draw: st.DrawFn, customer_id: str, worker_ids: list[str]) -> Customer:
    return Customer(
        customer_id=customer_id,
        name=f"Customer {customer_id}",
        location=_location(draw),
        preferred_gender=_pick(draw, list(Gender)) if _maybe(draw) else None,
        preferred_languages=tuple(_subset(draw, LANGUAGES)),
        preferred_workers=tuple(_subset(draw, worker_ids)),
        blocked_workers=frozenset(_subset(draw, worker_ids, max_size=1) if _rarely(draw) else ()),
        previous_workers=tuple(_subset(draw, worker_ids, max_size=3)),
        max_distinct_workers=_int(draw, 1, 2) if _rarely(draw) else None,
    )


def _job(draw: st.DrawFn, job_id: str, customer: Customer, worker_ids: list[str]) -> Job:
    day = _int(draw, 0, 1)
    earliest = _int(draw, 8 * 4, 14 * 4) * 15
    width = _pick(draw, [0, 0, 30, 60, 120, 240])
    needs = [_pick(draw, ["cleaning", "cleaning", *SKILLS[1:]])] if _maybe(draw) else []
    if _rarely(draw):
        needs = _subset(draw, SKILLS)
    location = customer.location if _int(draw, 0, 2) else _location(draw)
    assert location is not None
    return Job(
        job_id=job_id,
        order_id=f"O{job_id}",
        customer_id=customer.customer_id,
        service_type=_pick(draw, ["cleaning", "elderly_care", "nanny"]),
        location=location,
        window=TimeWindow(start=_moment(day, earliest), end=_moment(day, earliest + width)),
        duration_minutes=_int(draw, 2, 8) * 15,
        required_skills=tuple(SkillRequirement(name=n, level=_int(draw, 1, 3)) for n in needs),
        min_experience_years=_pick(draw, [1.0, 3.0]) if _rarely(draw) else 0.0,
        required_certificates=tuple(_subset(draw, CERTIFICATES, max_size=1))
        if _rarely(draw)
        else (),
        workers_needed=2 if _rarely(draw) else 1,
        gender_required=_pick(draw, list(Gender)) if _rarely(draw) else None,
        language_required=tuple(_subset(draw, LANGUAGES, max_size=1)) if _rarely(draw) else (),
        priority=_int(draw, 1, 5),
        excluded_workers=frozenset(_subset(draw, worker_ids, max_size=1) if _rarely(draw) else ()),
    )


def _pins_plan(dataset: Dataset, starts: dict[str, datetime]) -> Plan:
    """The plan made of the pins of ``dataset`` alone, at ``starts``; other jobs unassigned."""
    assignments = [
        Assignment(
            job_id=job.job_id,
            worker_id=worker_id,
            start=starts[job.job_id],
            end=starts[job.job_id] + timedelta(minutes=job.duration_minutes),
            travel_minutes=0,
            sequence=1,
            match_score=0.0,
        )
        for job in dataset.jobs
        if job.is_pinned
        for worker_id in job.pinned_worker_ids
    ]
    unassigned = tuple(
        UnassignedJob(job_id=job.job_id, reason_code=ReasonCode.CAPACITY, reason="")
        for job in dataset.jobs
        if not job.is_pinned
    )
    return Plan(assignments=tuple(assignments), unassigned=unassigned, kpis={})


def _pinned(
    dataset: Dataset, job_id: str, team: tuple[str, ...], start: datetime | None
) -> Dataset:
    jobs = tuple(
        replace(j, pinned_worker_ids=team, pinned_start=start) if j.job_id == job_id else j
        for j in dataset.jobs
    )
    return replace(dataset, jobs=jobs)


def _with_pins(draw: st.DrawFn, dataset: Dataset, tries: int) -> Dataset:
    """``dataset`` with up to ``tries`` pins, each kept only if all pins together are valid."""
    starts: dict[str, datetime] = {}  # the start each pin was checked at
    pinned_workers: set[str] = set()
    untimed_workers: set[str] = set()  # an untimed pin is its worker's only pin
    for _ in range(tries):
        job = _pick(draw, dataset.jobs)
        candidates = [
            w.worker_id
            for w in dataset.workers
            if w.worker_id not in untimed_workers
            and not check_pair(dataset, job.job_id, w.worker_id, job.earliest_start)
        ]
        if job.is_pinned or len(candidates) < job.workers_needed:
            continue
        first = _int(draw, 0, len(candidates) - 1)
        team = tuple((candidates[first:] + candidates[:first])[: job.workers_needed])
        span = int((job.latest_start - job.earliest_start).total_seconds() // 60)
        start = job.earliest_start + timedelta(minutes=15 * _int(draw, 0, span // 15))
        trial = _pinned(dataset, job.job_id, team, start)
        if verify(trial, _pins_plan(trial, {**starts, job.job_id: start})):
            continue
        untimed = len(team) == 1 and team[0] not in pinned_workers and _maybe(draw)
        starts[job.job_id] = start
        dataset = _pinned(dataset, job.job_id, team, None if untimed else start)
        pinned_workers |= set(team)
        if untimed:
            untimed_workers |= set(team)
    return dataset


def _with_rules(draw: st.DrawFn, dataset: Dataset) -> Dataset:
    """``dataset`` with some home-care rules: due starts inside windows, linked visits to
    an earlier one-worker job (gaps and worker rule drawn), and a policy that may count the
    way home and price lateness and the largest lateness."""
    jobs: list[Job] = []
    for position, job in enumerate(dataset.jobs):
        changes: dict[str, object] = {}
        if _maybe(draw):
            span = int((job.latest_start - job.earliest_start).total_seconds() // 60)
            changes["due_start"] = job.earliest_start + timedelta(minutes=_int(draw, 0, span))
        earlier = [j for j in jobs[:position] if j.workers_needed == 1]
        if earlier and _maybe(draw):
            low = _pick(draw, [0, 0, 60, 120, 480])
            high = _pick(draw, [None, low, low + 60, low + 600])
            kind = _pick(draw, list(LinkWorker)) if job.workers_needed == 1 else LinkWorker.ANY
            changes.update(
                depends_on=_pick(draw, earlier).job_id,
                min_gap=low if low or _maybe(draw) else None,
                max_gap=high,
                link_worker=kind,
            )
        jobs.append(replace(job, **changes) if changes else job)  # type: ignore[arg-type]
    policy = Policy(
        travel_home=_maybe(draw),
        lateness_cost_per_minute=_pick(draw, [0, 1, 5]),
        max_lateness_cost_per_minute=_pick(draw, [0, 0, 3]),
    )
    settings = dataset.settings.model_copy(update={"policy": policy})
    ruled = replace(dataset, jobs=tuple(jobs), settings=settings)
    if not any(j.is_pinned for j in jobs) and _maybe(draw):
        ruled = _with_breaks(draw, ruled)
    return ruled


def _with_breaks(draw: st.DrawFn, dataset: Dataset) -> Dataset:
    """``dataset`` with a lunch break rule (rarely a tea break too), for every worker or
    some; none when a job is pinned (a pin may leave no room for a break, which loading
    refuses)."""
    if any(j.is_pinned for j in dataset.jobs):
        return dataset
    breaks = (_break_rule(draw, "lunch", 11, 13),)
    if _rarely(draw):
        breaks += (_break_rule(draw, "tea", 15, 16),)
    names = [rule.name for rule in breaks]
    workers = tuple(
        replace(w, breaks=_pick(draw, [None, None, (), (names[-1],)])) for w in dataset.workers
    )
    settings = dataset.settings.model_copy(update={"breaks": breaks})
    return replace(dataset, workers=workers, settings=settings)


def _break_rule(draw: st.DrawFn, name: str, first_hour: int, last_hour: int) -> BreakRule:
    """A break of 15 to 60 minutes starting in a window between the two hours, for shifts
    over 0, 4 or 6 hours."""
    shortest = _pick(draw, [15, 30, 45])
    opens = _int(draw, first_hour * 4, last_hour * 4) * 15
    closes = opens + _pick(draw, [0, 30, 90, 150])
    return BreakRule(
        name=name,
        min_minutes=shortest,
        max_minutes=_pick(draw, [None, shortest + 30]),
        earliest_start=time(opens // 60, opens % 60),
        latest_start=time(min(closes // 60, 23), closes % 60),
        min_shift_minutes=_pick(draw, [0, 240, 360]),
    )


@st.composite
def datasets(
    draw: st.DrawFn,
    *,
    max_workers: int = 5,
    max_jobs: int = 7,
    pins: bool = True,
    rules: bool = False,
    breaks: bool = False,
) -> Dataset:
    """A random small dataset covering every column (see the module docstring); with
    ``rules``, the home-care columns too (:func:`_with_rules`); with ``breaks``, break
    rules only (:func:`_with_breaks`, always when no job is pinned)."""
    n_workers = _int(draw, 2, max_workers) if _int(draw, 0, 4) else 1
    worker_ids = [f"W{i}" for i in range(1, n_workers + 1)]
    drawn_workers = [_worker(draw, worker_id) for worker_id in worker_ids]
    drawn_customers = [_customer(draw, f"C{i}", worker_ids) for i in range(1, _int(draw, 1, 3) + 1)]
    drawn_jobs = [
        _job(draw, f"J{i}", _pick(draw, drawn_customers), worker_ids)
        for i in range(1, _int(draw, 1, max_jobs) + 1)
    ]
    limits = (
        LimitSettings(max_week_minutes=60 * _int(draw, 1, 4), max_distinct_workers=1)
        if _rarely(draw)
        else LimitSettings()
    )
    settings = DatasetSettings(timezone="Asia/Shanghai" if _maybe(draw) else None, limits=limits)
    dataset = Dataset(
        workers=tuple(drawn_workers),
        jobs=tuple(drawn_jobs),
        customers=tuple(drawn_customers),
        settings=settings,
    )
    if pins:
        dataset = _with_pins(draw, dataset, tries=_int(draw, 0, 5))
    if rules:
        dataset = _with_rules(draw, dataset)
        dataset = _release_refused_pins(dataset)
    if breaks:
        dataset = _with_breaks(draw, dataset)
    return dataset


def _release_refused_pins(dataset: Dataset) -> Dataset:
    """``dataset`` without the pins the loader refuses once links are drawn (a pinned visit
    whose partner no worker can serve), so that the data stays valid input; repeated until
    none is refused, as ``ops jobs`` does: releasing a pin the way home breaks can leave a
    pinned visit that depends on it without a partner."""
    position = {job.job_id: i for i, job in enumerate(dataset.jobs)}
    while issues := check_pins(dataset, "jobs", position):
        refused = {dataset.jobs[issue.row].job_id for issue in issues if issue.row is not None}
        if not refused:
            break
        jobs = tuple(
            replace(j, pinned_worker_ids=(), pinned_start=None) if j.job_id in refused else j
            for j in dataset.jobs
        )
        dataset = replace(dataset, jobs=jobs)
    return dataset
