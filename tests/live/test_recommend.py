"""Recommendations: every option, applied to its plan, passes verify; teams start together;
the objective delta is the plan's change; nothing moves unless allowed."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from matchmaker.live import apply_option, build_index, recommend
from matchmaker.live._index import way_home
from matchmaker.model import (
    Dataset,
    DatasetSettings,
    Location,
    Policy,
    RequestError,
    SkillRequirement,
    TimeWindow,
)
from matchmaker.plan import Plan, ReasonCode, UnassignedJob, dispatch, has_limits, verify
from tests.clock import at
from tests.live.objective import plan_objective, plan_terms
from tests.rules.world import followed, job, plan_of, shift, worker, world

_SLOW = [HealthCheck.too_slow, HealthCheck.data_too_large]


def _without(plan: Plan, job_id: str) -> Plan:
    """``plan`` with ``job_id`` taken out of it and listed unassigned."""
    return replace(
        plan,
        assignments=tuple(a for a in plan.assignments if a.job_id != job_id),
        unassigned=(
            *(u for u in plan.unassigned if u.job_id != job_id),
            UnassignedJob(job_id=job_id, reason_code=ReasonCode.CAPACITY, reason="taken out"),
        ),
    )


def _served_cost(dataset: Dataset, plan: Plan) -> int:
    """The objective of ``plan`` on ``dataset`` but for the drop penalties."""
    terms = plan_terms(dataset, plan)
    return terms.total - terms.unserved_penalty


def _first_plan(dataset: Dataset, rules: bool) -> Plan:
    """A plan to recommend in: greedy's, or routing's where home-care rules may be drawn
    (greedy refuses them). Rounds whose plan the verifier rejects are left out: the
    loader's check of pins is a necessary condition only, so a pinned visit whose partner
    no plan can serve beside the other pins could stay planned without it (a gap of the
    solve, not of recommending; the rule rounds of ``tests/test_rule_properties.py`` look
    for it)."""
    if rules:
        plan = dispatch(dataset, solver="routing", time_limit=0.3, seed=0).plan
    else:
        plan = dispatch(dataset, solver="greedy", time_limit=10.0).plan
    assume(verify(dataset, plan) == [])
    return plan


def _check_options(dataset: Dataset, plan: Plan, target: str, max_moves: int) -> int:
    """Recommend ``target`` in ``plan``; apply and verify every option and check its
    objective delta; count them."""
    policy = dataset.settings.policy
    recommendation = recommend(dataset, plan, target, k=4, policy=policy, max_moves=max_moves)
    job = recommendation.dataset.job(recommendation.job_id)
    objective = plan_objective(recommendation.dataset, plan)
    for option in recommendation.options:
        assert len(option.moves) <= max_moves
        assert len(option.assignments) == job.workers_needed
        assert len({p.worker_id for p in option.assignments}) == job.workers_needed
        assert len({p.start for p in option.assignments}) == 1
        applied = apply_option(recommendation, plan, option, policy=policy)
        assert verify(recommendation.dataset, applied) == [], option
        assert plan_objective(recommendation.dataset, applied) - objective == option.objective_delta
        served = {a.job_id for a in applied.assignments}
        assert job.job_id in served
        assert served >= {a.job_id for a in plan.assignments}
        untouched = {m.job_id for m in option.moves} | {job.job_id}
        before = {(a.job_id, a.worker_id, a.start) for a in plan.assignments}
        after = {(a.job_id, a.worker_id, a.start) for a in applied.assignments}
        assert {r for r in before if r[0] not in untouched} <= after
    return len(recommendation.options)


@settings(max_examples=60, deadline=None, suppress_health_check=_SLOW)
@given(data=st.data(), max_moves=st.sampled_from([0, 1, 3]))
def test_every_option_applied_to_a_random_plan_passes_verify(
    data: st.DataObject, max_moves: int
) -> None:
    """On random rounds (teams, pins, split shifts, limits, home-care rules), a job taken out
    of the greedy plan and every unassigned job get options that verify once applied, moving
    at most ``max_moves`` planned jobs and nothing else, each changing the plan's objective
    by exactly its delta."""
    from tests.strategies import datasets

    rules = data.draw(st.booleans())
    dataset = data.draw(datasets(max_workers=5, max_jobs=7, rules=rules))
    plan = _first_plan(dataset, rules)
    movable = sorted(a.job_id for a in plan.assignments if not dataset.job(a.job_id).is_pinned)
    if movable:
        target = data.draw(st.sampled_from(movable))
        smaller = _without(plan, target)
        found = _check_options(dataset, smaller, target, max_moves)
        # The search tries each gap at its earliest start; with a rest or days-in-a-row
        # limit that start may break the limit where the job's old, later start did not,
        # and such options are left out: the old place is then not always found again.
        assert found >= 1 or has_limits(dataset)
    for entry in plan.unassigned:
        _check_options(dataset, plan, entry.job_id, max_moves)


@settings(max_examples=40, deadline=None, suppress_health_check=_SLOW)
@given(data=st.data())
def test_a_new_job_gets_options_that_verify(data: st.DataObject) -> None:
    """A job not in the dataset (an order that came later, perhaps following a planned
    visit) is compiled on its own; its options verify on the round with the job added, and
    each changes the cost of the served jobs by exactly its delta plus the job's drop
    penalty (which is priced in the plan's round: a due start the round did not have may
    change the serve value)."""
    from matchmaker.live._recommend import new_job_column
    from tests.strategies import datasets

    rules = data.draw(st.booleans())
    full = data.draw(datasets(max_workers=5, max_jobs=7, rules=rules))
    plan = _first_plan(full, rules)
    followed = {j.depends_on for j in full.jobs}
    movable = sorted(
        a.job_id
        for a in plan.assignments
        if not full.job(a.job_id).is_pinned and a.job_id not in followed
    )
    if not movable:
        return
    target = data.draw(st.sampled_from(movable))
    dataset = replace(full, jobs=tuple(j for j in full.jobs if j.job_id != target))
    smaller = replace(plan, assignments=tuple(a for a in plan.assignments if a.job_id != target))
    assert verify(dataset, smaller) == []
    new = full.job(target)
    policy = full.settings.policy
    recommendation = recommend(dataset, smaller, new, k=3, policy=policy)
    # As above: with a rest or days-in-a-row limit the old place may not be found again.
    # A visit following one its plan leaves out has no place; the note says so.
    served = {a.job_id for a in smaller.assignments}
    if new.depends_on is not None and new.depends_on not in served:
        assert not recommendation.options and new.depends_on in recommendation.note
    else:
        assert recommendation.options or has_limits(full), recommendation.note
    penalty = new_job_column(build_index(dataset, smaller, policy=policy), new).column.penalty
    cost = _served_cost(recommendation.dataset, smaller)
    for option in recommendation.options:
        applied = apply_option(recommendation, smaller, option, policy=policy)
        assert verify(recommendation.dataset, applied) == []
        assert _served_cost(recommendation.dataset, applied) - cost == (
            option.objective_delta + penalty
        )


def _two_jobs_one_gap() -> Dataset:
    """W1 serves J1 at 09:00-10:00 and J2 at 10:00-11:00 (same place); N fits 09:00-10:00."""
    return world(
        workers=[worker("W1")],
        jobs=[
            job("J1", window=TimeWindow(start=at(9), end=at(12)), duration_minutes=60),
            job("J2", window=TimeWindow(start=at(10), end=at(13)), duration_minutes=60),
            job("N", window=TimeWindow(start=at(9), end=at(9)), duration_minutes=60, priority=5),
        ],
    )


def _plan_without_n(dataset: Dataset) -> Plan:
    small = replace(dataset, jobs=tuple(j for j in dataset.jobs if j.job_id != "N"))
    plan = dispatch(small, solver="greedy", time_limit=5.0).plan
    starts = {a.job_id: a.start for a in plan.assignments}
    assert starts == {"J1": at(9), "J2": at(10)}
    return replace(
        plan,
        unassigned=(UnassignedJob(job_id="N", reason_code=ReasonCode.CAPACITY, reason="-"),),
    )


def test_without_moves_a_busy_worker_has_no_option() -> None:
    """Nothing planned moves by default: a job that only fits by pushing others gets none,
    and the note says moves would help, in every language."""
    dataset = _two_jobs_one_gap()
    recommendation = recommend(dataset, _plan_without_n(dataset), "N")
    assert recommendation.options == ()
    assert "--max-moves" in recommendation.note
    chinese = recommendation.why_none["zh"]
    assert "--max-moves" in chinese and chinese != recommendation.note


def test_with_moves_the_pushed_jobs_are_listed_and_the_plan_verifies() -> None:
    """With a budget of two moves the job goes first and both planned jobs move later,
    each listed with its previous worker and start."""
    dataset = _two_jobs_one_gap()
    plan = _plan_without_n(dataset)
    assert recommend(dataset, plan, "N", max_moves=1).options == ()
    recommendation = recommend(dataset, plan, "N", max_moves=2)
    (option,) = recommendation.options
    assert option.assignments[0].start == at(9)
    assert [(m.job_id, m.previous_start, m.start) for m in option.moves] == [
        ("J1", at(9), at(10)),
        ("J2", at(10), at(11)),
    ]
    applied = apply_option(recommendation, plan, option, policy=dataset.settings.policy)
    assert verify(dataset, applied) == []


def test_the_objective_delta_is_the_change_of_the_plans_objective() -> None:
    """Applying the best option changes the plan's objective by exactly its delta."""
    dataset = _two_jobs_one_gap()
    plan = _plan_without_n(dataset)
    policy = dataset.settings.policy
    recommendation = recommend(dataset, plan, "N", max_moves=2, policy=policy)
    option = recommendation.options[0]
    applied = apply_option(recommendation, plan, option, policy=policy)
    from matchmaker.live import build_index as index_of

    unserved = index_of(dataset, plan, policy=policy)
    before = int(unserved.penalty[dataset.job_position("N")])
    travel_before = sum(a.travel_minutes for a in plan.assignments)
    match_before = sum(round(100 - a.match_score) for a in plan.assignments)
    assert applied.kpis["objective"] - (before + travel_before + match_before) == (
        option.objective_delta
    )


