"""From a solver's answer to a plan a dispatcher reads, and why each job went where it went.

:func:`build_plan` turns a :class:`~matchmaker.solve.Solution` (job indices and start
minutes) into a :class:`~matchmaker.plan.Plan` in human units: assignments with datetimes,
travel, sequence and match score; every unserved job with a reason code and a sentence; KPIs.

:func:`explain_job` answers "why this worker?" for an assigned job (the best alternatives and
why each lost) and "why not served?" for an unassigned one (the eligible workers and what
they were doing).

**Reason codes of unserved jobs.** When fewer workers are eligible than the job needs, the
code and sentence come from :func:`matchmaker.plan.ineligibility_summary` (``GENDER``,
``SKILL_LEVEL``, ..., ``TEAM_SIZE``). Otherwise enough workers may serve it and the plan is
read to find what kept them away, trying to insert the job into each eligible worker's
planned day without moving anything:

* ``TRAVEL`` when enough of them have time for the job in its window but cannot get there
  from their previous job (or on to the next one) in time;
* ``NO_AVAILABILITY`` for a team job whose eligible workers are free at some time in the
  window, but never enough of them at the same time;
* ``CAPACITY`` otherwise: the eligible workers are busy with other jobs at that time or have
  reached their most jobs or work minutes in the shift (up to three are named, with what they
  do). A job that could still be inserted without moving anything (the solver stopped before
  it got there) is also ``CAPACITY``, and its sentence says so and names who could take it.

Times in the plan are shown in the dataset's timezone when it has one, else in the offset of
the job's own window.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from typing import Any, Literal

import numpy as np

from matchmaker.compile import Problem, ReasonBit, compile_problem, minutes_from, pair_components
from matchmaker.model import Dataset, Job, Policy, UnknownJobError, add_minutes, elapsed_minutes
from matchmaker.plan import _reasons as reasons
from matchmaker.plan._plan import Assignment, Plan, ReasonCode, UnassignedJob
from matchmaker.plan._verify import check_pair, job_day
from matchmaker.solve import Route, Solution, objective_terms

__all__ = [
    "RULE_OF_REASON_BIT",
    "JobExplanation",
    "WorkerNote",
    "build_plan",
    "explain_job",
    "optimality_gap",
    "plan_kpis",
]

RULE_OF_REASON_BIT: Mapping[ReasonBit, str] = {
    ReasonBit.NO_SKILL: "skill_level",
    ReasonBit.SKILL_LEVEL: "skill_level",
    ReasonBit.EXPERIENCE: "experience",
    ReasonBit.CERTIFICATE: "certificate_valid",
    ReasonBit.BACKGROUND_CHECK: "background_check",
    ReasonBit.INACTIVE: "worker_active",
    ReasonBit.GENDER: "gender_required",
    ReasonBit.LANGUAGE: "language_required",
    ReasonBit.BLOCKED: "not_blocked",
    ReasonBit.EXCLUDED: "not_excluded",
    ReasonBit.NO_AVAILABILITY: "inside_shift",
    ReasonBit.TRAVEL: "travel_fits",
}
"""The :mod:`matchmaker.plan._verify` rule behind each eligibility reason bit."""

_NAMED_WORKERS = 3

# A vehicle's planned day: (job index, start minute) in start order.
_Schedule = Mapping[int, Sequence[tuple[int, int]]]


# --- display helpers ------------------------------------------------------------------


def _display_zone(dataset: Dataset, job: Job) -> tzinfo | None:
    zone = dataset.settings.zone
    return zone if zone is not None else job.window.start.tzinfo


def _at(problem: Problem, minute: int, zone: tzinfo | None) -> datetime:
    """The instant of solver ``minute``, counted in real time (UTC), shown in ``zone``."""
    return add_minutes(problem.horizon_start, int(minute), zone)


def _clock(moment: datetime, day_of: datetime) -> str:
    """``HH:MM``, with the date when it is not the day of ``day_of``."""
    if moment.date() == day_of.date():
        return moment.strftime("%H:%M")
    return moment.strftime("%Y-%m-%d %H:%M")


def _name(dataset: Dataset, worker_id: str) -> str:
    worker = dataset.worker(worker_id)
    return f"{worker_id} ({worker.name})" if worker.name else worker_id


# --- the planned days, from a solution or from a plan ---------------------------------


def _schedule_of_routes(routes: Sequence[Route]) -> dict[int, list[tuple[int, int]]]:
    schedule: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for route in routes:
        schedule[route.vehicle].extend(zip(route.jobs, route.starts, strict=True))
    for visits in schedule.values():
        visits.sort(key=lambda visit: visit[1])
    return dict(schedule)


def _schedule_of_plan(problem: Problem, plan: Plan) -> dict[int, list[tuple[int, int]]]:
    """Each plan assignment on the vehicle (worker shift) it starts in."""
    worker_index = {w: i for i, w in enumerate(problem.worker_ids)}
    job_index = {j: i for i, j in enumerate(problem.job_ids)}
    schedule: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for a in plan.assignments:
        w = worker_index.get(a.worker_id)
        j = job_index.get(a.job_id)
        if w is None or j is None:
            continue
        minute = minutes_from(problem.horizon_start, a.start, round_up=False)
        vehicles = np.flatnonzero(
            (problem.vehicle_worker == w)
            & (problem.vehicle_start <= minute)
            & (minute < problem.vehicle_end)
        )
        if vehicles.size:
            schedule[int(vehicles[0])].append((j, minute))
    for visits in schedule.values():
        visits.sort(key=lambda visit: visit[1])
    return dict(schedule)


# --- where an eligible worker stands for a job, given everyone's planned day -----------


Status = Literal["free", "travel", "busy", "full"]


@dataclass(frozen=True, kw_only=True)
class _Standing:
    """Whether worker ``w`` could take job ``j`` without moving anything planned."""

    worker: int
    status: Status
    free: tuple[tuple[int, int], ...] = ()
    """Closed intervals of feasible start minutes."""
    insertion_travel: int | None = None
    """Least travel minutes the job would add to the worker's day, when free."""
    detail: str = ""


