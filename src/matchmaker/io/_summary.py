"""A short description of a dataset for ``matchmaker validate``: sizes, mix and time span."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from datetime import datetime

from matchmaker.model import Dataset

__all__ = ["DatasetSummary", "summarize"]


@dataclass(frozen=True, kw_only=True)
class DatasetSummary:
    """Counts and ranges of a dataset.

    ``job_minutes`` is the work demanded (duration times workers needed); ``shift_minutes``
    the work time offered by all shifts of active workers.
    """

    tables: dict[str, int]
    jobs_by_service_type: dict[str, int]
    workers_by_status: dict[str, int]
    workers_by_travel_mode: dict[str, int]
    first_start: datetime | None
    last_start: datetime | None
    days: int
    pinned_jobs: int
    team_jobs: int
    job_minutes: int
    shift_minutes: int
    timezone: str | None

    def to_dict(self) -> dict[str, object]:
        """The summary as JSON-ready values (datetimes in ISO 8601)."""
        data = asdict(self)
        for key in ("first_start", "last_start"):
            value = data[key]
            data[key] = None if value is None else value.isoformat()
        return data


def _counts(values: list[str]) -> dict[str, int]:
    return dict(sorted(Counter(values).items(), key=lambda item: (-item[1], item[0])))


def summarize(dataset: Dataset) -> DatasetSummary:
    """Rows per table, jobs per service type, workers per status, the span of start times."""
    jobs = dataset.jobs
    starts = [j.earliest_start for j in jobs]
    return DatasetSummary(
        tables={
            "workers": len(dataset.workers),
            "customers": len(dataset.customers),
            "jobs": len(jobs),
            "shifts": sum(len(w.shifts) for w in dataset.workers),
        },
        jobs_by_service_type=_counts([j.service_type for j in jobs]),
        workers_by_status=_counts([w.status.value for w in dataset.workers]),
        workers_by_travel_mode=_counts([w.travel_mode.value for w in dataset.workers]),
        first_start=min(starts, default=None),
        last_start=max((j.latest_start for j in jobs), default=None),
        days=len({s.date() for s in starts}),
        pinned_jobs=sum(1 for j in jobs if j.is_pinned),
        team_jobs=sum(1 for j in jobs if j.workers_needed > 1),
        job_minutes=sum(j.duration_minutes * j.workers_needed for j in jobs),
        shift_minutes=sum(
            s.minutes for w in dataset.workers if w.status.value == "active" for s in w.shifts
        ),
        timezone=dataset.settings.timezone,
    )
