"""Recurring orders expanded into visits (jobs of the dispatch contract).

A :class:`Recurrence` is weekly on given weekdays (every N weeks) or daily, for N
occurrences or until a date. A long placement, such as a 26-day postpartum placement, is
``Recurrence.daily(start, days=26, ...)``. :func:`expand` turns a recurrence and a
:class:`VisitTemplate` into one :class:`~matchmaker.lifecycle.JobSpec` per
occurrence, each starting at the local start time in the recurrence's timezone (so a
daylight-saving change keeps the wall-clock time).

Continuity: the visits of one order share its ``order_id``. When the ops store exports a
dispatch dataset, the worker of the order's latest served or confirmed visit becomes a
preferred worker of the customer (or is pinned, with ``OpsPolicy.pin_recurring_worker``),
and every worker who served the customer is in ``previous_workers``, most recent first.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal
from zoneinfo import ZoneInfo

from matchmaker.lifecycle._visit import JobSpec
from matchmaker.model import LifecycleError, add_minutes, known_zone, utc

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Recurrence", "VisitTemplate", "expand", "jobs_frame"]

MAX_OCCURRENCES = 1000


@dataclass(frozen=True, kw_only=True)
class Recurrence:
    """When the visits of a recurring order start.

    ``weekdays`` are 0 (Monday) to 6 (Sunday); with ``every_weeks = 2`` only every other
    week counts, starting with the week of ``start_date``. Give ``count`` or ``until``.
    """

    frequency: Literal["weekly", "daily"]
    start_date: date
    start_time: time
    timezone: str
    weekdays: tuple[int, ...] = ()
    every_weeks: int = 1
    count: int | None = None
    until: date | None = None

    def __post_init__(self) -> None:
        if self.frequency not in ("weekly", "daily"):
            raise LifecycleError(f"frequency {self.frequency!r} is not weekly or daily")
        if (self.count is None) == (self.until is None):
            raise LifecycleError("a recurrence needs exactly one of count and until")
        if self.count is not None and not 1 <= self.count <= MAX_OCCURRENCES:
            raise LifecycleError(f"count must be 1..{MAX_OCCURRENCES}, got {self.count}")
        if self.until is not None and self.until < self.start_date:
            raise LifecycleError("until is before start_date")
        if self.every_weeks < 1:
            raise LifecycleError("every_weeks must be >= 1")
        if self.frequency == "weekly":
            if not self.weekdays:
                raise LifecycleError("a weekly recurrence needs weekdays")
            if any(not 0 <= d <= 6 for d in self.weekdays):
                raise LifecycleError("weekdays are 0 (Monday) to 6 (Sunday)")
        try:
            known_zone(self.timezone)
        except ValueError as error:
            raise LifecycleError(str(error)) from None
        object.__setattr__(self, "weekdays", tuple(sorted(set(self.weekdays))))

    @classmethod
    def weekly(
        cls,
        start_date: date,
        weekdays: tuple[int, ...],
        *,
        start_time: time,
        timezone: str,
        every_weeks: int = 1,
        count: int | None = None,
        until: date | None = None,
    ) -> Recurrence:
        return cls(
            frequency="weekly",
            start_date=start_date,
            start_time=start_time,
            timezone=timezone,
            weekdays=weekdays,
            every_weeks=every_weeks,
            count=count,
            until=until,
        )

    @classmethod
    def daily(cls, start_date: date, *, days: int, start_time: time, timezone: str) -> Recurrence:
        """A long placement: one visit a day for ``days`` days."""
        return cls(
            frequency="daily",
            start_date=start_date,
            start_time=start_time,
            timezone=timezone,
            count=days,
        )

    @classmethod
    def from_payload(cls, schedule: Mapping[str, Any]) -> Recurrence:
        """From an ``order_contracted`` event's ``schedule`` (JSON values)."""
        until = schedule.get("until")
        return cls(
            frequency=schedule["frequency"],
            start_date=date.fromisoformat(str(schedule["start_date"])),
            start_time=time.fromisoformat(str(schedule["start_time"])),
            timezone=str(schedule["timezone"]),
            weekdays=tuple(int(d) for d in schedule.get("weekdays") or ()),
            every_weeks=int(schedule.get("every_weeks") or 1),
            count=None if schedule.get("count") is None else int(schedule["count"]),
            until=None if until is None else date.fromisoformat(str(until)),
        )

    def dates(self) -> list[date]:
        """The occurrence dates, in order."""
        out: list[date] = []
        week_zero = self.start_date - timedelta(days=self.start_date.weekday())
        day = self.start_date
        while len(out) < MAX_OCCURRENCES:
            if self.until is not None and day > self.until:
                break
            if self.count is not None and len(out) >= self.count:
                break
            if self.frequency == "daily" or (
                day.weekday() in self.weekdays
                and ((day - week_zero).days // 7) % self.every_weeks == 0
            ):
                out.append(day)
            day += timedelta(days=1)
        return out

    def starts(self) -> list[datetime]:
        """The occurrence start times, timezone-aware.

        On a daylight-saving day a start time the clocks skip moves forward by the gap
        (02:30 becomes 03:30 when 02:00 jumps to 03:00) and one they repeat is its first
        occurrence, as in RFC 5545 calendars.
        """
        zone = ZoneInfo(self.timezone)
        walls = (datetime.combine(day, self.start_time, tzinfo=zone) for day in self.dates())
        return [utc(wall).astimezone(zone) for wall in walls]


@dataclass(frozen=True, kw_only=True)
class VisitTemplate:
    """What each visit of a recurring order needs; ``window_minutes`` widens its start."""

    duration_minutes: int
    service_type: str | None = None
    window_minutes: int = 0
    lat: float | None = None
    lon: float | None = None
    required_skills: str = ""
    min_experience_years: float = 0.0
    required_certificates: tuple[str, ...] = ()
    workers_needed: int = 1
    gender_required: str | None = None
    language_required: tuple[str, ...] = ()
    priority: int = 3
    needs_car: bool = False
    price: Decimal | None = None
    due_minutes: int | None = None
    """Soft latest start (home-care ``due_start``) of each visit, minutes after its start;
    at most ``window_minutes``."""

    @classmethod
    def from_payload(cls, visit: Mapping[str, Any]) -> VisitTemplate:
        """From an ``order_contracted`` event's ``visit`` (JSON values)."""
        price = visit.get("price")
        return cls(
            duration_minutes=int(visit["duration_minutes"]),
            service_type=visit.get("service_type"),
            window_minutes=int(visit.get("window_minutes") or 0),
            lat=visit.get("lat"),
            lon=visit.get("lon"),
            required_skills=str(visit.get("required_skills") or ""),
            min_experience_years=float(visit.get("min_experience_years") or 0.0),
            required_certificates=tuple(visit.get("required_certificates") or ()),
            workers_needed=int(visit.get("workers_needed") or 1),
            gender_required=visit.get("gender_required"),
            language_required=tuple(visit.get("language_required") or ()),
            priority=int(visit.get("priority") or 3),
            needs_car=bool(visit.get("needs_car")),
            price=None if price is None else Decimal(str(price)),
            due_minutes=None if visit.get("due_minutes") is None else int(visit["due_minutes"]),
        )


def expand(
    recurrence: Recurrence,
    template: VisitTemplate,
    *,
    order_id: str,
    customer_id: str,
    service_type: str,
) -> list[tuple[str, JobSpec]]:
    """One ``(visit_id, job)`` per occurrence; ids are ``<order_id>-001``, ``-002``, ...

    ``service_type`` is used when the template does not name one.
    """
    jobs = []
    for number, start in enumerate(recurrence.starts(), start=1):
        job = JobSpec(
            order_id=order_id,
            customer_id=customer_id,
            service_type=template.service_type or service_type,
            lat=template.lat,
            lon=template.lon,
            earliest_start=start,
            latest_start=add_minutes(start, template.window_minutes),
            duration_minutes=template.duration_minutes,
            required_skills=template.required_skills,
            min_experience_years=template.min_experience_years,
            required_certificates=template.required_certificates,
            workers_needed=template.workers_needed,
            gender_required=template.gender_required,
            language_required=template.language_required,
            priority=template.priority,
            needs_car=template.needs_car,
            price=template.price,
            due_start=(
                None if template.due_minutes is None else add_minutes(start, template.due_minutes)
            ),
        )
        jobs.append((f"{order_id}-{number:03d}", job))
    return jobs


def jobs_frame(jobs: list[tuple[str, JobSpec]]) -> pd.DataFrame:
    """Expanded visits as a ``jobs`` table of the dispatch contract (cells as strings)."""
    # pandas and the dataset contract only here: contracting an order expands its visits
    # on the path of a single command, which should not wait for them.
    import pandas as pd

    from matchmaker.lifecycle._contract import JOB_COLUMNS, job_row

    return pd.DataFrame([job_row(visit_id, job) for visit_id, job in jobs], columns=JOB_COLUMNS)
