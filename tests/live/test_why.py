"""Why not this worker: failed rules for an ineligible worker, a cost for an eligible one,
and the jobs in the way when the worker's day is full."""

from __future__ import annotations

from dataclasses import replace

from matchmaker.live import explain_worker, recommend
from matchmaker.model import Dataset, Gender, Location, TimeWindow
from matchmaker.plan import LANGUAGES, dispatch, verify
from tests.clock import at
from tests.live.objective import plan_objective
from tests.rules.world import job, plan_of, shift, worker, world


def _round() -> Dataset:
    """W1 and W2 (male) for J1 at 09:00 needing a woman; W3 busy with J2 at 09:00."""
    nine = TimeWindow(start=at(9), end=at(9))
    return world(
        workers=[worker("W1"), worker("W2", gender=Gender.MALE), worker("W3")],
        jobs=[
            job("J1", window=nine, gender_required=Gender.FEMALE, priority=5),
            job("J2", window=nine, customer_id="C1"),
        ],
    )


def test_an_ineligible_worker_gets_the_rules_they_fail() -> None:
    """A male worker for a job needing a woman: status ineligible, rule gender_required."""
    dataset = _round()
    plan = dispatch(dataset, solver="greedy", time_limit=5.0).plan
    verdict = explain_worker(dataset, plan, "J1", "W2", policy=dataset.settings.policy)
    assert verdict.status == "ineligible"
    assert verdict.rules == ("gender_required",)
    assert verdict.objective_delta is None


def test_an_eligible_busy_worker_would_have_to_drop_or_move_their_job() -> None:
    """The worker serving the other 09:00 job could take J1 only by giving theirs up: the
    verdict names that job and prices the change."""
    everyone = _round()
    dataset = replace(everyone, workers=tuple(w for w in everyone.workers if w.worker_id != "W2"))
    plan = dispatch(dataset, solver="greedy", time_limit=5.0).plan
    holder = next(a.worker_id for a in plan.assignments if a.job_id == "J1")
    other = next(a.worker_id for a in plan.assignments if a.job_id == "J2")
    assert {holder, other} == {"W1", "W3"}
    verdict = explain_worker(dataset, plan, "J1", other, policy=dataset.settings.policy)
    assert verdict.status in ("needs_moves", "must_drop")
    assert verdict.objective_delta is not None
    named = {m.job_id for m in verdict.moves} | set(verdict.drops)
    assert "J2" in named
    assert explain_worker(dataset, plan, "J1", holder, policy=dataset.settings.policy).status == (
        "serves"
    )


def test_a_worker_whose_day_has_room_but_whose_week_has_none_is_told_the_limit() -> None:
    """W1 serves J2 tomorrow and may work 90 minutes a week; J1 (an hour today) fits in
    W1's free day but not in the week. The verdict says a limit across days keeps W1 out
    (it once stopped with an internal error: the day had a place, the limits none)."""
    two_days = (shift(8, 18), shift(8, 18, day=1))
    dataset = world(
        workers=[worker("W1", shifts=two_days, max_week_minutes=90), worker("W2")],
        jobs=[job("J1"), job("J2", window=TimeWindow(start=at(9, day=1), end=at(11, day=1)))],
    )
    plan = plan_of(dataset, ("J1", "W2", at(9)), ("J2", "W1", at(9, day=1)))
    verdict = explain_worker(dataset, plan, "J1", "W1", policy=dataset.settings.policy)
    assert verdict.status == "no_room"
    assert "limit across days" in verdict.detail and "max_week_minutes" in verdict.detail
    assert verdict.objective_delta is None