def test_a_team_job_gets_a_full_team_with_one_start(ok_team: Dataset) -> None:
    """A job for two workers is offered as two distinct workers starting together."""
    plan = dispatch(ok_team, solver="greedy", time_limit=5.0).plan
    smaller = _without(plan, "T1")
    recommendation = recommend(ok_team, smaller, "T1", k=3)
    assert recommendation.options
    for option in recommendation.options:
        assert len(option.worker_ids) == 2 == len(set(option.worker_ids))
        assert option.assignments[0].start == option.assignments[1].start
        applied = apply_option(recommendation, smaller, option, policy=ok_team.settings.policy)
        assert verify(ok_team, applied) == []


def test_a_served_job_or_an_unknown_one_is_a_request_error(ok_small: Dataset) -> None:
    """Recommending a job the plan already serves, or one not in the dataset, is refused."""
    plan = dispatch(ok_small, solver="greedy", time_limit=5.0).plan
    with pytest.raises(RequestError, match="already served"):
        recommend(ok_small, plan, plan.assignments[0].job_id)
    with pytest.raises(RequestError, match="not in the plan's dataset"):
        recommend(ok_small, plan, "NOPE")


def test_the_index_is_compiled_with_the_plans_travel_model(ok_small: Dataset) -> None:
    """The index uses the plan's recorded travel model, not the default."""
    from matchmaker.compile import HaversineTravel
    from matchmaker.model import TravelSettings

    slow = HaversineTravel(TravelSettings(detour_factor=3.0))
    plan = dispatch(ok_small, solver="greedy", time_limit=5.0, travel=slow).plan
    index = build_index(ok_small, plan, policy=ok_small.settings.policy)
    assert index.problem.travel_model is plan.travel


