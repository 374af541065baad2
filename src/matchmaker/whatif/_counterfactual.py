"""The smallest change that would serve an unserved job, proven by re-checking.

For every unassigned job of a plan, :func:`smallest_changes` tries candidate changes from
the cheapest up (:data:`CHANGE_COSTS`) and keeps the first that is *proven*: eligibility is
re-run for the changed job, the job is inserted into the plan (nothing else moves, except
the one planned job a ``move_planned_job`` change moves), and the changed plan passes
:func:`~matchmaker.plan.verify` over the workers it touches (:mod:`._probe`). Candidates:

* ``widen_window``: the latest start later, or the earliest start earlier, by 15, 30, 60 or
  120 minutes (cost: a third of the minutes);
* ``move_planned_job``: one single-worker planned job of an eligible but busy worker moves
  to another free worker or time (inside its own window), and the worker serves this job
  (cost 10);
* ``relax_preference``: the customer's required gender or languages dropped (cost 30);
* ``relax_requirement``: two years less experience (35), or every required skill one level
  lower (40);
* ``another_day``: the same local time on another day of the round that has shifts
  (50, plus 10 per day away);
* ``hire``: new workers with exactly what the job requires, living in the job's district,
  free in whole hours around the window: the hiring signal (100 per worker).

Each result names the change, who would serve the job and when, and its cost; the job's
weighted value (``priority_weights[priority] * workers_needed``) lets
:func:`matchmaker.whatif.what_would_serve_most` add them up.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from matchmaker.compile import Problem, compile_problem, coordinates
from matchmaker.model import (
    BackgroundCheck,
    BackgroundCheckStatus,
    Certificate,
    Dataset,
    Gender,
    Job,
    MatchmakerError,
    Policy,
    Shift,
    SkillRequirement,
    TravelMode,
    Worker,
    add_minutes,
    minutes_from,
)
from matchmaker.plan import Plan, eligible_by_worker, schedule_of_plan, standing_of
from matchmaker.whatif._districts import Districts
from matchmaker.whatif._probe import (
    Schedule,
    assignments_for,
    patched,
    place,
    prove,
    variant_eligibility,
    with_job,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "CHANGE_COSTS",
    "HireSignal",
    "SmallestChange",
    "changes_frame",
    "hire_worker",
    "smallest_changes",
    "with_smallest_changes",
]

CHANGE_COSTS: dict[str, int] = {
    "move_planned_job": 10,
    "relax_gender": 30,
    "relax_language": 30,
    "relax_experience": 35,
    "relax_skill_level": 40,
    "another_day": 50,
    "another_day_per_day": 10,
    "hire_per_worker": 100,
}
"""The price of each kind of change; a window widened by N minutes costs N // 3."""
WIDEN_MINUTES = (15, 30, 60, 120)
CHANGE_COLUMNS = (
    "job_id",
    "kind",
    "cost",
    "change",
    "workers",
    "start",
    "value",
    "district",
    "hire_skills",
    "hire_shift",
)


@dataclass(frozen=True, kw_only=True)
class HireSignal:
    """Who to hire: the skills, documents and person a job needs, where and when."""

    skills: tuple[SkillRequirement, ...]
    certificates: tuple[str, ...]
    min_experience_years: float
    gender: Gender | None
    languages: tuple[str, ...]
    needs_car: bool
    district: str
    shift_start: datetime
    shift_end: datetime
    count: int

    @property
    def skill_text(self) -> str:
        return ", ".join(str(s) for s in self.skills) or "no particular skill"

    @property
    def shift_text(self) -> str:
        return f"{self.shift_start:%H:%M}-{self.shift_end:%H:%M}"

    def describe(self) -> str:
        extras = [f"{c} certificate" for c in self.certificates]
        if self.min_experience_years:
            extras.append(f"{self.min_experience_years:g}+ years")
        if self.gender is not None:
            extras.append("female" if self.gender is Gender.FEMALE else "male")
        extras += [f"speaks {lang}" for lang in self.languages]
        if self.needs_car:
            extras.append("with a car")
        more = f" ({', '.join(extras)})" if extras else ""
        who = "a worker" if self.count == 1 else f"{self.count} workers"
        return (
            f"hire {who} with {self.skill_text}{more} in {self.district}, free "
            f"{self.shift_start:%Y-%m-%d} {self.shift_text}"
        )


