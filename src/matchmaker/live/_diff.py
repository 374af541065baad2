"""A re-plan's diff to the previous plan: ``diff.csv`` (docs/design.md section 6).

One row per job served before or after (and per cancelled job): its workers (``;``-joined)
and start before and after, the kind of change and its cause.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from matchmaker.live._changes import ChangedRound
from matchmaker.model import utc
from matchmaker.plan import Plan

__all__ = ["DIFF_COLUMNS", "DiffChange", "DiffRow", "diff_of"]

DIFF_COLUMNS = (
    "job_id",
    "before_worker_id",
    "before_start",
    "after_worker_id",
    "after_start",
    "change",
    "cause",
)
DiffChange = Literal["unchanged", "moved", "reassigned", "added", "dropped"]


@dataclass(frozen=True, kw_only=True)
class DiffRow:
    """How one job fared: before and after (workers ``;``-joined), and why."""

    job_id: str
    before_worker_id: str
    before_start: datetime | None
    after_worker_id: str
    after_start: datetime | None
    change: DiffChange
    cause: str

    def to_row(self) -> dict[str, Any]:
        return {
            "job_id": self.job_id,
            "before_worker_id": self.before_worker_id,
            "before_start": "" if self.before_start is None else self.before_start.isoformat(),
            "after_worker_id": self.after_worker_id,
            "after_start": "" if self.after_start is None else self.after_start.isoformat(),
            "change": self.change,
            "cause": self.cause,
        }


def _visits_by_job(plan: Plan) -> dict[str, tuple[str, datetime]]:
    workers: dict[str, list[str]] = defaultdict(list)
    starts: dict[str, datetime] = {}
    for a in plan.assignments:
        workers[a.job_id].append(a.worker_id)
        starts.setdefault(a.job_id, a.start)
    return {job_id: (";".join(sorted(w)), starts[job_id]) for job_id, w in workers.items()}


def diff_of(
    previous: Plan,
    plan: Plan,
    changed: ChangedRound,
    hit: dict[str, str],
    reasons: dict[str, str],
    tolerance: int,
) -> list[DiffRow]:
    before = _visits_by_job(previous)
    after = _visits_by_job(plan)
    rows: list[DiffRow] = []
    for job_id in sorted(set(before) | set(after) | set(changed.cancelled)):
        was = before.get(job_id)
        now = after.get(job_id)
        if job_id in changed.cancelled:
            change: DiffChange = "dropped"
            cause = changed.cancelled[job_id].label
        elif was is None and now is not None:
            change = "added"
            cause = changed.added[job_id].label if job_id in changed.added else "served now"
        elif was is not None and now is None:
            change = "dropped"
            cause = hit.get(job_id, reasons.get(job_id, "no room left"))
        elif was is not None and now is not None:
            if was[0] != now[0]:
                change = "reassigned"
            elif abs((utc(now[1]) - utc(was[1])).total_seconds()) > tolerance * 60:
                change = "moved"
            else:
                change = "unchanged"
            cause = "" if change == "unchanged" else hit.get(job_id, reasons.get(job_id, ""))
            if change != "unchanged" and not cause:
                cause = "re-planned"
        else:
            continue
        rows.append(
            DiffRow(
                job_id=job_id,
                before_worker_id="" if was is None else was[0],
                before_start=None if was is None else was[1],
                after_worker_id="" if now is None else now[0],
                after_start=None if now is None else now[1],
                change=change,
                cause=cause,
            )
        )
    return rows
