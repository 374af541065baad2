"""The workload and continuity KPIs of a plan."""

from __future__ import annotations

from matchmaker.model import TimeWindow
from matchmaker.plan._workload import workload_kpis
from tests.rules.world import at, customer, job, plan_of, worker, world


def test_kpis_of_an_uneven_plan() -> None:
    """W1 works 120 minutes (2 visits), W2 60 (1): CV of work minutes is
    pstdev(120, 60) / 90 = 1/3, and of visits the same; C1 sees two workers, C2 one."""
    dataset = world(
        workers=[worker("W1"), worker("W2")],
        jobs=[
            job("J1"),
            job("J2", window=TimeWindow(start=at(13), end=at(14))),
            job("J3", customer_id="C2"),
        ],
        customers=[customer("C1"), customer("C2")],
    )
    plan = plan_of(dataset, ("J1", "W1", at(9)), ("J2", "W2", at(13)), ("J3", "W1", at(11)))
    kpis = workload_kpis(dataset, plan)
    assert kpis["work_minutes_cv"] == round(1 / 3, 4)
    assert kpis["jobs_per_worker_cv"] == round(1 / 3, 4)
    assert kpis["distinct_workers_per_customer"] == 1.5
    assert kpis["max_distinct_workers_per_customer"] == 2


def test_kpis_of_an_empty_plan() -> None:
    """Without assignments there is nothing to compare: the CVs are None."""
    dataset = world()
    kpis = workload_kpis(dataset, plan_of(dataset))
    assert kpis["work_minutes_cv"] is None
    assert kpis["jobs_per_worker_cv"] is None
    assert kpis["max_distinct_workers_per_customer"] == 0