@dataclass(frozen=True, kw_only=True)
class SmallestChange:
    """The cheapest proven change that serves ``job_id`` (``kind == "none"``: none of the
    candidates did)."""

    job_id: str
    kind: str
    cost: int | None
    change: str
    workers: tuple[str, ...] = ()
    start: datetime | None = None
    value: int = 0
    district: str = ""
    hire: HireSignal | None = None

    def sentence(self) -> str:
        """The text of ``unassigned.csv``'s ``smallest_change`` column."""
        if self.kind == "none":
            return self.change
        who = ""
        if self.workers and self.start is not None:
            names = ", ".join(self.workers)
            if self.kind == "hire":
                names = "the new worker" if len(self.workers) == 1 else "the new workers"
            who = f"; then {names} can serve it at {self.start:%Y-%m-%d %H:%M}"
        return f"{self.kind} (cost {self.cost}): {self.change}{who}"


@dataclass(frozen=True, kw_only=True)
class _Candidate:
    kind: str
    cost: int
    change: str
    job: Job


def _clock(moment: datetime, zone: Any) -> str:
    return moment.astimezone(zone).strftime("%H:%M")


def _candidates(dataset: Dataset, job: Job, days: Sequence[Any], zone: Any) -> list[_Candidate]:
    found: list[_Candidate] = []
    window = job.window
    for minutes in WIDEN_MINUTES:
        later = add_minutes(window.end, minutes, zone)
        found.append(
            _Candidate(
                kind="widen_window",
                cost=minutes // 3,
                change=f"start up to {minutes} min later (latest start {_clock(later, zone)})",
                job=replace(job, window=replace(window, end=later)),
            )
        )
        earlier = add_minutes(window.start, -minutes, zone)
        found.append(
            _Candidate(
                kind="widen_window",
                cost=minutes // 3,
                change=f"start from {minutes} min earlier (earliest {_clock(earlier, zone)})",
                job=replace(job, window=replace(window, start=earlier)),
            )
        )
    if job.gender_required is not None:
        found.append(
            _Candidate(
                kind="relax_preference",
                cost=CHANGE_COSTS["relax_gender"],
                change=f"the customer accepts any gender (asked {job.gender_required.value})",
                job=replace(job, gender_required=None),
            )
        )
    if job.language_required:
        found.append(
            _Candidate(
                kind="relax_preference",
                cost=CHANGE_COSTS["relax_language"],
                change=f"no language required (asked {' and '.join(job.language_required)})",
                job=replace(job, language_required=()),
            )
        )
    if job.min_experience_years > 0:
        years = max(0.0, job.min_experience_years - 2)
        found.append(
            _Candidate(
                kind="relax_requirement",
                cost=CHANGE_COSTS["relax_experience"],
                change=f"{years:g} years of experience instead of {job.min_experience_years:g}",
                job=replace(job, min_experience_years=years),
            )
        )
    if any(r.level > 1 for r in job.required_skills):
        lower = tuple(replace(r, level=max(1, r.level - 1)) for r in job.required_skills)
        found.append(
            _Candidate(
                kind="relax_requirement",
                cost=CHANGE_COSTS["relax_skill_level"],
                change="skill one level lower: " + ", ".join(str(r) for r in lower),
                job=replace(job, required_skills=lower),
            )
        )
    own = window.start.astimezone(zone).date()
    for day in sorted(days, key=lambda d: (abs((d - own).days), d)):
        if day == own:
            continue
        away = abs((day - own).days)
        start = _same_clock(window.start, day, zone)
        end = _same_clock(window.end, day + (window.end.astimezone(zone).date() - own), zone)
        found.append(
            _Candidate(
                kind="another_day",
                cost=CHANGE_COSTS["another_day"] + CHANGE_COSTS["another_day_per_day"] * away,
                change=f"move it to {day.isoformat()} at the same time",
                job=replace(job, window=replace(window, start=start, end=end)),
            )
        )
    return sorted(found, key=lambda c: c.cost)


