"""What would serve the most unserved value: the smallest changes added up.

:func:`what_would_serve_most` turns the per-job results of
:func:`~matchmaker.whatif.smallest_changes` into one table a planner acts on, biggest
weighted value first:

* **hiring signals**, proven together: the jobs whose cheapest change is a hire are grouped
  by main skill (the first required), district, day and half-day (morning: the hire's shift
  starts before noon). Each group gets new workers holding what every job of the group needs
  (the highest level per skill, every certificate and language, the most experience; a
  group whose jobs ask for different genders is split by gender), free from the earliest to
  the latest of the group's shifts. One new worker is added at a time until all the group's
  jobs are served: the greedy planner plans the group on the new workers alone and the plan
  passes ``verify``. The row says "2 more elderly_care workers in Lujiazui 08:00-12:00 would
  serve 5 jobs, 22 weighted points";
* **every other kind of change** (widen a window, move a planned job, relax a preference or
  requirement, another day) is one row per kind, each change proven *alone*: two of them may
  compete for the same free time, so their sum is an upper bound, and the row says so.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from matchmaker.compile import compile_problem, coordinates
from matchmaker.model import Dataset, Gender, Job, Policy, Shift, local_zone
from matchmaker.plan import Plan, message
from matchmaker.whatif._change import NOT_FOUND, SmallestChange
from matchmaker.whatif._districts import Districts
from matchmaker.whatif._hire import hire_shift, hire_worker, serve_with

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["what_would_serve_most"]

SERVE_MOST_COLUMNS = (
    "change",
    "sentence",
    "workers_to_hire",
    "jobs",
    "value",
    "proven",
    "district",
    "skill",
    "shift",
    "job_ids",
)


def what_would_serve_most(
    dataset: Dataset,
    plan: Plan,
    changes: Sequence[SmallestChange],
    *,
    policy: Policy | None = None,
    districts: Districts | None = None,
) -> pd.DataFrame:
    """The smallest changes added up (module docstring), biggest weighted value first."""
    import pandas as pd

    chosen = dataset.settings.policy if policy is None else policy
    rows: list[dict[str, Any]] = []
    hires = [c for c in changes if c.kind == "hire" and c.hire is not None]
    rows += _hiring_rows(
        dataset, plan, chosen, hires, Districts() if districts is None else districts
    )
    by_kind: dict[str, list[SmallestChange]] = defaultdict(list)
    for c in changes:
        if c.kind != "hire" and c.kind not in NOT_FOUND:
            by_kind[c.kind].append(c)
    for kind, group in by_kind.items():
        value = sum(c.value for c in group)
        rows.append(
            {
                "change": kind,
                "sentence": message(
                    "en",
                    "serve_most.kind",
                    what=message("en", f"serve_most.what.{kind}"),
                    jobs=len(group),
                    value=value,
                ),
                "workers_to_hire": 0,
                "jobs": len(group),
                "value": value,
                "proven": "each alone",
                "district": "",
                "skill": "",
                "shift": "",
                "job_ids": ";".join(c.job_id for c in group),
            }
        )
    frame = pd.DataFrame(rows, columns=list(SERVE_MOST_COLUMNS))
    return frame.sort_values(["value", "jobs"], ascending=False, kind="stable").reset_index(
        drop=True
    )


def _hiring_rows(
    dataset: Dataset,
    plan: Plan,
    policy: Policy,
    hires: Sequence[SmallestChange],
    districts: Districts,
) -> list[dict[str, Any]]:
    zone = local_zone(dataset)
    groups: dict[tuple[str, str, str, str], list[SmallestChange]] = defaultdict(list)
    for c in hires:
        signal = c.hire
        assert signal is not None
        start = signal.shift_start.astimezone(zone)
        skill = signal.skills[0].name if signal.skills else "any"
        half = "morning" if start.hour < 12 else "afternoon"
        gender = "" if signal.gender is None else signal.gender.value
        groups[(skill, signal.district, half, gender)].append(c)
    if not groups:
        return []
    problem = compile_problem(dataset, policy=policy, travel=plan.travel)
    rows: list[dict[str, Any]] = []
    for (skill, district, _half, _gender), group in groups.items():
        jobs = tuple(
            replace(dataset.job(c.job_id).unpinned(), excluded_workers=frozenset()) for c in group
        )
        model = _union_job(jobs)
        # One shift a day, from the earliest to the latest the day's jobs need.
        by_day: dict[Any, list[Shift]] = defaultdict(list)
        for j in jobs:
            needed = hire_shift(dataset, problem, j)
            by_day[needed.start.astimezone(zone).date()].append(needed)
        shifts = [
            Shift(start=min(s.start for s in day), end=max(s.end for s in day))
            for _, day in sorted(by_day.items())
        ]
        home = districts.centre(
            district, coordinates(dataset.job(c.job_id).location for c in group)
        )
        served: dict[str, Any] = {}
        count = 0
        for n in range(1, len(jobs) + 1):
            workers = tuple(
                hire_worker(dataset, model, worker_id=f"hire-{k}", home=home, shifts=shifts)
                for k in range(1, n * max(j.workers_needed for j in jobs) + 1)
            )
            result = serve_with(dataset, plan, policy, workers, jobs, zone)
            if result is None:
                break
            if len(result) > len(served):
                served, count = result, len(workers)
            if len(served) == len(jobs):
                break
        if not served:
            continue
        value = sum(c.value for c in group if c.job_id in served)
        local = _shifts_text(shifts, zone)
        rows.append(
            {
                "change": "hire",
                "sentence": message(
                    "en",
                    "serve_most.hire" if count != 1 else "serve_most.hire.one",
                    count=count,
                    skill=skill,
                    district=district,
                    shift=local,
                    jobs=len(served),
                    value=value,
                ),
                "workers_to_hire": count,
                "jobs": len(served),
                "value": value,
                "proven": "together",
                "district": district,
                "skill": skill,
                "shift": local,
                "job_ids": ";".join(sorted(served)),
            }
        )
    return rows


def _union_job(jobs: Sequence[Job]) -> Job:
    """One job asking for everything the jobs ask for: a template for a hire serving all."""
    levels: dict[str, int] = {}
    for job in jobs:
        for r in job.required_skills:
            levels[r.name] = max(levels.get(r.name, 0), r.level)
    first = jobs[0]
    genders = {j.gender_required for j in jobs} - {None}
    gender: Gender | None = next(iter(genders)) if len(genders) == 1 else first.gender_required
    return replace(
        first,
        required_skills=tuple(
            replace(r, level=levels[r.name])
            for r in {r.name: r for j in jobs for r in j.required_skills}.values()
        ),
        required_certificates=tuple(sorted({c for j in jobs for c in j.required_certificates})),
        min_experience_years=max(j.min_experience_years for j in jobs),
        language_required=tuple(sorted({lang for j in jobs for lang in j.language_required})),
        gender_required=gender,
        needs_car=any(j.needs_car for j in jobs),
    )


def _shifts_text(shifts: Sequence[Shift], zone: Any) -> str:
    """``2026-12-01 08:00-12:00``, or ``08:00-12:00 on 3 days (2026-12-01 to 2026-12-05)``
    with the widest hours when there are several days."""
    first, last = shifts[0], shifts[-1]
    if len(shifts) == 1:
        return f"{first.start.astimezone(zone):%Y-%m-%d %H:%M}-{first.end.astimezone(zone):%H:%M}"
    start = min(s.start.astimezone(zone).strftime("%H:%M") for s in shifts)
    end = max(s.end.astimezone(zone).strftime("%H:%M") for s in shifts)
    return message(
        "en",
        "serve_most.days",
        hours=f"{start}-{end}",
        days=len(shifts),
        first=f"{first.start.astimezone(zone):%Y-%m-%d}",
        last=f"{last.start.astimezone(zone):%Y-%m-%d}",
    )
