"""Hard rule: a linked visit (``depends_on``) is served only with the visit it follows,
``min_gap`` to ``max_gap`` minutes after its start, by the same or a different worker."""

from __future__ import annotations

from dataclasses import replace

import pytest

from matchmaker.model import (
    Dataset,
    DatasetSettings,
    LimitSettings,
    LinkWorker,
    Location,
    Policy,
    RequestError,
    Shift,
    SkillRequirement,
    TimeWindow,
)
from matchmaker.plan import ReasonCode, dispatch, localize_reason, verify
from tests.rules.world import HOME, at, job, plan_of, rules_broken, shift, worker, world

RULE = "linked_visits"


def _pair(**link: object) -> list:  # type: ignore[type-arg]
    """J1 in the morning, J2 linked to it; both windows wide enough for any gap."""
    first = job("J1", window=TimeWindow(start=at(9), end=at(12)))
    second = job(
        "J2",
        window=TimeWindow(start=at(9), end=at(16)),
        depends_on="J1",
        **link,
    )
    return [first, second]


def _routing(dataset):  # type: ignore[no-untyped-def]
    result = dispatch(dataset, solver="routing", time_limit=1.0, seed=0)
    assert verify(dataset, result.plan) == []
    return result


def test_the_gap_binds() -> None:
    """J2 starts 240-300 minutes after J1, though both could start at nine."""
    dataset = world(workers=[worker("W1"), worker("W2")], jobs=_pair(min_gap=240, max_gap=300))
    result = _routing(dataset)
    starts = {a.job_id: a.start for a in result.plan.assignments}
    assert set(starts) == {"J1", "J2"}
    assert 240 * 60 <= (starts["J2"] - starts["J1"]).total_seconds() <= 300 * 60


def test_different_workers_bind() -> None:
    """A synchronised pair (gap 0) asking for different workers gets two workers who start
    together."""
    dataset = world(
        workers=[worker("W1"), worker("W2")],
        jobs=_pair(min_gap=0, max_gap=0, link_worker=LinkWorker.DIFFERENT),
    )
    result = _routing(dataset)
    by_job = {a.job_id: a for a in result.plan.assignments}
    assert by_job["J1"].worker_id != by_job["J2"].worker_id
    assert by_job["J1"].start == by_job["J2"].start


def test_same_worker_binds() -> None:
    """With link_worker same, the worker of J1 serves J2 even when another is free."""
    dataset = world(
        workers=[worker("W1"), worker("W2")],
        jobs=_pair(min_gap=120, link_worker=LinkWorker.SAME),
    )
    result = _routing(dataset)
    workers = {a.job_id: a.worker_id for a in result.plan.assignments}
    assert workers["J1"] == workers["J2"]


def test_a_visit_whose_partner_cannot_be_served_is_left_out_for_its_dependency() -> None:
    """Nobody can serve J1 (a skill no worker has): J2 is unserved with code DEPENDENCY,
    though a worker could serve it alone."""
    jobs = _pair(min_gap=60)
    jobs[0] = job(
        "J1",
        window=TimeWindow(start=at(9), end=at(12)),
        required_skills=(SkillRequirement(name="nursing", level=3),),
    )
    dataset = world(workers=[worker("W1")], jobs=jobs)
    result = _routing(dataset)
    codes = {u.job_id: u.reason_code for u in result.plan.unassigned}
    assert codes == {"J1": ReasonCode.NO_SKILL, "J2": ReasonCode.DEPENDENCY}
    assert "J1" in next(u.reason for u in result.plan.unassigned if u.job_id == "J2")


def test_the_verifier_reports_each_breach() -> None:
    """A plan with the gap off, or the wrong worker, or without the partner, breaks
    linked_visits and nothing else."""
    two = world(
        workers=[worker("W1"), worker("W2")],
        jobs=_pair(min_gap=240, max_gap=300, link_worker=LinkWorker.DIFFERENT),
    )
    too_soon = plan_of(two, ("J1", "W1", at(9)), ("J2", "W2", at(11)))
    assert rules_broken(two, too_soon) == {RULE}
    same = plan_of(two, ("J1", "W1", at(9)), ("J2", "W1", at(13, 30)))
    assert rules_broken(two, same) == {RULE}
    alone = plan_of(two, ("J2", "W2", at(13, 30)))
    assert rules_broken(two, alone) == {RULE}
    fine = plan_of(two, ("J1", "W1", at(9)), ("J2", "W2", at(13, 30)))
    assert rules_broken(two, fine) == set()