@dataclass(frozen=True, kw_only=True, slots=True)
class _Gap:
    """Room between two planned visits of a vehicle (or its shift start and end)."""

    before: int | None
    """The job before the gap, ``None`` for home at the shift start."""
    ready: int
    """When the worker is free: the shift start or the end of ``before``."""
    travel_in: int
    after: int | None
    """The job after the gap, ``None`` for the shift end."""
    deadline: int
    """When the worker must be done: the start of ``after`` or the shift end."""
    travel_out: int
    direct: int
    """Travel from ``before`` straight to ``after`` (what inserting saves nothing of)."""


def _gaps(problem: Problem, v: int, visits: Sequence[tuple[int, int]], j: int) -> Iterator[_Gap]:
    """Every place job ``j`` could go in vehicle ``v``'s planned ``visits``."""
    for gap in range(len(visits) + 1):
        before: int | None = None
        ready = int(problem.vehicle_start[v])
        if gap > 0:
            before, before_start = visits[gap - 1]
            ready = before_start + int(problem.job_duration[before])
        after: int | None = None
        deadline, travel_out, direct = int(problem.vehicle_end[v]), 0, 0
        if gap < len(visits):
            after, deadline = visits[gap]
            travel_out = problem.travel(v, j, after)
            direct = problem.travel(v, before, after)
        yield _Gap(
            before=before,
            ready=ready,
            travel_in=problem.travel(v, before, j),
            after=after,
            deadline=deadline,
            travel_out=travel_out,
            direct=direct,
        )


