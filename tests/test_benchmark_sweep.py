"""The sweep's own checks of the next day's round (``benchmarks/sweep_orders.py``): each
fails on the round a wrong schedule change would leave, and passes on the right one."""

from __future__ import annotations

from pathlib import Path

import pytest
from benchmarks.sweep_commands import Sweep
from benchmarks.sweep_orders import ScheduleChange


def _round(*jobs: tuple[str, int]) -> list[dict[str, str]]:
    rows = [{"job_id": "J00001", "duration_minutes": "60"}]
    return rows + [{"job_id": job, "duration_minutes": str(minutes)} for job, minutes in jobs]


@pytest.mark.parametrize(
    ("change", "right", "wrong"),
    [
        (ScheduleChange(kind="pause"), _round(), _round(("OS1-002", 120))),
        (ScheduleChange(kind="resume"), _round(("OS1-002-2", 120)), _round(("OS1-002", 120))),
        (ScheduleChange(kind="resume"), _round(("OS1-002-2", 120)), _round()),
        (
            ScheduleChange(kind="amend", duration=90),
            _round(("OS1-r1-002", 90)),
            _round(("OS1-r1-002", 120)),
        ),
        (
            ScheduleChange(kind="amend", duration=90),
            _round(("OS1-r1-002", 90)),
            _round(("OS1-r1-002", 90), ("OS1-002", 120)),
        ),
    ],
)
def test_a_schedule_change_is_checked_on_the_next_round(
    change: ScheduleChange, right: list[dict[str, str]], wrong: list[dict[str, str]]
) -> None:
    """The round must hold exactly the recurring order's visit the change leaves: none when
    paused, the resumed one under its new id, the amended one with its new duration."""
    sweep = Sweep("matchmaker")
    change.check(sweep, right, Path("next"))
    assert sweep.failures == []
    change.check(sweep, wrong, Path("next"))
    assert len(sweep.failures) == 1 and f"OS1 {change.kind}d" in sweep.failures[0]