@pytest.mark.parametrize("solver", ["greedy", "cpsat"])
def test_backends_without_the_rule_refuse(solver: str) -> None:
    """Greedy and CP-SAT do not model linked visits: they refuse, naming the rule."""
    dataset = world(workers=[worker("W1"), worker("W2")], jobs=_pair(min_gap=60))
    with pytest.raises(RequestError, match="linked visits"):
        dispatch(dataset, solver=solver, time_limit=1.0)


def test_the_dependency_reason_is_said_in_chinese_too() -> None:
    """A DEPENDENCY sentence localises its code like every other reason."""
    said = localize_reason("DEPENDENCY: it follows job J1, which is not planned", "zh")
    assert said.startswith("DEPENDENCY（关联上门无法衔接）")


def test_a_weekly_cap_drops_the_linked_visit_rather_than_both() -> None:
    """One worker with 60 minutes a week and two linked one-hour visits: the routing search
    serves both and the limit trims one. Dropping J1 would take J2 (which follows it) too,
    so J2 goes, though its priority is higher; the trim keeps J1's start and the plan
    verifies."""
    dataset = world(
        workers=[worker("W1", max_week_minutes=60)],
        jobs=[
            job("J1", window=TimeWindow(start=at(9), end=at(12)), priority=1),
            job("J2", window=TimeWindow(start=at(9), end=at(16)), depends_on="J1", priority=2),
        ],
    )
    served = {a.job_id for a in _routing(dataset).plan.assignments}
    assert served == {"J1"}


@pytest.mark.parametrize("link", [LinkWorker.SAME, LinkWorker.ANY])
def test_a_pinned_visit_its_one_worker_cannot_serve_after_its_partner_is_refused(
    link: LinkWorker,
) -> None:
    """J2 is pinned to W1 at 09:00 and follows J1, which can only start at 09:00 too: with
    the same worker asked for (or W1 the only worker able), J1 would have to end before J2
    starts, so the pin can never be kept; the loader refuses it on J2's row. The random
    rule rounds found it: routing then served J2 without J1."""
    from matchmaker.io._pins import check_pins

    jobs = [
        job("J1", window=TimeWindow(start=at(9), end=at(9))),
        job(
            "J2",
            window=TimeWindow(start=at(9), end=at(9)),
            depends_on="J1",
            link_worker=link,
            pinned_worker_ids=("W1",),
            pinned_start=at(9),
        ),
    ]
    (issue,) = check_pins(world(workers=[worker("W1")], jobs=jobs), "jobs", {"J1": 2, "J2": 3})
    assert (issue.row, issue.column) == (3, "pinned_worker_id")
    assert "same worker finishing the first" in issue.message
    two = world(workers=[worker("W1"), worker("W2")], jobs=jobs)
    expected = 1 if link is LinkWorker.SAME else 0
    assert len(check_pins(two, "jobs", {"J1": 2, "J2": 3})) == expected


def _pinned_next_morning(*, first: int, link: LinkWorker) -> list:  # type: ignore[type-arg]
    """J1 at ``first`` o'clock; J2 pinned to W1 at 08:00 the next day, at least an hour
    after J1, linked by ``link``."""
    return [
        job("J1", window=TimeWindow(start=at(first), end=at(first))),
        job(
            "J2",
            window=TimeWindow(start=at(8, day=1), end=at(8, day=1)),
            depends_on="J1",
            min_gap=60,
            link_worker=link,
            pinned_worker_ids=("W1",),
            pinned_start=at(8, day=1),
        ),
    ]


def test_a_pin_whose_partner_only_a_worker_over_the_customers_cap_could_serve_is_refused() -> None:
    """J2 is pinned to W1 and must follow J1 with another worker; both visits are the same
    customer's, and the round allows each customer one different worker. W1 is that one
    worker, so J1 could only go to W1, whom the link forbids: no plan keeps the pin, and
    the loader refuses it on J2's row, naming the cap. Without the cap W2 takes J1. (The
    random rule rounds found it: routing kept the pin and dropped J1, and the plan broke
    linked_visits.)"""
    from matchmaker.io._pins import check_pins

    jobs = _pinned_next_morning(first=8, link=LinkWorker.DIFFERENT)
    days = (shift(7, 13), shift(7, 13, day=1))
    workers = [worker("W1", shifts=days), worker("W2", shifts=days)]
    capped = world(
        workers=workers,
        jobs=jobs,
        settings=DatasetSettings(limits=LimitSettings(max_distinct_workers=1)),
    )
    (issue,) = check_pins(capped, "jobs", {"J1": 2, "J2": 3})
    assert (issue.row, issue.column) == (3, "pinned_worker_id")
    assert "which another worker must serve" in issue.message
    assert "customer C1's cap on different workers is reached" in issue.message
    assert check_pins(world(workers=workers, jobs=jobs), "jobs", {"J1": 2, "J2": 3}) == []


