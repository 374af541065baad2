"""The sweep's own checks of the next day's round (``benchmarks/sweep_orders.py``): each
fails on the round a wrong schedule change would leave, and passes on the right one."""

from __future__ import annotations

from pathlib import Path

import pytest
from benchmarks.sweep_commands import Sweep
from benchmarks.sweep_orders import ScheduleChange, Terms

TERMS = Terms(customer={"customer_id": "C1"}, start_time="08:00", timezone="Europe/Berlin")
"""A recurring order at 08:00 in Berlin; its next visit is on 28 March 2027, the day the
clocks jump from 02:00 to 03:00 (08:00 is then 06:00 UTC, not 07:00)."""
DAY = "2027-03-28"
RIGHT = "2027-03-28T08:00:00+02:00"
AN_HOUR_OFF = "2027-03-28T08:00:00+01:00"


def _round(*jobs: tuple[str, int, str]) -> list[dict[str, str]]:
    rows = [{"job_id": "J00001", "duration_minutes": "60", "earliest_start": RIGHT}]
    return rows + [
        {"job_id": job, "duration_minutes": str(minutes), "earliest_start": start}
        for job, minutes, start in jobs
    ]


def _change(kind: str, duration: int = 120) -> ScheduleChange:
    return ScheduleChange(kind=kind, terms=TERMS, day=DAY, duration=duration)


@pytest.mark.parametrize(
    ("change", "right", "wrong"),
    [
        (_change("pause"), _round(), _round(("OS1-002", 120, RIGHT))),
        (_change("resume"), _round(("OS1-002-2", 120, RIGHT)), _round(("OS1-002", 120, RIGHT))),
        (_change("resume"), _round(("OS1-002-2", 120, RIGHT)), _round()),
        (
            _change("resume"),
            _round(("OS1-002-2", 120, RIGHT)),
            _round(("OS1-002-2", 120, AN_HOUR_OFF)),
        ),
        (
            _change("amend", 90),
            _round(("OS1-r1-002", 90, RIGHT)),
            _round(("OS1-r1-002", 120, RIGHT)),
        ),
        (
            _change("amend", 90),
            _round(("OS1-r1-002", 90, RIGHT)),
            _round(("OS1-r1-002", 90, RIGHT), ("OS1-002", 120, RIGHT)),
        ),
    ],
)
def test_a_schedule_change_is_checked_on_the_next_round(
    change: ScheduleChange, right: list[dict[str, str]], wrong: list[dict[str, str]]
) -> None:
    """The round must hold exactly the recurring order's visit the change leaves: none when
    paused, the resumed one under its new id, the amended one with its new duration, each
    at the contract's wall-clock time on the day after the clocks changed."""
    sweep = Sweep("matchmaker")
    change.check(sweep, right, Path("next"))
    assert sweep.failures == []
    change.check(sweep, wrong, Path("next"))
    assert len(sweep.failures) == 1 and f"OS1 {change.kind}d" in sweep.failures[0]
