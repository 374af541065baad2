"""Properties over random small datasets: plans verify, pins stay, seeds repeat, reasons agree."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from matchmaker.model import Dataset
from matchmaker.plan import DispatchResult, dispatch, explain_job, verify
from tests.strategies import datasets

_SLOW_DATA = [HealthCheck.too_slow, HealthCheck.data_too_large]


def _greedy(dataset: Dataset, seed: int = 0) -> DispatchResult:
    return dispatch(dataset, solver="greedy", time_limit=10.0, seed=seed)


def _pins_kept(dataset: Dataset, result: DispatchResult) -> bool:
    by_job: dict[str, dict[str, object]] = {}
    for a in result.plan.assignments:
        by_job.setdefault(a.job_id, {})[a.worker_id] = a.start
    for job in dataset.jobs:
        planned = by_job.get(job.job_id, {})
        for worker_id in job.pinned_worker_ids:
            if worker_id not in planned:
                return False
            if job.pinned_start is not None and planned[worker_id] != job.pinned_start:
                return False
    return True


@settings(max_examples=200, deadline=None, suppress_health_check=_SLOW_DATA)
@given(datasets())
def test_every_greedy_plan_passes_verify(dataset: Dataset) -> None:
    """Whatever the round, the greedy plan breaks no hard rule and accounts for every job."""
    result = _greedy(dataset)
    assert verify(dataset, result.plan) == []
    assert result.violations == ()
    served = {a.job_id for a in result.plan.assignments}
    unserved = {u.job_id for u in result.plan.unassigned}
    assert served | unserved == {j.job_id for j in dataset.jobs}
    assert not served & unserved
    for entry in result.plan.unassigned:
        assert entry.reason.startswith(f"{entry.reason_code.value}: ")
    assert _pins_kept(dataset, result)


@settings(max_examples=60, deadline=None, suppress_health_check=_SLOW_DATA)
@given(datasets(max_workers=4, max_jobs=6))
def test_pins_stay_where_they_were_pinned(dataset: Dataset) -> None:
    """Every pinned worker serves the pinned job, at the pinned start when one is given."""
    assert _pins_kept(dataset, _greedy(dataset))


@settings(max_examples=25, deadline=None, suppress_health_check=_SLOW_DATA)
@given(datasets(max_workers=4, max_jobs=6))
def test_same_seed_gives_the_same_plan(dataset: Dataset) -> None:
    """Dispatching twice with one seed gives identical assignments and reasons."""
    first, second = _greedy(dataset, seed=3), _greedy(dataset, seed=3)
    assert first.plan.assignments == second.plan.assignments
    assert first.plan.unassigned == second.plan.unassigned


@settings(max_examples=15, deadline=None, suppress_health_check=_SLOW_DATA)
@given(datasets(max_workers=3, max_jobs=5))
def test_every_routing_plan_passes_verify(dataset: Dataset) -> None:
    """The main engine's plans break no hard rule either, and keep their pins."""
    result = dispatch(dataset, solver="routing", time_limit=0.3, seed=0)
    assert verify(dataset, result.plan) == []
    assert _pins_kept(dataset, result)


@settings(max_examples=40, deadline=None, suppress_health_check=_SLOW_DATA)
@given(datasets(max_workers=4, max_jobs=5))
def test_explanations_agree_with_the_plan(dataset: Dataset) -> None:
    """explain_job tells the plan's own story: assigned workers, or the plan's reason."""
    result = _greedy(dataset)
    reasons = {u.job_id: u.reason_code for u in result.plan.unassigned}
    for job in dataset.jobs:
        explanation = explain_job(dataset, result.plan, job.job_id, policy=result.policy)
        workers = sorted(a.worker_id for a in result.plan.assignments if a.job_id == job.job_id)
        assert sorted(n.worker_id for n in explanation.assigned) == workers
        assert explanation.reason_code == reasons.get(job.job_id)
        assert explanation.eligible_workers <= explanation.workers_total
        explanation.to_text()