def _standing(
    dataset: Dataset,
    problem: Problem,
    schedule: _Schedule,
    j: int,
    w: int,
    vehicles: Sequence[int],
) -> _Standing:
    """Try every gap of every eligible shift (``vehicles``) of worker ``w`` for job ``j``."""
    zone = _display_zone(dataset, dataset.jobs[j])
    day = _at(problem, int(problem.job_earliest[j]), zone)

    def clock(minute: int) -> str:
        return _clock(_at(problem, minute, zone), day)

    duration = int(problem.job_duration[j])
    earliest, latest = int(problem.job_earliest[j]), int(problem.job_latest[j])
    if problem.job_pinned_start[j] >= 0:
        earliest = latest = int(problem.job_pinned_start[j])
    free: list[tuple[int, int]] = []
    added: list[int] = []
    travel_notes: list[str] = []
    conflicts: list[str] = []
    full_notes: list[str] = []
    for v in vehicles:
        visits = [(k, start) for k, start in schedule.get(v, ()) if k != j]
        work = sum(int(problem.job_duration[k]) for k, _ in visits)
        if len(visits) + 1 > problem.vehicle_max_jobs[v]:
            jobs = f"{len(visits)} job{'s' if len(visits) != 1 else ''}"
            full_notes.append(f"already has {jobs}, the most allowed in the shift")
            continue
        if work + duration > problem.vehicle_max_work[v]:
            full_notes.append(
                f"already works {work} of at most {int(problem.vehicle_max_work[v])} minutes "
                f"in the shift, no room for {duration} more"
            )
            continue
        for gap in _gaps(problem, v, visits, j):
            low = max(earliest, gap.ready + gap.travel_in)
            high = min(latest, gap.deadline - gap.travel_out - duration)
            if low <= high:
                free.append((low, high))
                added.append(gap.travel_in + gap.travel_out - gap.direct)
            elif max(earliest, gap.ready) <= min(latest, gap.deadline - duration):
                # The gap is long enough for the job; only the travel into or out of it fails.
                origin = (
                    f"home (shift starts {clock(gap.ready)})"
                    if gap.before is None
                    else f"{problem.job_ids[gap.before]} (ends {clock(gap.ready)})"
                )
                note = f"needs {gap.travel_in} min from {origin}"
                if gap.after is not None:
                    note += (
                        f" and {gap.travel_out} min on to {problem.job_ids[gap.after]} "
                        f"(starts {clock(gap.deadline)})"
                    )
                travel_notes.append(note)
        for k, start in visits:
            end = start + int(problem.job_duration[k])
            if start < latest + duration and end > earliest:
                conflicts.append(f"{problem.job_ids[k]} {clock(start)}-{clock(end)}")
    if free:
        return _Standing(
            worker=w,
            status="free",
            free=tuple(free),
            insertion_travel=min(added),
            detail="free " + ", ".join(f"{clock(lo)}-{clock(hi)}" for lo, hi in free),
        )
    if travel_notes:
        return _Standing(worker=w, status="travel", detail=travel_notes[0])
    if conflicts:
        return _Standing(worker=w, status="busy", detail="serves " + ", ".join(conflicts))
    if full_notes:
        return _Standing(worker=w, status="full", detail=full_notes[0])
    return _Standing(worker=w, status="busy", detail="has no free time in the window")


def _eligible_workers(problem: Problem, j: int) -> dict[int, list[int]]:
    """Workers with at least one eligible shift for job ``j`` (best score first), each with
    those shifts."""
    vehicles = np.flatnonzero(problem.eligible[:, j])
    by_worker: dict[int, list[int]] = defaultdict(list)
    for v, w in zip(vehicles.tolist(), problem.vehicle_worker[vehicles].tolist(), strict=True):
        by_worker[w].append(v)
    workers = np.fromiter(by_worker, dtype=np.intp, count=len(by_worker))
    order = np.argsort(-problem.score[workers, j], kind="stable")
    return {int(w): by_worker[int(w)] for w in workers[order]}


def _most_together(standings: Sequence[_Standing]) -> int:
    """The most workers free at one common start minute."""
    events: list[tuple[int, int]] = []
    for standing in standings:
        for low, high in standing.free:
            events.append((low, 1))
            events.append((high + 1, -1))
    most = current = 0
    for _, step in sorted(events):  # at a tie, -1 sorts first: intervals are closed
        current += step
        most = max(most, current)
    return most