@pytest.mark.parametrize("cap", ["max_work_minutes", "max_week_minutes"])
def test_a_pin_whose_partner_is_longer_than_every_cap_is_refused(cap: str) -> None:
    """J2 is pinned to W1 on the second day and follows J1 with the same worker; J1 takes
    75 minutes and W1 may work at most 70 in a shift (or in a week), so no plan serves J1
    and the pin can never be kept with its partner: the loader refuses it on J2's row. With
    a cap of 150 the pin is kept and routing's plan serves both and verifies. (The random
    rule rounds found it: routing kept the pin and dropped J1, and the plan broke
    linked_visits.)"""
    from matchmaker.io._pins import check_pins

    first, second = _pinned_next_morning(first=8, link=LinkWorker.SAME)
    jobs = [replace(first, duration_minutes=75), second]
    days = (shift(7, 13), shift(7, 13, day=1))
    rows = {"J1": 2, "J2": 3}

    def capped(minutes: int) -> Dataset:
        return world(workers=[worker("W1", shifts=days, **{cap: minutes})], jobs=jobs)

    (issue,) = check_pins(capped(70), "jobs", rows)
    assert (issue.row, issue.column) == (3, "pinned_worker_id")
    assert "depends on visit J1, which no worker can serve in this round" in issue.message
    roomy = capped(150)
    assert check_pins(roomy, "jobs", rows) == []
    result = dispatch(roomy, solver="routing", time_limit=1.0, seed=0)
    assert result.violations == ()
    assert {a.job_id for a in result.plan.assignments} == {"J1", "J2"}


def test_a_pin_whose_partner_leaves_no_time_to_get_home_is_refused() -> None:
    """J2 is pinned to W1 on the second day and follows J1, which only W1 can serve, in a
    shift ending 15 minutes after J1 ends, and W1 lives about 40 minutes away. With the way home
    asked for, no plan serves J1, so the pin can never be kept with its partner: the loader
    refuses it on J2's row. Without the way home J1 fits and the pin is kept. (The random
    rule rounds found it: routing kept the pin and dropped J1, and the plan broke
    linked_visits.)"""
    from matchmaker.io._pins import check_pins

    jobs = _pinned_next_morning(first=9, link=LinkWorker.SAME)
    far = Location(lat=HOME.lat, lon=HOME.lon + 0.12)  # about 14 km by road: 38 min by car
    first_day = Shift(start=at(7), end=at(10, 15))
    workers = [worker("W1", home=far, shifts=(first_day, shift(7, 13, day=1)))]
    home = DatasetSettings(policy=Policy(travel_home=True))
    rows = {"J1": 2, "J2": 3}
    (issue,) = check_pins(world(workers=workers, jobs=jobs, settings=home), "jobs", rows)
    assert (issue.row, issue.column) == (3, "pinned_worker_id")
    assert "depends on visit J1, which no worker can serve in this round" in issue.message
    assert check_pins(world(workers=workers, jobs=jobs), "jobs", rows) == []


def test_a_pin_whose_pinned_partner_must_end_before_its_shift_ends_is_refused() -> None:
    """J1 is pinned to W1 with no start, window 08:00-10:00, and W1's morning shift ends at
    10:00, so J1 (30 minutes) starts by 09:30; J2 is pinned to W2 at 11:45 and must follow
    J1 by 60 to 120 minutes, so J1 would start at 09:45 or later. No plan keeps both pins:
    the loader refuses J2's on its row, naming the shifts. With the shift to 10:30 both
    pins are kept and routing serves both. (The random rule rounds found it: the first
    plan of the home-care search failed to place J1 and raised an internal error.)"""
    from matchmaker.io._pins import check_pins

    def pins(morning_end: tuple[int, int]) -> Dataset:
        morning = Shift(start=at(7), end=at(*morning_end))
        return world(
            workers=[worker("W1", shifts=(morning,)), worker("W2")],
            jobs=[
                job(
                    "J1",
                    window=TimeWindow(start=at(8), end=at(10)),
                    duration_minutes=30,
                    pinned_worker_ids=("W1",),
                ),
                job(
                    "J2",
                    window=TimeWindow(start=at(11, 45), end=at(11, 45)),
                    duration_minutes=30,
                    depends_on="J1",
                    min_gap=60,
                    max_gap=120,
                    link_worker=LinkWorker.DIFFERENT,
                    pinned_worker_ids=("W2",),
                    pinned_start=at(11, 45),
                ),
            ],
        )

    rows = {"J1": 2, "J2": 3}
    (issue,) = check_pins(pins((10, 0)), "jobs", rows)
    assert (issue.row, issue.column) == (3, "pinned_worker_id")
    assert "inside their windows, shifts and pins" in issue.message
    assert check_pins(pins((10, 30)), "jobs", rows) == []
    served = {a.job_id for a in _routing(pins((10, 30))).plan.assignments}
    assert served == {"J1", "J2"}