def _same_clock(moment: datetime, day: Any, zone: Any) -> datetime:
    """The same local clock time on ``day`` (built as a wall-clock time of that day, so a
    daylight-saving change between the days keeps the clock, not the elapsed minutes)."""
    local = moment.astimezone(zone)
    return datetime.combine(day, local.time(), tzinfo=zone)


def smallest_changes(
    dataset: Dataset,
    plan: Plan,
    *,
    policy: Policy | None = None,
    districts: Districts | None = None,
    job_ids: Sequence[str] | None = None,
) -> tuple[SmallestChange, ...]:
    """For each unassigned job of ``plan`` (or of ``job_ids``), the cheapest proven change
    that serves it (module docstring). ``plan`` must be a plan of ``dataset``."""
    chosen = dataset.settings.policy if policy is None else policy
    districts = Districts() if districts is None else districts
    problem = compile_problem(dataset, policy=chosen, travel=plan.travel)
    schedule: Schedule = schedule_of_plan(problem, plan)
    wanted = [u.job_id for u in plan.unassigned] if job_ids is None else list(job_ids)
    wanted = [j for j in wanted if dataset.has_job(j)]
    zone = problem.horizon_start.tzinfo
    days = sorted(
        {add_minutes(problem.horizon_start, int(s), zone).date() for s in problem.vehicle_start}
    )
    job_district = districts.of(coordinates(j.location for j in dataset.jobs))
    weights = chosen.priority_weights

    candidates = {j: _candidates(dataset, dataset.job(j), days, zone) for j in wanted}
    flat = [(j, c) for j in wanted for c in candidates[j]]
    eligible = variant_eligibility(
        dataset, problem, [dataset.job_position(j) for j, _ in flat], [c.job for _, c in flat]
    )
    column = {id(c): eligible[:, k] for k, (_, c) in enumerate(flat)}

    results: list[SmallestChange] = []
    for job_id in wanted:
        j = dataset.job_position(job_id)
        job = dataset.jobs[j]
        value = weights[job.priority] * job.workers_needed
        found = _first_proven(
            dataset, plan, problem, schedule, j, candidates[job_id], column, value, job_district[j]
        )
        if found is None:
            found = _hire(dataset, plan, chosen, problem, j, districts, job_district, value)
        if found is None:
            found = SmallestChange(
                job_id=job_id,
                kind="none",
                cost=None,
                change="no single change tried serves it (see the reason)",
                value=value,
                district=job_district[j],
            )
        results.append(found)
    return tuple(results)


def _first_proven(
    dataset: Dataset,
    plan: Plan,
    problem: Problem,
    schedule: Schedule,
    j: int,
    candidates: Sequence[_Candidate],
    column: dict[int, Any],
    value: int,
    district: str,
) -> SmallestChange | None:
    zone = problem.horizon_start.tzinfo
    move_tried = False
    for candidate in candidates:
        if not move_tried and candidate.cost > CHANGE_COSTS["move_planned_job"]:
            move_tried = True
            moved = _move_one(dataset, plan, problem, schedule, j, value, district)
            if moved is not None:
                return moved
        trial = patched(problem, j, candidate.job, column[id(candidate)])
        placement = place(dataset, trial, schedule, j)
        if placement is None:
            continue
        edited = _with_job(dataset, candidate.job)
        rows = assignments_for(edited, trial, placement, candidate.job)
        if prove(edited, plan, rows):
            return SmallestChange(
                job_id=candidate.job.job_id,
                kind=candidate.kind,
                cost=candidate.cost,
                change=candidate.change,
                workers=tuple(a.worker_id for a in rows),
                start=rows[0].start.astimezone(zone),
                value=value,
                district=district,
            )
    if not move_tried:
        return _move_one(dataset, plan, problem, schedule, j, value, district)
    return None