def _unserved_reason(
    dataset: Dataset, problem: Problem, schedule: _Schedule, j: int
) -> tuple[ReasonCode, str]:
    team = int(problem.job_team[j])
    eligible = _eligible_workers(problem, j)
    if len(eligible) < team:
        return reasons.ineligibility_summary(dataset, problem, j)
    standings = [_standing(dataset, problem, schedule, j, w, vs) for w, vs in eligible.items()]
    free = [s for s in standings if s.status == "free"]
    travel = [s for s in standings if s.status == "travel"]
    plural = "worker" if problem.n_workers == 1 else "workers"
    head = f"{len(eligible)} of {problem.n_workers} {plural} eligible"
    if team > 1:
        head += f", {team} needed"

    def listing(items: Sequence[_Standing]) -> str:
        named = [
            f"{_name(dataset, problem.worker_ids[s.worker])} {s.detail}"
            for s in items[:_NAMED_WORKERS]
        ]
        more = len(items) - _NAMED_WORKERS
        return "; ".join(named) + (f"; and {more} more" if more > 0 else "")

    def sentence(code: ReasonCode, text: str) -> tuple[ReasonCode, str]:
        # The same shape as reasons.ineligibility_summary: "CODE: head - what happened".
        return code, f"{code.value}: {head} - {text}"

    if _most_together(free) >= team:
        return sentence(
            ReasonCode.CAPACITY,
            "it still fits without moving anything, but the solver stopped before placing it "
            f"(a longer time limit may serve it): {listing(free)}",
        )
    if team > 1 and len(free) >= team:
        return sentence(
            ReasonCode.NO_AVAILABILITY,
            f"{len(free)} have free time in the window but never {team} at the same time: "
            f"{listing(free)}",
        )
    if travel and len(free) + len(travel) >= team:
        return sentence(
            ReasonCode.TRAVEL,
            f"{len(travel)} {'has' if len(travel) == 1 else 'have'} time in the window but "
            f"cannot get there in time: {listing(travel)}",
        )
    busy = [s for s in standings if s.status in ("busy", "full")]
    return sentence(ReasonCode.CAPACITY, f"all busy at that time: {listing(busy)}")


# --- the plan -------------------------------------------------------------------------


def build_plan(dataset: Dataset, problem: Problem, solution: Solution, policy: Policy) -> Plan:
    """The plan in human units for ``solution`` of ``problem`` (compiled from ``dataset``)."""
    rows: list[dict[str, Any]] = []
    for route in solution.routes:
        worker_id = problem.worker_ids[int(problem.vehicle_worker[route.vehicle])]
        w = int(problem.vehicle_worker[route.vehicle])
        previous: int | None = None
        for j, start in zip(route.jobs, route.starts, strict=True):
            job = dataset.jobs[j]
            zone = _display_zone(dataset, job)
            begin = _at(problem, start, zone)
            rows.append(
                {
                    "job_id": job.job_id,
                    "worker_id": worker_id,
                    "start": begin,
                    "end": _at(problem, start + job.duration_minutes, zone),
                    "travel_minutes": problem.travel(route.vehicle, previous, j),
                    "match_score": round(float(problem.score[w, j]), 2),
                }
            )
            previous = j
    rows.sort(key=lambda r: (r["worker_id"], r["start"], r["job_id"]))
    sequence: dict[tuple[str, date], int] = defaultdict(int)
    assignments: list[Assignment] = []
    for row in rows:
        key = (row["worker_id"], job_day(dataset, row["start"]))
        sequence[key] += 1
        assignments.append(Assignment(sequence=sequence[key], **row))
    assignments.sort(key=lambda a: (a.start, a.worker_id, a.job_id))

    schedule = _schedule_of_routes(solution.routes)
    served = solution.served_jobs()
    unassigned: list[UnassignedJob] = []
    for j in range(problem.n_jobs):
        if j not in served:
            code, reason = _unserved_reason(dataset, problem, schedule, j)
            unassigned.append(
                UnassignedJob(job_id=dataset.jobs[j].job_id, reason_code=code, reason=reason)
            )
    components = {
        (a.job_id, a.worker_id): pair_components(dataset, a.worker_id, a.job_id, policy)
        for a in assignments
    }
    plan = Plan(assignments=tuple(assignments), unassigned=tuple(unassigned), kpis={})
    kpis = plan_kpis(dataset, plan, policy)
    terms = objective_terms(problem, solution.routes, policy)
    kpis.update(
        objective=int(solution.objective),
        objective_terms=terms.as_dict(),
        lower_bound=solution.lower_bound,
        gap=optimality_gap(int(solution.objective), solution.lower_bound),
        backend=solution.backend,
        seed=solution.seed,
        solve_seconds=round(float(solution.solve_seconds), 3),
        status=solution.status,
        solver_stats=dict(solution.stats),
    )
    return Plan(
        assignments=plan.assignments,
        unassigned=plan.unassigned,
        kpis=kpis,
        score_components=components,
        travel=problem.travel_model,
    )


