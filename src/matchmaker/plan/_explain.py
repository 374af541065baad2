"""Why each job went where it went: the story of one job, read from a plan.

:func:`explain_job` answers "why this worker?" for an assigned job (the best alternatives and
why each lost) and "why not served?" for an unassigned one (the eligible workers and what
they were doing, :mod:`matchmaker.plan._capacity`). A worker the customer prefers or had
before but who may not serve the job is explained with the verifier's own pair rules
(:func:`~matchmaker.plan._verify.check_pair`, the only part of the verifier used here), so
an explanation cannot disagree with the verifier.

Times are shown in the dataset's timezone when it has one, else in the offset of the job's
own window.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

import numpy as np

from matchmaker.compile import Problem, ReasonBit, compile_problem, pair_components
from matchmaker.model import (
    HARD_RULES,
    Dataset,
    Job,
    Policy,
    UnknownJobError,
)
from matchmaker.plan._capacity import (
    NAMED_WORKERS,
    Schedule,
    Standing,
    clock_time,
    display_zone,
    eligible_by_worker,
    priced_costs,
    schedule_of_plan,
    standing_of,
    unserved_reason,
)
from matchmaker.plan._messages import message
from matchmaker.plan._plan import Plan, ReasonCode
from matchmaker.plan._verify import check_pair

__all__ = [
    "RULE_OF_REASON_BIT",
    "JobExplanation",
    "WorkerNote",
    "explain_job",
    "ineligibility",
]

RULE_OF_REASON_BIT: Mapping[ReasonBit, str] = {
    reason.bit: rule.name for rule in HARD_RULES for reason in rule.reasons
}
"""The :mod:`matchmaker.plan._verify` rule behind each eligibility reason bit."""


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
    smallest_change: str = ""
    """The plan's cheapest proven change that would serve the unassigned job
    (``unassigned.csv``'s ``smallest_change``, :func:`matchmaker.smallest_changes`)."""

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
            "smallest_change": self.smallest_change,
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
            if self.smallest_change:
                lines.append(message("en", "explain.smallest_change", change=self.smallest_change))
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
    zone = display_zone(dataset, job)
    start, latest = job.earliest_start.astimezone(zone), job.latest_start.astimezone(zone)
    team = f", {job.workers_needed} workers" if job.workers_needed > 1 else ""
    window = start.strftime("%Y-%m-%d %H:%M")
    if latest != start:
        window += f" to {clock_time(latest, start)}"
    pinned = f", pinned to {', '.join(job.pinned_worker_ids)}" if job.is_pinned else ""
    return (
        f"{job.service_type} for customer {job.customer_id}, start {window}, "
        f"{job.duration_minutes} min{team}, priority {job.priority}{pinned}"
    )


def ineligibility(
    dataset: Dataset, job_id: str, worker_id: str, bits: ReasonBit
) -> tuple[tuple[str, ...], list[str]]:
    """The hard rules a worker fails for a job (from its reason bits) and a sentence each
    (the verifier's own, with the shift and travel rules worded here)."""
    job = dataset.job(job_id)
    rules = tuple(dict.fromkeys(RULE_OF_REASON_BIT[b] for b in RULE_OF_REASON_BIT if b in bits))
    # Documents are checked on the latest start's date, the strictest the window allows,
    # as eligibility does.
    sentences = [v.message for v in check_pair(dataset, job_id, worker_id, job.latest_start)]
    if "inside_shift" in rules:
        sentences.append("No shift of theirs covers the job's window and duration.")
    if "travel_fits" in rules:
        sentences.append("They cannot get there from home in time after their shift starts.")
    if not rules:
        rules = ("inside_shift",)
        sentences.append("No shift of theirs fits the job.")
    return rules, sentences


def _ineligible_note(
    dataset: Dataset, problem: Problem, j: int, w: int, role: Literal["preferred", "previous"]
) -> WorkerNote:
    worker_id = problem.worker_ids[w]
    bits = ReasonBit(int(problem.reasons[w, j]))
    rules, sentences = ineligibility(dataset, dataset.jobs[j].job_id, worker_id, bits)
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
    standing: Standing,
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


def _travel_of(problem: Problem, schedule: Schedule, j: int, w: int) -> tuple[int, int] | None:
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
    schedule = schedule_of_plan(problem, plan)
    worker_index = {worker_id: i for i, worker_id in enumerate(problem.worker_ids)}
    eligible = eligible_by_worker(problem, j)
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
    limit = NAMED_WORKERS if mine else 10
    for w, vehicles in eligible.items():
        if len(others) >= limit:
            break
        if problem.worker_ids[w] in chosen_ids:
            continue
        standing = standing_of(dataset, problem, schedule, j, w, vehicles)
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
            standing = standing_of(dataset, problem, schedule, j, w, eligible[w])
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
            reason_code, reason = unserved_reason(
                dataset, problem, schedule, j, costs=priced_costs(problem, policy)
            )
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
        smallest_change="" if mine or entry is None else entry.smallest_change,
    )
