"""Hard rule: every shift with work holds the breaks of its ``[[breaks]]`` rules, each in
its window, of its length, beside the jobs and the travel."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from matchmaker.io import input_json_schemas
from matchmaker.model import (
    BreakRule,
    Dataset,
    DatasetSettings,
    Location,
    RequestError,
    Shift,
    TimeWindow,
    add_minutes,
)
from matchmaker.plan import Break, Plan, ReasonCode, dispatch, explain_job, localize_reason, verify
from tests.rules.world import at, job, plan_of, rules_broken, shift, worker, world

RULE = "breaks"

LUNCH = BreakRule(
    name="lunch",
    min_minutes=60,
    max_minutes=90,
    earliest_start="11:30",
    latest_start="12:00",
    min_shift_minutes=360,
)
"""A 60-90 minute break starting 11:30-12:00 for shifts over six hours."""


def _round(second_latest: datetime, *, breaks: bool = True, **worker_changes: object) -> Dataset:
    """One worker on 08:00-16:00; J1 runs 09:00-11:30; J2 (three hours) may start from
    11:40 to ``second_latest``. Without the lunch break J2 fits at 11:40."""
    return world(
        workers=[worker("W1", shifts=(shift(8, 16),), **worker_changes)],
        jobs=[
            job("J1", window=TimeWindow(start=at(9), end=at(9)), duration_minutes=150),
            job("J2", window=TimeWindow(start=at(11, 40), end=second_latest), duration_minutes=180),
        ],
        settings=DatasetSettings(breaks=(LUNCH,) if breaks else ()),
    )


def _routing(dataset):  # type: ignore[no-untyped-def]
    result = dispatch(dataset, solver="routing", time_limit=1.0, seed=0)
    assert verify(dataset, result.plan) == []
    return result


def _with_breaks(plan: Plan, *pauses: tuple[datetime, datetime]) -> Plan:
    return Plan(
        assignments=plan.assignments,
        unassigned=plan.unassigned,
        kpis={},
        breaks=tuple(Break(worker_id="W1", start=s, end=e) for s, e in pauses),
    )


def test_without_the_break_the_job_fits_at_noon() -> None:
    """The world where the rule binds: with no break rule both jobs are served, J2 at
    11:40, and the plan has no break."""
    result = _routing(_round(at(12), breaks=False))
    starts = {a.job_id: a.start for a in result.plan.assignments}
    assert starts == {"J1": at(9), "J2": at(11, 40)}
    assert result.plan.breaks == ()


def test_the_break_moves_the_job() -> None:
    """With the lunch break, J2 waits until the break is over (12:30 at the earliest) and
    the plan holds the break, 11:30-12:30."""
    result = _routing(_round(at(13)))
    starts = {a.job_id: a.start for a in result.plan.assignments}
    assert starts["J2"] >= at(12, 30)
    assert [(b.worker_id, b.start, b.end) for b in result.plan.breaks] == [
        ("W1", at(11, 30), at(12, 30))
    ]


def test_a_job_that_fits_only_without_the_break_is_unserved_with_code_break() -> None:
    """J2 must start by 12:00, when the worker is on lunch: it is left out, code BREAK,
    and explain says the same."""
    dataset = _round(at(12))
    result = _routing(dataset)
    assert {a.job_id for a in result.plan.assignments} == {"J1"}
    (left,) = result.plan.unassigned
    assert left.job_id == "J2"
    assert left.reason_code is ReasonCode.BREAK
    assert "break" in left.reason
    explained = explain_job(dataset, result.plan, "J2", policy=result.policy)
    assert explained.reason_code is ReasonCode.BREAK


def test_a_worker_without_breaks_takes_the_job() -> None:
    """workers.breaks = none (an empty tuple): the worker takes no break and J2 fits at
    11:40 again."""
    result = _routing(_round(at(12), breaks=()))
    assert {a.job_id for a in result.plan.assignments} == {"J1", "J2"}
    assert result.plan.breaks == ()


def test_a_shift_with_no_job_needs_no_break() -> None:
    """A worker with no job needs no break: a plan serving nothing verifies, and the
    solver writes no break for an unused shift."""
    dataset = _round(at(12))
    assert verify(dataset, plan_of(dataset)) == []
    idle = world(
        workers=[worker("W1", shifts=(shift(8, 16),)), worker("W2", shifts=(shift(8, 16),))],
        jobs=[job("J1", window=TimeWindow(start=at(9), end=at(9)), duration_minutes=60)],
        settings=DatasetSettings(breaks=(LUNCH,)),
    )
    result = _routing(idle)
    (served,) = result.plan.assignments
    assert [b.worker_id for b in result.plan.breaks] == [served.worker_id]


def test_a_short_shift_needs_no_break() -> None:
    """min_shift_minutes 360: a six-hour shift (not over six) needs no break."""
    dataset = world(
        workers=[worker("W1", shifts=(shift(8, 14),))],
        settings=DatasetSettings(breaks=(LUNCH,)),
    )
    assert rules_broken(dataset, plan_of(dataset, ("J1", "W1", at(9)))) == set()


@pytest.mark.parametrize("solver", ["greedy", "cpsat"])
def test_backends_without_breaks_refuse(solver: str) -> None:
    """Greedy and CP-SAT do not model breaks: they refuse the round naming the rule."""
    with pytest.raises(RequestError, match=r"breaks \(\[\[breaks\]\] in dataset.toml\)"):
        dispatch(_round(at(13)), solver=solver, time_limit=1.0)


@pytest.mark.parametrize("split", ["days", "zones"])
def test_split_solving_plans_the_break(split: str) -> None:
    """Solved in pieces (by day, or in one zone), the routing backend plans the break as
    on the whole round: J2 after it, the break 11:30-12:30, a verified plan."""
    dataset = _round(at(13))
    result = dispatch(dataset, solver="routing", time_limit=1.0, split=split, zones=1)  # type: ignore[arg-type]
    assert verify(dataset, result.plan) == []
    assert result.solution.stats["pieces"] == 1
    assert {a.job_id for a in result.plan.assignments} == {"J1", "J2"}
    assert [(b.start, b.end) for b in result.plan.breaks] == [(at(11, 30), at(12, 30))]


def test_greedy_split_still_refuses() -> None:
    """The greedy backend does not model breaks in pieces either: it refuses before any
    piece is solved."""
    with pytest.raises(RequestError, match="breaks"):
        dispatch(_round(at(13)), solver="greedy", time_limit=1.0, split="days")


# --- the verifier -------------------------------------------------------------------


def _served_both() -> tuple[Dataset, Plan]:
    """J1 09:00-11:30 and J2 from 12:30, by hand; the round has the lunch rule."""
    dataset = _round(at(13))
    return dataset, plan_of(dataset, ("J1", "W1", at(9)), ("J2", "W1", at(12, 30)))


def test_a_good_break_passes() -> None:
    """A 60-minute break at 11:30 between the jobs breaks no rule."""
    dataset, plan = _served_both()
    assert verify(dataset, _with_breaks(plan, (at(11, 30), at(12, 30)))) == []


def test_a_missing_break_is_reported() -> None:
    """No break at all: the rule names the worker, the break and its window."""
    dataset, plan = _served_both()
    violations = verify(dataset, plan)
    assert {v.rule for v in violations} == {RULE}
    (found,) = violations
    assert found.worker_id == "W1"
    assert "lunch" in found.message and "11:30" in found.message and "none" in found.message


def test_a_short_break_is_reported() -> None:
    """A 30-minute break in the window is too short for a 60-90 minute rule."""
    dataset, plan = _served_both()
    violations = verify(dataset, _with_breaks(plan, (at(11, 30), at(12))))
    assert {v.rule for v in violations} == {RULE}
    assert "too short" in violations[0].message


def test_a_long_break_is_reported() -> None:
    """A two-hour break is longer than max_minutes (90)."""
    dataset = _round(at(12))
    plan = plan_of(dataset, ("J1", "W1", at(9)))
    violations = verify(dataset, _with_breaks(plan, (at(11, 30), at(13, 30))))
    assert {v.rule for v in violations} == {RULE}
    assert "too long" in violations[0].message


def test_a_break_outside_its_window_is_reported() -> None:
    """A break at 15:40 (after J2) is outside 11:30-12:00."""
    dataset = _round(at(12))
    plan = plan_of(dataset, ("J1", "W1", at(9)), ("J2", "W1", at(11, 40)))
    violations = verify(dataset, _with_breaks(plan, (at(14, 40), at(15, 40))))
    assert {v.rule for v in violations} == {RULE}
    assert "outside that window" in violations[0].message


def test_a_break_during_a_job_is_reported() -> None:
    """A break at 11:45 while J2 runs (11:40-14:40) overlaps the job."""
    dataset = _round(at(12))
    plan = plan_of(dataset, ("J1", "W1", at(9)), ("J2", "W1", at(11, 40)))
    violations = verify(dataset, _with_breaks(plan, (at(11, 45), at(12, 45))))
    assert RULE in {v.rule for v in violations}
    assert any("during job J2" in v.message for v in violations)


def test_travel_must_fit_around_the_break() -> None:
    """J2 is about half an hour's drive away; starting right after the break leaves no
    time for the trip (the gap must hold the travel and the break). The solver starts J2
    later."""
    dataset = world(
        workers=[worker("W1", shifts=(shift(8, 16),))],
        jobs=[
            job("J1", window=TimeWindow(start=at(9), end=at(9)), duration_minutes=150),
            job(
                "J2",
                location=Location(lat=31.30, lon=121.55),
                window=TimeWindow(start=at(11, 40), end=at(14)),
                duration_minutes=60,
            ),
        ],
        settings=DatasetSettings(breaks=(LUNCH,)),
    )
    plan = plan_of(dataset, ("J1", "W1", at(9)), ("J2", "W1", at(12, 30)))
    violations = verify(dataset, _with_breaks(plan, (at(11, 30), at(12, 30))))
    assert {v.rule for v in violations} == {RULE}
    assert "travel" in violations[0].message
    routed = _routing(dataset)
    starts = {a.job_id: a.start for a in routed.plan.assignments}
    assert set(starts) == {"J1", "J2"}
    assert starts["J2"] > at(12, 30)


def test_a_break_outside_every_shift_is_reported() -> None:
    """A break row at 07:00, before the shift starts, is reported."""
    dataset, plan = _served_both()
    pauses = _with_breaks(plan, (at(11, 30), at(12, 30)), (at(7), add_minutes(at(7), 15)))
    violations = verify(dataset, pauses)
    assert any("outside every shift" in v.message for v in violations)


# --- a clock change on the day ------------------------------------------------------


def test_the_window_is_local_time_on_a_daylight_saving_day() -> None:
    """Berlin springs forward at 02:00 on 2027-03-28: the 11:30 window is 11:30 CEST
    (09:30 UTC), not an hour off. The plan's break starts at 11:30 local and verifies; a
    break at 10:30 local (11:30 on the winter offset) is outside the window."""
    zone = ZoneInfo("Europe/Berlin")

    def local(hour: int, minute: int = 0) -> datetime:
        return datetime(2027, 3, 28, hour, minute, tzinfo=zone)

    dataset = world(
        workers=[worker("W1", shifts=(Shift(start=local(1), end=local(16)),))],
        jobs=[
            job("J1", window=TimeWindow(start=local(9), end=local(9)), duration_minutes=150),
            job("J2", window=TimeWindow(start=local(11, 40), end=local(13)), duration_minutes=180),
        ],
        settings=DatasetSettings(timezone="Europe/Berlin", breaks=(LUNCH,)),
    )
    result = _routing(dataset)
    (pause,) = result.plan.breaks
    assert pause.start.astimezone(zone).time() == local(11, 30).time()
    assert pause.start.astimezone(UTC).hour == 9
    served = plan_of(dataset, ("J1", "W1", local(9)), ("J2", "W1", local(12, 40)))
    wrong = _with_breaks(served, (local(10, 30), local(11, 30)))
    assert {v.rule for v in verify(dataset, wrong)} == {RULE}
    assert verify(dataset, _with_breaks(served, (local(11, 30), local(12, 30)))) == []


def test_the_break_code_is_localised_and_the_column_has_a_schema() -> None:
    """A BREAK sentence says its code's words in Chinese too, and ``matchmaker schema
    workers`` documents the breaks column."""
    said = localize_reason("BREAK: 1 of 1 worker eligible - it fits in free time", "zh")
    assert said.startswith("BREAK（与休息时间冲突）")
    column = input_json_schemas()["workers"]["properties"]["breaks"]
    assert "none = no break" in column["description"]
