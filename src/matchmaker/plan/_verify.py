"""An independent checker of plans: every hard rule of docs/design.md section 2, re-derived.

:func:`verify` reads only the domain objects (:class:`~matchmaker.model.Dataset`) and the
:class:`~matchmaker.plan.Plan`; it never looks at the compiled ``Problem`` arrays or the
eligibility code, so a bug there cannot hide itself. It is the executable spec of a valid
plan, run on every plan the tests produce and by ``matchmaker verify``.

Each rule is one function with a stable name, listed in :data:`RULES` in the order they are
checked (plan integrity first, then the pair rules, then the schedule rules); the integrity
and pair rules are in :mod:`matchmaker.plan._verify_pair`, the schedule and shift rules in
:mod:`matchmaker.plan._verify_schedule`, what they all read in
:mod:`matchmaker.plan._verify_context`. A rule yields
one :class:`Violation` per offence, naming the rule, the job and the worker, with a sentence
a dispatcher understands.

Conventions the rules share:

* **The job's date** (certificates, background checks) is the calendar date of the planned
  start in the dataset's timezone when ``dataset.toml`` sets one, else in the start's own
  UTC offset (:func:`~matchmaker.model.planned_day`).
* **A shift holds an assignment** when the assignment starts inside it
  (``shift.start <= start < shift.end``). Per-shift limits and travel are counted in that
  shift; ``inside_shift`` separately requires the job to end by the shift's end.
* **Travel** uses the plan's travel model (``plan.travel``, else the default model with
  ``dataset.settings.travel``: the minutes the plan was solved with) and the worker's
  travel mode: the first job of a shift must start no earlier than the shift
  start plus the travel from home; every later job no earlier than the end of the previous
  job plus the travel between them. Overlapping jobs are left to ``no_overlap``.
* **Work minutes** are the jobs' ``duration_minutes``; travel does not count as work.
* **Pins are strict**: a pinned assignment that breaks a pair rule is still reported, with
  "(pinned)" in the message, because the plan is then wrong whatever the dispatcher
  confirmed.
* **Times are compared in real time**: every comparison and duration goes through UTC
  (:mod:`matchmaker.model._time`), so a clock change inside a shift or in a repeated hour
  cannot shift a rule by an hour.
* Assignments naming an unknown job or worker are reported once by ``known_ids`` and then
  ignored by every other rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from types import MappingProxyType

from matchmaker.compile import TravelModel
from matchmaker.model import HARD_RULES, Dataset, RuleScope, add_minutes
from matchmaker.plan._plan import Assignment, Plan
from matchmaker.plan._verify_breaks import breaks
from matchmaker.plan._verify_context import Context, Rule, Violation
from matchmaker.plan._verify_limits import (
    max_consecutive_days,
    max_distinct_workers,
    max_week_minutes,
    min_rest_minutes,
)
from matchmaker.plan._verify_linked import linked_visits
from matchmaker.plan._verify_pair import (
    background_check,
    certificate_valid,
    experience,
    gender_required,
    known_ids,
    language_required,
    needs_car,
    not_blocked,
    not_excluded,
    served_once,
    skill_level,
    worker_active,
)
from matchmaker.plan._verify_schedule import (
    end_matches_duration,
    home_by_shift_end,
    inside_shift,
    max_jobs_per_shift,
    max_work_minutes_per_shift,
    no_overlap,
    pins_kept,
    start_in_window,
    team_complete_and_synchronised,
    travel_fits,
)

__all__ = ["PAIR_RULES", "RULES", "Violation", "check_pair", "verify"]


_IMPLEMENTATIONS: dict[str, Rule] = {
    rule.__name__: rule
    for rule in (
        known_ids,
        served_once,
        skill_level,
        experience,
        certificate_valid,
        background_check,
        worker_active,
        gender_required,
        language_required,
        needs_car,
        not_blocked,
        not_excluded,
        start_in_window,
        end_matches_duration,
        inside_shift,
        travel_fits,
        home_by_shift_end,
        no_overlap,
        max_jobs_per_shift,
        max_work_minutes_per_shift,
        team_complete_and_synchronised,
        pins_kept,
        linked_visits,
        breaks,
        max_week_minutes,
        min_rest_minutes,
        max_consecutive_days,
        max_distinct_workers,
    )
}

RULES: Mapping[str, Rule] = MappingProxyType(
    {
        rule.name: _IMPLEMENTATIONS[rule.name]
        for rule in HARD_RULES
        if rule.scope is not RuleScope.PLACEMENT  # matchmaker.placement verifies those
    }
)
"""Every rule by its stable name, in the order of :data:`~matchmaker.model.HARD_RULES`."""

PAIR_RULES: tuple[str, ...] = tuple(
    rule.name for rule in HARD_RULES if rule.scope is RuleScope.PAIR
)
"""The rules that depend only on the worker and the job (and the job's date)."""


def verify(dataset: Dataset, plan: Plan, *, travel: TravelModel | None = None) -> list[Violation]:
    """Every hard-rule violation of ``plan`` against ``dataset``; empty means the plan is valid.

    Travel is checked with ``travel`` when given, else with the model the plan records
    (``plan.travel``), else with the default model and the dataset's ``[travel]`` settings.
    """
    ctx = Context.build(dataset, plan, travel if travel is not None else plan.travel)
    return [violation for rule in RULES.values() for violation in rule(ctx)]


def check_pair(dataset: Dataset, job_id: str, worker_id: str, start: datetime) -> list[Violation]:
    """The pair rules ``worker_id`` would break serving ``job_id`` at ``start``.

    The same code as :func:`verify`, applied to one hypothetical assignment, so that an
    explanation of why a worker could not take a job cannot disagree with the verifier.
    """
    job = dataset.job(job_id)
    hypothetical = Assignment(
        job_id=job_id,
        worker_id=worker_id,
        start=start,
        end=add_minutes(start, job.duration_minutes),
        travel_minutes=0,
        sequence=1,
        match_score=0.0,
    )
    ctx = replace(
        Context.build(dataset, Plan(assignments=(hypothetical,), unassigned=(), kpis={})),
        hypothetical=True,
    )
    return [violation for name in PAIR_RULES for violation in RULES[name](ctx)]
