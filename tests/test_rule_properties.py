"""Properties over random small datasets with home-care rules (due starts, linked visits,
the way home, breaks): the routing plan verifies and accounts for lateness; greedy
refuses."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from matchmaker.model import Dataset, RequestError, local_zone, shift_breaks
from matchmaker.plan import Violation, dispatch, verify
from tests.strategies import datasets

_SLOW_DATA = [HealthCheck.too_slow, HealthCheck.data_too_large]


def _needs_breaks(dataset: Dataset) -> bool:
    """Some shift would need a break if its worker worked in it."""
    rules, zone = dataset.settings.breaks, local_zone(dataset)
    return any(shift_breaks(rules, w, s, zone) for w in dataset.workers for s in w.shifts)


_LIMITS = {"max_week_minutes", "min_rest_minutes", "max_consecutive_days", "max_distinct_workers"}


def _unexpected(dataset: Dataset, violations: list[Violation]) -> list[Violation]:
    """``violations`` but those a pin forces: a pin is kept even when it breaks a rule, and
    the verifier reports it. A random round may pin a visit whose partner only its worker
    can serve, at a time that breaks a limit across days (``solve._limits``); or pin a visit
    whose leader no shift can then take (its worker's shift full, the others busy with
    their own pins), which leaves the pinned follower without it."""
    pinned = {j.job_id for j in dataset.jobs if j.is_pinned}
    forced = _LIMITS | {"linked_visits"}
    return [v for v in violations if not (v.rule in forced and v.job_id in pinned)]


def _has_home_care_rules(dataset: Dataset) -> bool:
    return (
        dataset.settings.policy.travel_home
        or any(j.due_start is not None or j.depends_on is not None for j in dataset.jobs)
        or _needs_breaks(dataset)
    )


@settings(max_examples=15, deadline=None, suppress_health_check=_SLOW_DATA)
@given(datasets(max_workers=3, max_jobs=5, rules=True))
def test_every_routing_plan_with_rules_passes_verify(dataset: Dataset) -> None:
    """Whatever the rules drawn, with limits across days, continuity caps or a balance
    weight as well, the routing plan breaks no hard rule (linked visits and limits
    included), accounts for every job, and its objective counts its lateness."""
    result = dispatch(dataset, solver="routing", time_limit=0.3, seed=0)
    assert _unexpected(dataset, verify(dataset, result.plan)) == []
    if not _needs_breaks(dataset):
        assert result.plan.breaks == ()
    served = {a.job_id for a in result.plan.assignments}
    unserved = {u.job_id for u in result.plan.unassigned}
    assert served | unserved == {j.job_id for j in dataset.jobs}
    terms = result.plan.kpis["objective_terms"]
    policy = result.policy
    if any(j.due_start is not None for j in dataset.jobs):
        late = result.plan.kpis["lateness_minutes_total"]
        assert terms["lateness_cost"] == pytest.approx(late * policy.lateness_cost_per_minute)
    assert result.plan.kpis["objective"] == terms["total"]


@settings(max_examples=10, deadline=None, suppress_health_check=_SLOW_DATA)
@given(datasets(max_workers=3, max_jobs=5, rules=True))
def test_greedy_refuses_rules_it_cannot_honour(dataset: Dataset) -> None:
    """Greedy does not model the home-care rules: with any of them in the round it refuses,
    naming them, instead of planning as if they were not there."""
    if not _has_home_care_rules(dataset):
        assert verify(dataset, dispatch(dataset, solver="greedy", time_limit=2.0).plan) == []
        return
    with pytest.raises(RequestError, match="cannot honour"):
        dispatch(dataset, solver="greedy", time_limit=2.0)