@settings(max_examples=40, deadline=None, suppress_health_check=_SLOW)
@given(data=st.data())
def test_a_new_jobs_column_is_what_compile_gives_it(data: st.DataObject) -> None:
    """A new job compiled alone against the index's workers gets the eligibility, scores,
    home travel both ways, travel to the other jobs, window and due start that compiling
    the round with the job gives it."""
    import numpy as np

    from matchmaker.compile import compile_problem
    from matchmaker.live._recommend import new_job_column
    from matchmaker.model import minutes_from
    from tests.strategies import datasets

    rules = data.draw(st.booleans())
    full = data.draw(datasets(max_workers=5, max_jobs=7, pins=False, rules=rules))
    if len(full.jobs) < 2:
        return
    target = full.jobs[-1]
    dataset = replace(full, jobs=full.jobs[:-1])
    plan = _first_plan(dataset, rules)
    index = build_index(dataset, plan, policy=full.settings.policy)
    column = new_job_column(index, target).column
    problem = compile_problem(full, policy=full.settings.policy, travel=plan.travel)
    j = len(full.jobs) - 1
    offset = minutes_from(index.problem.horizon_start, problem.horizon_start, round_up=False)
    assert np.array_equal(column.eligible, problem.eligible[:, j])
    assert np.allclose(column.score, problem.score[:, j])
    assert np.array_equal(column.home, problem.travel_home_job[:, j])
    assert np.array_equal(column.travel_in, problem.travel_job_job[:, :j, j])
    assert np.array_equal(column.travel_out, problem.travel_job_job[:, j, :j])
    assert column.earliest == int(problem.job_earliest[j]) + offset
    assert column.latest == int(problem.job_latest[j]) + offset
    due = -1 if problem.rules is None else int(problem.rules.job_due[j])
    assert column.due == (-1 if due < 0 else due + offset)
    back = way_home(problem)
    assert np.array_equal(column.back, 0 * column.home if back is None else back[:, j])