def optimality_gap(objective: int | None, lower_bound: int | None) -> float | None:
    """``(objective - lower_bound) / lower_bound``: how far above the proven bound a plan is.

    ``None`` without a bound (or with a bound of 0 below a positive objective); 0.0 when
    objective and bound are both 0.
    """
    if objective is None or lower_bound is None:
        return None
    if lower_bound <= 0:
        return 0.0 if objective == lower_bound else None
    return round((objective - lower_bound) / lower_bound, 6)


def plan_kpis(dataset: Dataset, plan: Plan, policy: Policy) -> dict[str, Any]:
    """The KPIs a plan's own rows give (everything but the solver's numbers).

    ``fill_rate`` is served jobs over all jobs (1.0 for a round without jobs);
    ``priority_served`` is the same share weighted by ``policy.priority_weights``;
    ``served_by_priority`` counts served and total jobs per priority; ``mean_match_score``
    is over assignments (``None`` when there are none).
    """
    served_ids = {a.job_id for a in plan.assignments}
    jobs_total = len(dataset.jobs)
    weights = policy.priority_weights
    weight_total = sum(weights[job.priority] for job in dataset.jobs)
    weight_served = sum(weights[job.priority] for job in dataset.jobs if job.job_id in served_ids)
    by_priority: dict[str, dict[str, int]] = {}
    for priority in range(5, 0, -1):
        jobs = [job for job in dataset.jobs if job.priority == priority]
        by_priority[str(priority)] = {
            "served": sum(job.job_id in served_ids for job in jobs),
            "total": len(jobs),
        }
    unassigned_by_reason: dict[str, int] = defaultdict(int)
    for u in plan.unassigned:
        unassigned_by_reason[u.reason_code.value] += 1
    scores = [a.match_score for a in plan.assignments]
    jobs_served = sum(dataset.has_job(job_id) for job_id in served_ids)
    return {
        "jobs_total": jobs_total,
        "jobs_served": jobs_served,
        "jobs_unassigned": len(plan.unassigned),
        "fill_rate": round(jobs_served / jobs_total, 4) if jobs_total else 1.0,
        "priority_served": round(weight_served / weight_total, 4) if weight_total else 1.0,
        "served_by_priority": by_priority,
        "assignments": len(plan.assignments),
        "workers_total": len(dataset.workers),
        "workers_used": len({a.worker_id for a in plan.assignments}),
        "travel_minutes_total": sum(a.travel_minutes for a in plan.assignments),
        "work_minutes_total": sum(int(elapsed_minutes(a.start, a.end)) for a in plan.assignments),
        "mean_match_score": round(sum(scores) / len(scores), 2) if scores else None,
        "unassigned_by_reason": dict(sorted(unassigned_by_reason.items())),
    }


# --- explaining one job ---------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class WorkerNote:
    """One worker's part in a job's story: chosen, a runner-up, or the customer's usual."""

    worker_id: str
    name: str
    role: Literal["assigned", "alternative", "preferred", "previous", "eligible"]
    verdict: Literal[
        "assigned",
        "lower_score",
        "more_travel",
        "not_chosen",
        "busy",
        "full",
        "travel",
        "ineligible",
    ]
    detail: str
    match_score: float | None = None
    rules: tuple[str, ...] = ()
    """The :mod:`matchmaker.plan._verify` rules the worker fails for the job, when ineligible."""
    components: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "worker_id": self.worker_id,
            "name": self.name,
            "role": self.role,
            "verdict": self.verdict,
            "detail": self.detail,
            "match_score": self.match_score,
            "rules": list(self.rules),
            "components": dict(self.components),
        }