def _with_job(dataset: Dataset, job: Job) -> Dataset:
    position = dataset.job_position(job.job_id)
    jobs = (*dataset.jobs[:position], job, *dataset.jobs[position + 1 :])
    return replace(dataset, jobs=jobs)


_MOVE_WORKERS = 5
"""Busy eligible workers tried for a ``move_planned_job`` change, best score first."""


def _move_one(
    dataset: Dataset,
    plan: Plan,
    problem: Problem,
    schedule: Schedule,
    j: int,
    value: int,
    district: str,
) -> SmallestChange | None:
    """Free an eligible worker by moving one of their planned single-worker jobs."""
    if int(problem.job_team[j]) != 1:
        return None
    zone = problem.horizon_start.tzinfo
    job = dataset.jobs[j]
    tried = 0
    for w, vehicles in eligible_by_worker(problem, j).items():
        if tried >= _MOVE_WORKERS:
            break
        standing = standing_of(dataset, problem, schedule, j, w, vehicles)
        if standing.status not in ("busy", "full"):
            continue
        tried += 1
        for v in vehicles:
            for k, _ in schedule.get(v, ()):
                other = dataset.jobs[k]
                if other.workers_needed != 1 or other.is_pinned:
                    continue
                without = dict(schedule)  # only this day changes
                without[v] = [(kk, s) for kk, s in schedule[v] if kk != k]
                here = place(dataset, problem, without, j, skip_workers=_others(problem, w))
                if here is None:
                    continue
                after = with_job(without, here, j)
                there = place(dataset, problem, after, k)
                if there is None:
                    continue
                rows = assignments_for(dataset, problem, here, job)
                moved = assignments_for(dataset, problem, there, other)
                if not prove(dataset, plan, rows + moved, removed_jobs=(other.job_id,)):
                    continue
                target = ", ".join(a.worker_id for a in moved)
                when = f"{moved[0].start.astimezone(zone):%H:%M}"
                owner = problem.worker_ids[w]
                text = (
                    f"move {other.job_id} to {when} (same worker, {owner})"
                    if target == owner
                    else f"move {other.job_id} from {owner} to {target} at {when}"
                )
                return SmallestChange(
                    job_id=job.job_id,
                    kind="move_planned_job",
                    cost=CHANGE_COSTS["move_planned_job"],
                    change=text,
                    workers=tuple(a.worker_id for a in rows),
                    start=rows[0].start.astimezone(zone),
                    value=value,
                    district=district,
                )
    return None


def _others(problem: Problem, w: int) -> list[int]:
    return [x for x in range(problem.n_workers) if x != w]


def hire_worker(
    dataset: Dataset, job: Job, *, worker_id: str, home: Any, shifts: Sequence[Shift]
) -> Worker:
    """A new worker who meets every requirement of ``job``: skills at the required level,
    its certificates (valid a year after the shift), a passed background check, the
    required (else the customer's preferred) gender, the required languages, a car when
    the job needs one."""
    customer = dataset.customer(job.customer_id)
    gender = job.gender_required
    if gender is None and customer is not None:
        gender = customer.preferred_gender
    expiry = (max(s.end for s in shifts) + timedelta(days=366)).date()
    return Worker(
        worker_id=worker_id,
        name="",
        gender=gender or Gender.FEMALE,
        languages=frozenset(job.language_required) | frozenset({"mandarin"}),
        skills={r.name: r.level for r in job.required_skills},
        experience_years=job.min_experience_years,
        certificates=tuple(Certificate(name=c, expires=expiry) for c in job.required_certificates),
        background_check=BackgroundCheck(status=BackgroundCheckStatus.PASSED),
        home=home,
        shifts=tuple(shifts),
        travel_mode=TravelMode.CAR if job.needs_car else TravelMode.TRANSIT,
    )


