"""Time arithmetic that holds on daylight-saving days: every instant goes through UTC.

Python adds a ``timedelta`` to an aware datetime on its wall clock, and compares or
subtracts two datetimes that share a tzinfo by their wall clocks too, ignoring the UTC
offset. With a zone like ``Europe/Berlin`` that is an hour wrong across a clock change:
08:00 plus 420 minutes on 2027-03-28 is not 15:00 real time later when the clocks jumped
at 02:00 in between. So solver minutes become datetimes, and datetimes are shifted,
compared and subtracted, only here and only in UTC; a result is turned back into a local
zone for display alone.

This is also the one place that says which local zone, which day and which origin a
round's times are read against (docs/design.md section 5): :func:`local_zone`,
:func:`horizon_start` and :func:`minutes_from` for the solver's integer minutes, and the
two dates a job counts as on: :func:`latest_start_day` (what eligibility checks documents
against before solving) and :func:`planned_day` (what the verifier checks them against,
and what numbers a worker's day in a plan).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matchmaker.model._domain import Dataset, Job

__all__ = [
    "add_minutes",
    "elapsed_minutes",
    "horizon_start",
    "latest_start_day",
    "local_zone",
    "minutes_from",
    "planned_day",
    "utc",
]

_MICROS_PER_MINUTE = 60_000_000


def utc(moment: datetime) -> datetime:
    """``moment`` as a UTC datetime (the same instant); ``moment`` must be aware."""
    return moment.astimezone(UTC)


def add_minutes(moment: datetime, minutes: float, zone: tzinfo | None = None) -> datetime:
    """The instant ``minutes`` of real time after ``moment``, shown in ``zone``.

    ``zone`` defaults to ``moment``'s own tzinfo, so a local time stays local (with the
    right UTC offset on the far side of a clock change).
    """
    later = utc(moment) + timedelta(minutes=minutes)
    return later.astimezone(moment.tzinfo if zone is None else zone)


def elapsed_minutes(start: datetime, end: datetime) -> float:
    """Minutes of real time from ``start`` to ``end`` (negative when ``end`` comes first)."""
    return (utc(end) - utc(start)).total_seconds() / 60


def minutes_from(origin: datetime, moment: datetime, *, round_up: bool) -> int:
    """Whole minutes of real time from ``origin`` to ``moment``, rounded up or down."""
    delta = utc(moment) - utc(origin)
    micros = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
    if round_up:
        return -(-micros // _MICROS_PER_MINUTE)
    return micros // _MICROS_PER_MINUTE


# --- a round's local time -------------------------------------------------------------


def local_zone(dataset: Dataset) -> tzinfo:
    """The dataset's local time: ``dataset.toml``'s timezone, else that of the earliest time.

    The earliest of shift starts, job earliest starts and pinned starts gives its own UTC
    offset (or zone) when the dataset names no timezone; UTC when there is no time at all.
    """
    zone = dataset.settings.zone
    if zone is not None:
        return zone
    first = _earliest_moment(dataset)
    if first is None or first.tzinfo is None:
        return UTC
    return first.tzinfo


def _earliest_moment(dataset: Dataset) -> datetime | None:
    moments: list[datetime] = [s.start for w in dataset.workers for s in w.shifts]
    moments.extend(j.earliest_start for j in dataset.jobs)
    moments.extend(j.pinned_start for j in dataset.jobs if j.pinned_start is not None)
    return min(moments) if moments else None


def horizon_start(dataset: Dataset, zone: tzinfo | None = None) -> datetime:
    """Midnight (in ``zone``, default :func:`local_zone`) of the day of the earliest time."""
    zone = local_zone(dataset) if zone is None else zone
    first = _earliest_moment(dataset)
    if first is None:
        return datetime(1970, 1, 1, tzinfo=UTC)
    midnight = datetime.combine(first.astimezone(zone).date(), time(0), tzinfo=zone)
    # Midnight can fall into a daylight-saving gap in a few zones; never start after the
    # first moment, or its minute would be negative. Step back in real time (UTC).
    instant = utc(midnight)
    while instant > utc(first):
        instant -= timedelta(hours=1)
    return midnight if instant == utc(midnight) else instant.astimezone(zone)


# --- the date a job counts as on ------------------------------------------------------


def latest_start_day(job: Job, zone: tzinfo) -> date:
    """The date documents must be valid on before solving: the job's latest start's date in
    ``zone``.

    Validity only ends (an expiry date), so a document valid on the latest possible start
    date is valid on every start date a solver may pick, and :func:`planned_day` of any
    such start agrees.
    """
    return job.latest_start.astimezone(zone).date()


def planned_day(dataset: Dataset, start: datetime) -> date:
    """The date a planned job counts as on: the start's date in the dataset timezone, else
    in the start's own offset."""
    zone = dataset.settings.zone
    return (start.astimezone(zone) if zone is not None else start).date()