@dataclass(frozen=True, kw_only=True)
class JobExplanation:
    """Why a job is served by whom it is served by, or why it is not served."""

    job_id: str
    summary: str
    status: Literal["assigned", "unassigned"]
    start: datetime | None
    end: datetime | None
    reason_code: ReasonCode | None
    reason: str | None
    workers_total: int
    eligible_workers: int
    ineligible_by_rule: dict[str, int]
    assigned: tuple[WorkerNote, ...]
    others: tuple[WorkerNote, ...]
    """Runners-up of an assigned job, or the eligible workers of an unassigned one, then the
    customer's preferred and previous workers that were not chosen."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "job_id": self.job_id,
            "summary": self.summary,
            "status": self.status,
            "start": None if self.start is None else self.start.isoformat(),
            "end": None if self.end is None else self.end.isoformat(),
            "reason_code": None if self.reason_code is None else self.reason_code.value,
            "reason": self.reason,
            "workers_total": self.workers_total,
            "eligible_workers": self.eligible_workers,
            "ineligible_by_rule": dict(self.ineligible_by_rule),
            "assigned": [note.to_dict() for note in self.assigned],
            "others": [note.to_dict() for note in self.others],
        }

    def to_text(self) -> str:
        lines = [f"Job {self.job_id}: {self.summary}"]
        if self.status == "assigned" and self.start is not None and self.end is not None:
            lines.append(
                f"Assigned {self.start.isoformat(timespec='minutes')} to "
                f"{self.end.isoformat(timespec='minutes')}:"
            )
            for note in self.assigned:
                lines.append(f"  {note.worker_id} {note.name}: {note.detail}")
                lines += _score_parts(note)
        else:
            reason = self.reason or ""
            code = "" if self.reason_code is None else self.reason_code.value
            said = reason if reason.startswith(code) else f"{code}: {reason}"
            lines.append(f"Not assigned: {said}")
        lines.append(f"{self.eligible_workers} of {self.workers_total} workers eligible.")
        if self.ineligible_by_rule:
            lines.append(
                "Ineligible by rule: "
                + ", ".join(f"{rule} {count}" for rule, count in self.ineligible_by_rule.items())
            )
        # Runners-up and eligible workers first, then the customer's preferred and previous
        # workers under their own heading: those may well be ineligible.
        ranked = [n for n in self.others if n.role in ("alternative", "eligible")]
        usual = [n for n in self.others if n.role not in ("alternative", "eligible")]
        for title, notes in (
            ("Alternatives" if self.status == "assigned" else "Eligible workers", ranked),
            ("The customer's preferred and previous workers", usual),
        ):
            if not notes:
                continue
            lines.append(f"{title}:")
            for note in notes:
                score = "" if note.match_score is None else f" [{note.match_score:.1f}]"
                label = "" if note.role in ("alternative", "eligible") else f" ({note.role})"
                lines.append(f"  {note.worker_id} {note.name}{label}{score}: {note.detail}")
                lines += _score_parts(note)
        return "\n".join(lines)


def _score_parts(note: WorkerNote) -> list[str]:
    """The line giving a note's match score component by component (none without them)."""
    if not note.components:
        return []
    parts = " + ".join(
        f"{name.replace('_', ' ')} {points:.1f}" for name, points in note.components.items()
    )
    return [f"    score {sum(note.components.values()):.1f} = {parts}"]


def _summary(dataset: Dataset, job: Job) -> str:
    zone = _display_zone(dataset, job)
    start, latest = job.earliest_start.astimezone(zone), job.latest_start.astimezone(zone)
    team = f", {job.workers_needed} workers" if job.workers_needed > 1 else ""
    window = start.strftime("%Y-%m-%d %H:%M")
    if latest != start:
        window += f" to {_clock(latest, start)}"
    pinned = f", pinned to {', '.join(job.pinned_worker_ids)}" if job.is_pinned else ""
    return (
        f"{job.service_type} for customer {job.customer_id}, start {window}, "
        f"{job.duration_minutes} min{team}, priority {job.priority}{pinned}"
    )