def hire_shift(dataset: Dataset, problem: Problem, job: Job) -> Shift:
    """Whole hours around the job: from the hour before its earliest start to the hour
    after its latest end, counted in real minutes from the round's local midnight."""
    origin = problem.horizon_start
    zone = origin.tzinfo
    first = minutes_from(origin, job.earliest_start, round_up=False) - 60
    last = minutes_from(origin, job.latest_start, round_up=True) + job.duration_minutes
    start = max(0, (first // 60) * 60)
    end = -(-last // 60) * 60
    return Shift(start=add_minutes(origin, start, zone), end=add_minutes(origin, end, zone))


def _hire(
    dataset: Dataset,
    plan: Plan,
    policy: Policy,
    problem: Problem,
    j: int,
    districts: Districts,
    job_district: list[str],
    value: int,
) -> SmallestChange | None:
    """New workers for the job alone (a team job gets its whole team), proven on a round
    of the new workers and the job."""
    job = replace(
        dataset.jobs[j], pinned_worker_ids=(), pinned_start=None, excluded_workers=frozenset()
    )
    district = job_district[j]
    same = [k for k, d in enumerate(job_district) if d == district]
    home = districts.centre(district, coordinates(dataset.jobs[k].location for k in same))
    shift = hire_shift(dataset, problem, job)
    count = job.workers_needed
    hires = tuple(
        hire_worker(dataset, job, worker_id=f"hire-{n}", home=home, shifts=(shift,))
        for n in range(1, count + 1)
    )
    result = _serve_with(dataset, plan, policy, hires, (job,), problem.horizon_start.tzinfo)
    if result is None or job.job_id not in result:
        return None
    signal = HireSignal(
        skills=job.required_skills,
        certificates=job.required_certificates,
        min_experience_years=job.min_experience_years,
        gender=hires[0].gender,
        languages=job.language_required,
        needs_car=job.needs_car,
        district=district,
        shift_start=shift.start,
        shift_end=shift.end,
        count=count,
    )
    start = result[job.job_id]
    return SmallestChange(
        job_id=job.job_id,
        kind="hire",
        cost=CHANGE_COSTS["hire_per_worker"] * count,
        change=signal.describe(),
        workers=tuple(h.worker_id for h in hires),
        start=start,
        value=value,
        district=district,
        hire=signal,
    )


def _serve_with(
    dataset: Dataset,
    plan: Plan,
    policy: Policy,
    workers: tuple[Worker, ...],
    jobs: tuple[Job, ...],
    zone: Any,
) -> dict[str, datetime] | None:
    """Plan ``jobs`` on ``workers`` alone (greedy, deterministic) and verify it: the start
    of each job served, or ``None`` when the travel model cannot place the new homes."""
    from matchmaker.plan import dispatch

    round_ = replace(dataset, workers=workers, jobs=jobs)
    try:
        result = dispatch(
            round_,
            solver="greedy",
            policy=policy,
            time_limit=30.0,
            seed=0,
            deterministic=True,
            travel=plan.travel,
        )
    except MatchmakerError:
        return None
    if not result.ok:
        return None
    return {a.job_id: a.start.astimezone(zone) for a in result.plan.assignments}


def changes_frame(changes: Sequence[SmallestChange]) -> pd.DataFrame:
    """The results as a DataFrame, cheapest first."""
    import pandas as pd

    rows = [
        {
            "job_id": c.job_id,
            "kind": c.kind,
            "cost": c.cost,
            "change": c.change,
            "workers": ";".join(c.workers),
            "start": None if c.start is None else c.start.isoformat(),
            "value": c.value,
            "district": c.district,
            "hire_skills": "" if c.hire is None else c.hire.skill_text,
            "hire_shift": "" if c.hire is None else c.hire.shift_text,
        }
        for c in changes
    ]
    frame = pd.DataFrame(rows, columns=list(CHANGE_COLUMNS))
    frame["cost"] = frame["cost"].astype("Int64")
    return frame


def with_smallest_changes(plan: Plan, changes: Sequence[SmallestChange]) -> Plan:
    """``plan`` whose unassigned jobs carry their smallest change (``unassigned.csv``'s
    ``smallest_change`` column)."""
    text = {c.job_id: c.sentence() for c in changes}
    return replace(
        plan,
        unassigned=tuple(
            replace(u, smallest_change=text.get(u.job_id, u.smallest_change))
            for u in plan.unassigned
        ),
    )
