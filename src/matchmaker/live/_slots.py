"""Bookable arrival windows for a customer's request: ``matchmaker slots``.

:func:`slots` takes a job *template* (what the customer asks for: service, place, needs,
duration and the hours of the day they would accept), moves its window onto each of the
next ``days`` days and cuts it into arrival windows of ``window`` minutes. Each window is
graded as a recommendation (:mod:`matchmaker.live._recommend`) without moving anything
planned: the best worker (or team), the change in the objective and how many workers could
take it. Workers' shifts come from the dataset, so only days the dataset has shifts for can
offer windows. With break rules a window is offered, and a worker counted as able, only
where the worker's breaks still fit beside the job (:mod:`matchmaker.live._search`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np

from matchmaker.live._break_fit import has_breaks
from matchmaker.live._index import JobColumn, PlanIndex, build_index, gap_table
from matchmaker.live._options import Option
from matchmaker.live._recommend import new_job_column, recommend_in_index
from matchmaker.live._search import candidates
from matchmaker.model import Dataset, Job, Policy, RequestError, TimeWindow, add_minutes, utc
from matchmaker.plan import Plan

__all__ = ["Slot", "slots"]

_MAX_DAYS = 62


@dataclass(frozen=True, kw_only=True)
class Slot:
    """One arrival window and how good it is; ``rank`` 1 is the best of all windows."""

    rank: int
    start: datetime
    end: datetime
    option: Option
    """The best way to serve the request in this window (its worker(s) and start)."""
    workers_able: int
    """How many workers could take it without moving anything planned."""

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        return {
            "rank": self.rank,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "worker_ids": list(self.option.worker_ids),
            "objective_delta": self.option.objective_delta,
            "match_score": self.option.match_score,
            "workers_able": self.workers_able,
            "option": self.option.to_dict(lang),
        }


def _on_day(moment: datetime, day: date, first: date, zone: Any) -> datetime:
    local = moment.astimezone(zone)
    moved = datetime.combine(day + (local.date() - first), local.time(), tzinfo=zone)
    return moved


def _able(index: PlanIndex, column: JobColumn) -> int:
    """How many workers could take the job without moving anything planned: any gap with
    room, and with break rules one where their breaks still fit too."""
    if has_breaks(index.problem):
        return len(candidates(index, column, k=index.problem.n_workers))
    table = gap_table(index, column)
    able = table.valid & (table.low <= table.high)
    workers = index.problem.vehicle_worker[table.vehicles[able.any(axis=1)]]
    return int(np.unique(workers).size)


def slots(
    dataset: Dataset,
    plan: Plan,
    template: Job,
    *,
    start_day: date,
    days: int = 7,
    window: int = 120,
    policy: Policy | None = None,
    index: PlanIndex | None = None,
) -> list[Slot]:
    """The bookable arrival windows for ``template`` (module docstring), best first.

    ``template``'s window gives the hours of the day (in the dataset's timezone, else its
    own offset); it is moved to each day from ``start_day`` for ``days`` days and cut into
    windows of ``window`` minutes. A window no worker can take is left out.
    """
    if not 1 <= days <= _MAX_DAYS:
        raise RequestError(f"days must be between 1 and {_MAX_DAYS}")
    if window < 1:
        raise RequestError("window must be at least 1 minute")
    chosen = policy if policy is not None else dataset.settings.policy
    if index is None:
        index = build_index(dataset, plan, policy=chosen)
    zone = dataset.settings.zone or template.window.start.tzinfo
    first = template.earliest_start.astimezone(zone).date()
    job_id = template.job_id
    while dataset.has_job(job_id):
        job_id += "-slot"
    found: list[tuple[int, datetime, datetime, Option, int]] = []
    for offset in range(days):
        day = start_day + timedelta(days=offset)
        earliest = _on_day(template.earliest_start, day, first, zone)
        latest = _on_day(template.latest_start, day, first, zone)
        request = replace(
            template,
            job_id=job_id,
            window=TimeWindow(start=earliest, end=latest),
            due_start=None
            if template.due_start is None
            else _on_day(template.due_start, day, first, zone),
            pinned_worker_ids=(),
            pinned_start=None,
        )
        new = new_job_column(index, request)
        step = 0
        while True:
            begin = add_minutes(earliest, step * window)
            if utc(begin) > utc(latest) or (step > 0 and utc(begin) >= utc(latest)):
                break
            end = add_minutes(begin, window)
            if utc(end) > utc(latest):
                end = latest
            base = new.column.earliest + step * window
            column = replace(
                new.column,
                earliest=base,
                latest=min(new.column.latest, base + window),
            )
            step += 1
            recommendation = recommend_in_index(index, column, new.alone, added=request, k=1)
            if not recommendation.options:
                continue
            option = recommendation.options[0]
            found.append((option.objective_delta, begin, end, option, _able(index, column)))
    found.sort(key=lambda item: (item[0], utc(item[1])))
    ranked = [
        Slot(rank=rank, start=begin, end=end, option=option, workers_able=able)
        for rank, (_, begin, end, option, able) in enumerate(found, start=1)
    ]
    ranked.sort(key=lambda slot: utc(slot.start))
    return ranked