def _ineligible_note(
    dataset: Dataset, problem: Problem, j: int, w: int, role: Literal["preferred", "previous"]
) -> WorkerNote:
    job = dataset.jobs[j]
    worker_id = problem.worker_ids[w]
    bits = ReasonBit(int(problem.reasons[w, j]))
    rules = tuple(dict.fromkeys(RULE_OF_REASON_BIT[b] for b in RULE_OF_REASON_BIT if b in bits))
    # Documents are checked on the latest start's date, the strictest the window allows,
    # as eligibility does.
    sentences = [v.message for v in check_pair(dataset, job.job_id, worker_id, job.latest_start)]
    if "inside_shift" in rules:
        sentences.append("No shift of theirs covers the job's window and duration.")
    if "travel_fits" in rules:
        sentences.append("They cannot get there from home in time after their shift starts.")
    if not rules:
        rules = ("inside_shift",)
        sentences.append("No shift of theirs fits the job.")
    return WorkerNote(
        worker_id=worker_id,
        name=dataset.workers[w].name,
        role=role,
        verdict="ineligible",
        detail="ineligible (" + ", ".join(rules) + "): " + " ".join(sentences),
        rules=rules,
    )


def _standing_note(
    dataset: Dataset,
    standing: _Standing,
    problem: Problem,
    j: int,
    role: Literal["alternative", "preferred", "previous", "eligible"],
    chosen: Sequence[tuple[float, int | None]],
    components: dict[str, float],
) -> WorkerNote:
    """A note on an eligible worker; ``chosen`` holds (score, added travel) of the chosen,
    ``components`` the parts of the worker's match score."""
    w = standing.worker
    score = round(float(problem.score[w, j]), 2)
    base: dict[str, Any] = {
        "worker_id": problem.worker_ids[w],
        "name": dataset.workers[w].name,
        "role": role,
        "match_score": score,
        "components": components,
    }
    if standing.status == "busy":
        return WorkerNote(verdict="busy", detail=f"busy: {standing.detail}", **base)
    if standing.status == "full":
        return WorkerNote(verdict="full", detail=f"full: {standing.detail}", **base)
    if standing.status == "travel":
        return WorkerNote(
            verdict="travel", detail=f"travel does not fit: {standing.detail}", **base
        )
    if not chosen:
        return WorkerNote(verdict="not_chosen", detail=f"eligible and {standing.detail}", **base)
    best_score = min(s for s, _ in chosen)
    if score < best_score:
        return WorkerNote(
            verdict="lower_score",
            detail=f"lower match score ({score:.1f} vs {best_score:.1f}); {standing.detail}",
            **base,
        )
    chosen_travel = max((t for _, t in chosen if t is not None), default=None)
    if (
        standing.insertion_travel is not None
        and chosen_travel is not None
        and standing.insertion_travel > chosen_travel
    ):
        return WorkerNote(
            verdict="more_travel",
            detail=(
                f"scores {score:.1f} (vs {best_score:.1f}) but would add "
                f"{standing.insertion_travel} travel minutes against {chosen_travel}; "
                f"{standing.detail}"
            ),
            **base,
        )
    return WorkerNote(
        verdict="not_chosen",
        detail=(
            f"scores {score:.1f} (vs {best_score:.1f}) and is {standing.detail}; the solver "
            "did not find this swap within its time limit"
        ),
        **base,
    )


def _travel_of(problem: Problem, schedule: _Schedule, j: int, w: int) -> tuple[int, int] | None:
    """``(travel in, travel added)`` of job ``j`` in the planned day of worker ``w``: the
    minutes to reach it, and what it adds to the day's travel."""
    for v, visits in schedule.items():
        if int(problem.vehicle_worker[v]) != w:
            continue
        jobs = [k for k, _ in visits]
        if j not in jobs:
            continue
        at = jobs.index(j)
        before = jobs[at - 1] if at > 0 else None
        after = jobs[at + 1] if at + 1 < len(jobs) else None
        travel_in = problem.travel(v, before, j)
        added = travel_in
        if after is not None:
            added += problem.travel(v, j, after) - problem.travel(v, before, after)
        return travel_in, added
    return None