def _chain(second_start: int) -> list:  # type: ignore[type-arg]
    """J1 at 08:00; J2 at ``second_start`` o'clock after J1, same worker; J3 pinned to W1
    from 10:00 on, after J2, same worker. J2 and J3 need no skill."""
    return [
        job("J1", window=TimeWindow(start=at(8), end=at(8)), duration_minutes=30),
        job(
            "J2",
            window=TimeWindow(start=at(second_start), end=at(second_start)),
            duration_minutes=30,
            depends_on="J1",
            link_worker=LinkWorker.SAME,
            required_skills=(),
        ),
        job(
            "J3",
            window=TimeWindow(start=at(10), end=at(14)),
            depends_on="J2",
            link_worker=LinkWorker.SAME,
            pinned_worker_ids=("W1",),
            required_skills=(),
        ),
    ]


def test_a_pin_whose_chain_of_linked_visits_cannot_be_kept_is_refused() -> None:
    """J3 is pinned to W1 and follows J2, which follows J1; both links ask for the same
    worker. With J1 and J2 both starting at 08:00, J2 can never follow J1, so J3 can never
    be served with its partner: the loader refuses the pin on J3's row, naming J1 up the
    chain. With J2 at 09:00 the pin is kept and routing serves all three with W1. And when
    only W2 can serve J1, J2 must go to W2 too, and J3 (W1's) cannot follow it: refused.
    (The random rule rounds found the first: routing kept the pin, served J2 without J1.)"""
    from matchmaker.io._pins import check_pins

    rows = {"J1": 2, "J2": 3, "J3": 4}
    days = (shift(7, 16),)
    workers = [worker("W1", shifts=days), worker("W2", shifts=days)]
    (issue,) = check_pins(world(workers=workers, jobs=_chain(8)), "jobs", rows)
    assert (issue.row, issue.column) == (4, "pinned_worker_id")
    assert "depends on visit J2, which cannot start" in issue.message
    assert "after the visit it depends on in turn, J1" in issue.message
    kept = world(workers=workers, jobs=_chain(9))
    assert check_pins(kept, "jobs", rows) == []
    plan = dispatch(kept, solver="routing", time_limit=1.0, seed=0).plan
    assert verify(kept, plan) == []
    assert {(a.job_id, a.worker_id) for a in plan.assignments} == {
        ("J1", "W1"),
        ("J2", "W1"),
        ("J3", "W1"),
    }
    novice = [worker("W1", shifts=days, skills={"cleaning": 1}), workers[1]]
    (issue,) = check_pins(world(workers=novice, jobs=_chain(9)), "jobs", rows)
    assert issue.row == 4
    assert "depends on visit J2, which the same worker must serve" in issue.message


@pytest.mark.parametrize("time_limit", [0.3, 2.0])
def test_the_visit_a_pin_depends_on_is_planned_for_the_pin(time_limit: float) -> None:
    """J3 is pinned to W1 at 09:00 and follows J2 by at least an hour with the same
    worker, so J2 must go to W1 at 08:00, though J1 at 08:00 too would be cheaper on W1
    and comes first in the insertion order: the visit a pin depends on is placed for the
    pin, before the rest. The random rule rounds found it (routing gave J2 to W2)."""
    eight = TimeWindow(start=at(8), end=at(8))
    jobs = [
        job("J1", window=eight, priority=5, duration_minutes=30),
        job("J2", window=eight, duration_minutes=30),
        job(
            "J3",
            duration_minutes=30,
            window=TimeWindow(start=at(9), end=at(9)),
            depends_on="J2",
            min_gap=60,
            link_worker=LinkWorker.SAME,
            pinned_worker_ids=("W1",),
            pinned_start=at(9),
        ),
    ]
    early = (shift(7, 18),)
    dataset = world(workers=[worker("W1", shifts=early), worker("W2", shifts=early)], jobs=jobs)
    result = dispatch(dataset, solver="routing", time_limit=time_limit, seed=0)
    assert verify(dataset, result.plan) == []
    workers = {a.job_id: a.worker_id for a in result.plan.assignments}
    assert workers == {"J1": "W2", "J2": "W1", "J3": "W1"}
