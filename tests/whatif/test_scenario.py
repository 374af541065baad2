"""Scenario edits: each changes exactly what it says, and relaxing a rule edits the data,
never the verifier."""

from __future__ import annotations

from datetime import time

import pytest

from matchmaker.model import Gender, Location, PolicyError, TimeWindow
from matchmaker.plan import dispatch, verify
from matchmaker.whatif import (
    AddDemand,
    AddWorkers,
    ChangeShifts,
    ChangeWeights,
    RelaxRule,
    RemoveWorkers,
    Scenario,
    TightenRule,
    round_days,
)
from tests.clock import DAY, at
from tests.rules.world import HOME, customer, job, worker, world

NINE = TimeWindow(start=at(9), end=at(9))


def test_add_workers_hires_on_every_day_of_the_round() -> None:
    """AddWorkers adds ``count`` qualified workers with one shift per round day, and the
    extra hands serve a job that was left out for capacity."""
    base = world(workers=[worker("W1")], jobs=[job("J1", window=NINE), job("J2", window=NINE)])
    edit = AddWorkers(
        count=1, skills={"cleaning": 3}, home=HOME, certificates=("health",), start=time(8)
    )
    edited, _ = Scenario(name="hire", edits=(edit,)).apply(base)
    hired = edited.workers[-1]
    assert hired.worker_id == "HIRE001" and hired.skills == {"cleaning": 3}
    assert [s.start for s in hired.shifts] == [at(8)]
    assert round_days(base) == [DAY]
    before = dispatch(base, solver="greedy", time_limit=2)
    after = dispatch(edited, solver="greedy", time_limit=2)
    assert (before.plan.kpis["jobs_served"], after.plan.kpis["jobs_served"]) == (1, 2)
    assert after.ok


def test_remove_workers_unpins_their_jobs() -> None:
    """RemoveWorkers takes the workers out and jobs pinned to them lose the pin."""
    base = world(
        workers=[worker("W1"), worker("W2")],
        jobs=[job("J1", pinned_worker_ids=("W2",), pinned_start=at(9))],
    )
    edited, _ = RemoveWorkers(worker_ids=("W2",)).apply(base, base.settings.policy)
    assert [w.worker_id for w in edited.workers] == ["W1"]
    assert edited.job("J1").pinned_worker_ids == () and edited.job("J1").pinned_start is None


def test_change_shifts_moves_ends_in_real_minutes() -> None:
    """ChangeShifts moves starts and ends by whole minutes, for the named workers only."""
    base = world(workers=[worker("W1"), worker("W2")])
    edit = ChangeShifts(start_minutes=-30, end_minutes=60, worker_ids=("W1",))
    edited, _ = edit.apply(base, base.settings.policy)
    assert (edited.worker("W1").shifts[0].start, edited.worker("W1").shifts[0].end) == (
        at(7, 30),
        at(19),
    )
    assert edited.worker("W2").shifts == base.worker("W2").shifts


def test_relaxed_language_serves_the_job_and_is_verified_under_its_own_rules() -> None:
    """Relaxing the language rule drops the job's requirement: the job gets served, the
    plan passes verify on the relaxed dataset and breaks the rule on the original one."""
    base = world(jobs=[job("J1", language_required=("cantonese",))])
    assert dispatch(base, solver="greedy", time_limit=2).plan.kpis["jobs_served"] == 0
    relaxed, _ = Scenario(name="r", edits=(RelaxRule(rule="language_required"),)).apply(base)
    result = dispatch(relaxed, solver="greedy", time_limit=2)
    assert result.plan.kpis["jobs_served"] == 1
    assert verify(relaxed, result.plan) == []
    assert {v.rule for v in verify(base, result.plan)} == {"language_required"}


def test_relax_and_tighten_levels_experience_gender_and_speed() -> None:
    """Skill levels go down (not below 1) or up by the amount, experience by years, a
    preferred gender becomes required, speeds scale by ``1 + amount``."""
    base = world(customers=[customer("C1", preferred_gender=Gender.MALE)])
    policy = base.settings.policy
    lower, _ = RelaxRule(rule="skill_level", amount=5).apply(base, policy)
    assert lower.job("J1").required_skills[0].level == 1
    more, _ = TightenRule(rule="experience", amount=2).apply(base, policy)
    assert more.job("J1").min_experience_years == 3.0
    male, _ = TightenRule(rule="gender_required").apply(base, policy)
    assert male.job("J1").gender_required is Gender.MALE
    fast, _ = RelaxRule(rule="travel_speed", amount=0.5).apply(base, policy)
    assert fast.settings.travel.speed_kmh["car"] == pytest.approx(37.5)
    chosen, _ = RelaxRule(rule="experience", amount=1, job_ids=("nope",)).apply(base, policy)
    assert chosen.job("J1").min_experience_years == 1.0


def test_change_weights_merges_score_weights_and_checks_the_policy() -> None:
    """ChangeWeights changes the named fields; partial score weights keep the rest; an
    invalid policy is a PolicyError."""
    base = world()
    _, policy = ChangeWeights(changes={"travel_cost_per_minute": 3}).apply(
        base, base.settings.policy
    )
    assert policy.travel_cost_per_minute == 3
    _, policy = ChangeWeights(changes={"score_weights": {"rating": 20, "continuity": 25}}).apply(
        base, base.settings.policy
    )
    assert (policy.score_weights.rating, policy.score_weights.experience) == (20, 15)
    with pytest.raises(PolicyError):
        ChangeWeights(changes={"score_weights": {"rating": 99}}).apply(base, base.settings.policy)


def test_add_demand_copies_jobs_with_new_ids_the_same_way_every_time() -> None:
    """AddDemand copies ``count`` unpinned jobs of the service, chosen by the seed."""
    base = world(jobs=[job("J1"), job("J2", service_type="cooking")])
    edit = AddDemand(count=2, service_type="cleaning", seed=3)
    first, _ = edit.apply(base, base.settings.policy)
    again, _ = edit.apply(base, base.settings.policy)
    assert [j.job_id for j in first.jobs] == ["J1", "J2", "J1+1", "J1+2"]
    assert first.jobs == again.jobs


def test_scenarios_compose_in_order_and_name_themselves() -> None:
    """``a + b`` applies a's edits then b's; an unknown rule is refused."""
    home = Location(lat=31.23, lon=121.47)
    a = Scenario(name="a", edits=(AddWorkers(count=1, skills={"cleaning": 2}, home=home),))
    b = Scenario(name="b", edits=(RemoveWorkers(worker_ids=("HIRE001",)),))
    both = a + b
    assert both.name == "a + b" and len(both.edits) == 2
    edited, _ = both.apply(world())
    assert [w.worker_id for w in edited.workers] == ["W1"]
    assert "hire 1" in both.describe()
    with pytest.raises(ValueError, match="relaxable"):
        RelaxRule(rule="nonsense").apply(world(), world().settings.policy)  # type: ignore[arg-type]