def test_a_linked_visit_is_offered_only_within_its_gap_after_the_visit_it_follows() -> None:
    """F follows A by 2 to 3 hours. With A unserved F gets no option and the note names A;
    with A served at 09:00 every option for F starts from 11:00 to 12:00 and verifies."""
    dataset = world(
        workers=[worker("W1"), worker("W2")],
        jobs=followed(
            job("A", window=TimeWindow(start=at(9), end=at(9))),
            TimeWindow(start=at(9), end=at(16)),
            120,
            180,
        ),
    )
    served = dispatch(dataset, solver="routing", time_limit=2.0)
    assert served.ok and {a.job_id for a in served.plan.assignments} == {"A", "F"}
    alone = _without(_without(served.plan, "F"), "A")
    recommendation = recommend(dataset, alone, "F", k=3)
    assert recommendation.options == () and "it follows A" in recommendation.note
    assert _check_options(dataset, _without(served.plan, "F"), "F", max_moves=0) > 0
    options = recommend(dataset, _without(served.plan, "F"), "F", k=5).options
    assert all(at(11) <= o.assignments[0].start <= at(12) for o in options)


def test_a_new_visit_may_follow_a_planned_one() -> None:
    """A new order F following the planned visit A by 2 to 3 hours (a partner visit booked
    later) gets options from 11:00 to 12:00 after A at 09:00, which verify on the round with
    F added; before, compiling F alone refused its link to A."""
    leader, follower = followed(
        job("A", window=TimeWindow(start=at(9), end=at(9))),
        TimeWindow(start=at(9), end=at(16)),
        120,
        180,
    )
    dataset = world(workers=[worker("W1"), worker("W2")], jobs=[leader])
    plan = plan_of(dataset, ("A", "W1", at(9)))
    recommendation = recommend(dataset, plan, follower, k=3)
    assert {o.worker_ids for o in recommendation.options} == {("W1",), ("W2",)}
    for option in recommendation.options:
        assert at(11) <= option.assignments[0].start <= at(12)
        applied = apply_option(recommendation, plan, option, policy=dataset.settings.policy)
        assert verify(recommendation.dataset, applied) == []


def test_a_swap_leaves_the_way_home_when_the_policy_counts_it() -> None:
    """W1 lives about 50 minutes from the jobs and works 07:00-10:00; J4 (30 minutes at
    08:00) is on W1, and N (75 minutes at 08:00) only W1 can serve. Swapping J4 to W3
    gives N W1's 08:00, which ends at 09:15: with the way home counted W1 would be home
    after 10:00, so no option is offered; without it the swap is one, and it verifies."""
    far = Location(lat=31.37, lon=121.48)
    both = {"cleaning": 3, "infant_care": 2}
    workers = [
        worker("W1", home=far, shifts=(shift(7, 10),), skills=both),
        worker("W3", shifts=(shift(7, 13),)),
    ]
    jobs = [
        job("J4", window=TimeWindow(start=at(8), end=at(8)), duration_minutes=30),
        job(
            "N",
            window=TimeWindow(start=at(8), end=at(8)),
            duration_minutes=75,
            required_skills=(SkillRequirement(name="infant_care", level=1),),
        ),
    ]
    options = {}
    for home in (False, True):
        dataset = world(
            workers=workers, jobs=jobs, settings=DatasetSettings(policy=Policy(travel_home=home))
        )
        plan = plan_of(dataset, ("J4", "W1", at(8)))
        assert verify(dataset, plan) == []
        policy = dataset.settings.policy
        recommendation = recommend(dataset, plan, "N", policy=policy, max_moves=1)
        for option in recommendation.options:
            applied = apply_option(recommendation, plan, option, policy=policy)
            assert verify(dataset, applied) == [], option
        options[home] = recommendation.options
        if home:
            back = way_home(build_index(dataset, plan, policy=policy).problem)
            assert back is not None and 45 < int(back.max()) <= 60
    assert [(o.worker_ids, [m.job_id for m in o.moves]) for o in options[False]] == [
        (("W1",), ["J4"])
    ]
    assert options[True] == ()