def test_the_objective_change_counts_the_worker_s_day_in_time_order() -> None:
    """W1 serves J2 at 11:00 far from home; J1 at 09:00 near home is unserved. Giving J1
    to W1 puts it first in W1's day: the verdict's objective change is the one the
    recommendation prices for that place (home, J1, then J2). It once appended J1 after
    J2 and priced the day in that order."""
    far = Location(lat=31.3300, lon=121.5700)
    dataset = world(
        workers=[worker("W1")],
        jobs=[
            job("J1", window=TimeWindow(start=at(9), end=at(9))),
            job("J2", window=TimeWindow(start=at(11), end=at(11)), location=far),
        ],
    )
    plan = plan_of(dataset, ("J2", "W1", at(11)))
    policy = dataset.settings.policy
    verdict = explain_worker(dataset, plan, "J1", "W1", policy=policy)
    (option,) = recommend(dataset, plan, "J1", policy=policy).options
    assert verdict.status == "can_take"
    assert verdict.objective_delta == option.objective_delta


def test_a_drop_that_still_breaks_a_limit_across_days_is_not_advised() -> None:
    """W1 serves J3 today at 09:00 and J2 tomorrow, an hour each, and may work 150 minutes
    a week; J1 (two hours at 09:00 today) fits only in J3's place. Dropping J3 leaves
    J2 + J1 = 180 minutes, over the limit: the verdict says a limit keeps W1 out instead of
    advising the drop. At 180 minutes a week the drop is advised, and the plan it names
    (J3 dropped, J1 given to W1) verifies and changes the objective by the verdict's
    objective change."""
    two_days = (shift(8, 18), shift(8, 18, day=1))
    nine = TimeWindow(start=at(9), end=at(9))
    jobs = [
        job("J1", window=nine, duration_minutes=120),
        job("J2", window=TimeWindow(start=at(9, day=1), end=at(11, day=1))),
        job("J3", window=nine),
    ]
    for week, status in ((150, "no_room"), (180, "must_drop")):
        dataset = world(workers=[worker("W1", shifts=two_days, max_week_minutes=week)], jobs=jobs)
        plan = plan_of(dataset, ("J3", "W1", at(9)), ("J2", "W1", at(9, day=1)))
        verdict = explain_worker(dataset, plan, "J1", "W1", policy=dataset.settings.policy)
        assert verdict.status == status, verdict.detail
        if status == "no_room":
            assert "max_week_minutes" in verdict.detail and verdict.objective_delta is None
        else:
            assert verdict.drops == ("J3",)
            advised = plan_of(dataset, ("J1", "W1", at(9)), ("J2", "W1", at(9, day=1)))
            assert verify(dataset, advised) == []
            # The verdict prices exactly that plan.
            assert plan_objective(dataset, advised) - plan_objective(dataset, plan) == (
                verdict.objective_delta
            )


def test_every_verdict_is_said_in_every_language() -> None:
    """An ineligible worker, a busy one and the one serving the job: each verdict has its
    words in every language, the Chinese ones other than the English, and its text lines
    follow the language asked (the English ones as they always read)."""
    everyone = _round()
    plan = dispatch(everyone, solver="greedy", time_limit=5.0).plan
    policy = everyone.settings.policy
    holder = next(a.worker_id for a in plan.assignments if a.job_id == "J1")
    verdicts = [explain_worker(everyone, plan, "J1", w, policy=policy) for w in ("W1", "W2", "W3")]
    assert {v.status for v in verdicts} >= {"ineligible", "serves"}
    for verdict in verdicts:
        assert set(verdict.said) == set(LANGUAGES)
        assert verdict.said["zh"] != verdict.said["en"] == verdict.detail
        assert verdict.to_text().startswith(f"Job J1, worker {verdict.worker_id}: ")
        assert verdict.to_text("zh").startswith(f"工单 J1，服务师 {verdict.worker_id}：")
        assert verdict.to_dict("zh")["detail"] == verdict.said["zh"]
    ineligible = next(v for v in verdicts if v.status == "ineligible")
    assert ineligible.said["zh"].startswith("不符合 gender_required：")
    assert any(v.worker_id == holder and v.said["zh"] == "已在服务该工单" for v in verdicts)
