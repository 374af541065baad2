"""Time arithmetic that holds on daylight-saving days: every instant goes through UTC.

Python adds a ``timedelta`` to an aware datetime on its wall clock, and compares or
subtracts two datetimes that share a tzinfo by their wall clocks too, ignoring the UTC
offset. With a zone like ``Europe/Berlin`` that is an hour wrong across a clock change:
08:00 plus 420 minutes on 2027-03-28 is not 15:00 real time later when the clocks jumped
at 02:00 in between. So solver minutes become datetimes, and datetimes are shifted,
compared and subtracted, only here and only in UTC; a result is turned back into a local
zone for display alone.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo

__all__ = ["add_minutes", "elapsed_minutes", "utc"]


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
