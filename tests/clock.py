"""The one test clock: the timezone and day every hand-built test world lives in.

Tests import ``TZ``, ``DAY`` and ``at`` from here (``tests.rules.world`` re-exports them),
so no test module keeps its own copy.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

__all__ = ["DAY", "TZ", "at"]

TZ = timezone(timedelta(hours=8))
"""UTC+8 (Shanghai has no DST), so local arithmetic in tests is UTC arithmetic."""
DAY = date(2026, 12, 1)
"""Tuesday 1 December 2026, the day of every test round."""


def at(hour: float, minute: float = 0, second: float = 0, *, day: int = 0) -> datetime:
    """``DAY`` (plus ``day`` days) at ``hour:minute:second`` in ``TZ``.

    Built by adding a timedelta to midnight, so ``at(8, 90)`` is 09:30 and fractional
    minutes are allowed.
    """
    midnight = datetime(DAY.year, DAY.month, DAY.day, tzinfo=TZ)
    return midnight + timedelta(days=day, hours=hour, minutes=minute, seconds=second)