def explain_job(dataset: Dataset, plan: Plan, job_id: str, *, policy: Policy) -> JobExplanation:
    """Why ``job_id`` is served by its workers (and not others), or why it is not served.

    Recompiles the problem for eligibility and scores, with the plan's travel model;
    availability is judged against the other jobs of ``plan``, so the explanation reads the
    plan as it is.
    """
    if not dataset.has_job(job_id):
        raise UnknownJobError(f"job {job_id!r} is not in the dataset")
    problem = compile_problem(dataset, policy=policy, travel=plan.travel)
    j = dataset.job_position(job_id)
    job = dataset.jobs[j]
    schedule = _schedule_of_plan(problem, plan)
    worker_index = {worker_id: i for i, worker_id in enumerate(problem.worker_ids)}
    eligible = _eligible_workers(problem, j)
    column = problem.reasons[:, j]
    masks: dict[str, int] = {}
    for bit, rule in RULE_OF_REASON_BIT.items():
        masks[rule] = masks.get(rule, 0) | bit.value
    ineligible_by_rule = {
        rule: count
        for rule, mask in masks.items()
        if (count := int(np.count_nonzero(column & np.uint16(mask))))
    }

    mine = sorted(
        (a for a in plan.assignments if a.job_id == job_id and a.worker_id in worker_index),
        key=lambda a: a.worker_id,
    )
    # Scores and travel are recomputed, so a plan made by hand (without them) reads the same.
    assigned_notes: list[WorkerNote] = []
    chosen: list[tuple[float, int | None]] = []
    for a in mine:
        w = worker_index[a.worker_id]
        score = round(float(problem.score[w, j]), 2)
        travel = _travel_of(problem, schedule, j, w)
        reach = "" if travel is None else f", {travel[0]} min travel to get there"
        assigned_notes.append(
            WorkerNote(
                worker_id=a.worker_id,
                name=dataset.worker(a.worker_id).name,
                role="assigned",
                verdict="assigned",
                match_score=score,
                detail=f"match score {score:.1f}{reach}",
                components=pair_components(dataset, a.worker_id, job_id, policy),
            )
        )
        chosen.append((score, None if travel is None else travel[1]))
    chosen_ids = {a.worker_id for a in mine}
    others: list[WorkerNote] = []
    role: Literal["alternative", "eligible"] = "alternative" if mine else "eligible"
    limit = _NAMED_WORKERS if mine else 10
    for w, vehicles in eligible.items():
        if len(others) >= limit:
            break
        if problem.worker_ids[w] in chosen_ids:
            continue
        standing = _standing(dataset, problem, schedule, j, w, vehicles)
        parts = pair_components(dataset, problem.worker_ids[w], job_id, policy)
        others.append(_standing_note(dataset, standing, problem, j, role, chosen, parts))

    customer = dataset.customer(job.customer_id)
    listed = {note.worker_id for note in others} | chosen_ids
    usual: list[tuple[str, Literal["preferred", "previous"]]] = []
    if customer is not None:
        usual += [(worker_id, "preferred") for worker_id in customer.preferred_workers]
        usual += [(worker_id, "previous") for worker_id in customer.previous_workers]
    for worker_id, usual_role in usual:
        if worker_id in listed or worker_id not in worker_index:
            continue
        listed.add(worker_id)
        w = worker_index[worker_id]
        if w in eligible:
            standing = _standing(dataset, problem, schedule, j, w, eligible[w])
            parts = pair_components(dataset, worker_id, job_id, policy)
            others.append(_standing_note(dataset, standing, problem, j, usual_role, chosen, parts))
        else:
            others.append(_ineligible_note(dataset, problem, j, w, usual_role))

    entry = next((u for u in plan.unassigned if u.job_id == job_id), None)
    if mine:
        status: Literal["assigned", "unassigned"] = "assigned"
        reason_code, reason = None, None
    else:
        status = "unassigned"
        if entry is not None:
            reason_code, reason = entry.reason_code, entry.reason
        else:
            reason_code, reason = _unserved_reason(dataset, problem, schedule, j)
    return JobExplanation(
        job_id=job_id,
        summary=_summary(dataset, job),
        status=status,
        start=mine[0].start if mine else None,
        end=mine[0].end if mine else None,
        reason_code=reason_code,
        reason=reason,
        workers_total=problem.n_workers,
        eligible_workers=len(eligible),
        ineligible_by_rule=ineligible_by_rule,
        assigned=tuple(assigned_notes),
        others=tuple(others),
    )
