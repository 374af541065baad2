"""Live dispatch with break rules: an option (recommend, slots, why) is offered only when
every shift it changes still holds its breaks; it carries the re-placed breaks, the plan
it makes verifies (rule ``breaks`` included), and a break that blocks a worker is named
with the reason code ``BREAK``."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matchmaker.live import apply_option, explain_worker, recommend, slots
from matchmaker.live._options import Recommendation, applied_breaks
from matchmaker.model import BreakRule, Dataset, DatasetSettings, TimeWindow
from matchmaker.plan import Plan, ReasonCode, UnassignedJob, verify
from tests.live.break_plans import plan_with_breaks
from tests.rules.test_breaks import _round
from tests.rules.world import at, job, shift, worker, world

_SLOW = [HealthCheck.too_slow, HealthCheck.data_too_large]


def _first_job_only(dataset: Dataset) -> Plan:
    """The plan of ``dataset``'s first job alone (J1 09:00-11:30, lunch 11:30-12:30), with
    J2 listed unassigned."""
    alone = replace(dataset, jobs=dataset.jobs[:1])
    plan = plan_with_breaks(alone)
    assert [(b.start, b.end) for b in plan.breaks] == [(at(11, 30), at(12, 30))]
    missing = UnassignedJob(job_id="J2", reason_code=ReasonCode.CAPACITY, reason="-")
    return replace(plan, unassigned=(missing,))


def _spans(pauses: tuple[object, ...]) -> list[tuple[datetime, datetime]]:
    return [(p.start, p.end) for p in pauses]  # type: ignore[attr-defined]


def test_an_option_that_leaves_no_room_for_lunch_is_not_offered() -> None:
    """J2 (three hours, start by 12:00) fits after J1 at 11:40 without the lunch rule, but
    then the 60-minute lunch that must start 11:30-12:00 has no room: with the rule no
    option is offered and the note names the break and BREAK."""
    free = _round(at(12), breaks=False)
    plan = plan_with_breaks(replace(free, jobs=free.jobs[:1]))
    plan = replace(plan, unassigned=_first_job_only(_round(at(12))).unassigned)
    unbound = recommend(free, plan, "J2")
    assert [o.assignments[0].start for o in unbound.options] == [at(11, 40)]

    dataset = _round(at(12))
    found = recommend(dataset, _first_job_only(dataset), "J2", max_moves=3)
    assert found.options == ()
    assert "break" in found.note and ReasonCode.BREAK.value in found.note


def test_an_option_after_lunch_carries_the_break_and_the_applied_plan_verifies() -> None:
    """With J2 allowed to start until 13:00, the option is J2 at 12:30, after the lunch
    11:30-12:30; the option lists that break and the plan it makes holds it and verifies."""
    dataset = _round(at(13))
    plan = _first_job_only(dataset)
    found = recommend(dataset, plan, "J2")
    (option,) = found.options
    assert option.assignments[0].start == at(12, 30)
    assert _spans(option.breaks) == [(at(11, 30), at(12, 30))]
    assert "breaks W1 11:30-12:30" in option.reason
    assert option.to_dict()["breaks"] == [
        {"worker_id": "W1", "start": at(11, 30).isoformat(), "end": at(12, 30).isoformat()}
    ]
    applied = apply_option(found, plan, option, policy=dataset.settings.policy)
    assert verify(dataset, applied) == []
    assert applied.breaks == option.breaks


def _movable_lunch() -> Dataset:
    """W1 08:00-16:00 with a 30-minute lunch starting 11:30-13:00; J1 09:00-11:30; N (one
    hour) must start at 11:30 sharp."""
    lunch = BreakRule(name="lunch", min_minutes=30, earliest_start="11:30", latest_start="13:00")
    return world(
        workers=[worker("W1", shifts=(shift(8, 16),))],
        jobs=[
            job("J1", window=TimeWindow(start=at(9), end=at(9)), duration_minutes=150),
            job("N", window=TimeWindow(start=at(11, 30), end=at(11, 30)), duration_minutes=60),
        ],
        settings=DatasetSettings(breaks=(lunch,)),
    )


def test_inserting_a_job_moves_the_break_within_its_window() -> None:
    """The plan has lunch 11:30-12:00; N at 11:30 takes that time, so the option moves the
    lunch to 12:30-13:00 (still inside its window) and the applied plan verifies."""
    dataset = _movable_lunch()
    plan = plan_with_breaks(replace(dataset, jobs=dataset.jobs[:1]))
    assert _spans(plan.breaks) == [(at(11, 30), at(12))]
    plan = replace(
        plan, unassigned=(UnassignedJob(job_id="N", reason_code=ReasonCode.CAPACITY, reason="-"),)
    )
    found = recommend(dataset, plan, "N")
    (option,) = found.options
    assert option.assignments[0].start == at(11, 30)
    assert _spans(option.breaks) == [(at(12, 30), at(13))]
    applied = apply_option(found, plan, option, policy=dataset.settings.policy)
    assert verify(dataset, applied) == []
    assert _spans(applied.breaks) == [(at(12, 30), at(13))]


def test_a_new_order_gets_only_options_that_leave_room_for_lunch() -> None:
    """J2 as a new order (not in the plan's dataset): by 12:00 it gets no option, by 13:00
    one at 12:30 whose applied plan verifies on the round with the order added."""
    for latest, starts in ((at(12), []), (at(13), [at(12, 30)])):
        full = _round(latest)
        dataset = replace(full, jobs=full.jobs[:1])
        plan = plan_with_breaks(dataset)
        found = recommend(dataset, plan, full.job("J2"))
        assert [o.assignments[0].start for o in found.options] == starts
        for option in found.options:
            applied = apply_option(found, plan, option, policy=dataset.settings.policy)
            assert verify(found.dataset, applied) == []


def test_slots_leave_out_windows_that_leave_no_room_for_lunch() -> None:
    """A three-hour request for 11:00-14:00 in one-hour windows: the 11:00 window (J2
    right after J1 at 11:30 would take the lunch) is not offered; the 12:00 window is, at
    12:30, with one worker able, and its option verifies once applied."""
    dataset = replace(_round(at(13)), jobs=_round(at(13)).jobs[:1])
    plan = plan_with_breaks(dataset)
    request = job("REQ", window=TimeWindow(start=at(11), end=at(14)), duration_minutes=180)
    found = slots(dataset, plan, request, start_day=at(11).date(), days=1, window=60)
    starts = [s.start for s in found]
    assert at(11) not in starts and at(12) in starts
    noon = next(s for s in found if s.start == at(12))
    assert noon.option.assignments[0].start == at(12, 30)
    assert noon.workers_able == 1
    added = replace(
        request,
        job_id=noon.option.assignments[0].job_id,
        window=TimeWindow(start=noon.start, end=noon.end),
    )
    recommendation = Recommendation(
        job_id=added.job_id, options=(noon.option,), base=dataset, added=added
    )
    applied = apply_option(recommendation, plan, noon.option, policy=dataset.settings.policy)
    assert verify(recommendation.dataset, applied) == []


def test_why_names_the_break_when_it_is_what_blocks_the_worker() -> None:
    """By 12:00 W1 could take J2 only without their lunch: the verdict names rule breaks,
    the rule lunch and BREAK (in Chinese too); by 13:00 they can take it after lunch."""
    dataset = _round(at(12))
    verdict = explain_worker(
        dataset, _first_job_only(dataset), "J2", "W1", policy=dataset.settings.policy
    )
    assert verdict.rules == ("breaks",)
    assert verdict.status in ("no_room", "must_drop")
    assert "lunch (60-90 minutes starting 11:30-12:00)" in verdict.detail
    assert ReasonCode.BREAK.value in verdict.detail
    assert "lunch（60-90 分钟，11:30-12:00 之间开始）" in verdict.said["zh"]
    later = _round(at(13))
    verdict = explain_worker(
        later, _first_job_only(later), "J2", "W1", policy=later.settings.policy
    )
    assert verdict.status == "can_take"
    assert verdict.rules == ()


@settings(max_examples=50, deadline=None, suppress_health_check=_SLOW)
@given(data=st.data(), max_moves=st.sampled_from([0, 1, 3]))
def test_every_option_on_a_random_plan_with_breaks_verifies(
    data: st.DataObject, max_moves: int
) -> None:
    """On random rounds with break rules (lunch, sometimes tea, for all or some workers), a
    job taken out of the plan and every unassigned job get options whose applied plans
    verify, rule breaks included, and hold the breaks each option lists."""
    from tests.strategies import datasets

    dataset = data.draw(datasets(max_workers=5, max_jobs=7, pins=False, breaks=True))
    plan = plan_with_breaks(dataset)
    served = sorted({a.job_id for a in plan.assignments})
    targets = [u.job_id for u in plan.unassigned]
    if served:
        taken = data.draw(st.sampled_from(served))
        plan = plan_with_breaks(
            replace(dataset, jobs=tuple(j for j in dataset.jobs if j.job_id != taken))
        )
        plan = replace(
            plan,
            unassigned=(
                *plan.unassigned,
                UnassignedJob(job_id=taken, reason_code=ReasonCode.CAPACITY, reason="-"),
            ),
        )
        assert verify(dataset, plan) == []
        targets = [u.job_id for u in plan.unassigned]
    policy = dataset.settings.policy
    for target in targets:
        found = recommend(dataset, plan, target, k=3, policy=policy, max_moves=max_moves)
        for option in found.options:
            applied = apply_option(found, plan, option, policy=policy)
            assert verify(found.dataset, applied) == [], option
            assert set(option.breaks) <= set(applied.breaks), option
            assert applied_breaks(found.dataset, plan, option) == applied.breaks, option
