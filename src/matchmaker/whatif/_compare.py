"""Solve a baseline and scenarios side by side and compare them as DataFrames.

:func:`compare` dispatches the dataset as it is (the ``baseline``) and each scenario's
edited dataset with the same solver, time limit and seed, verifies every plan, and returns
a :class:`Comparison`: one row of KPIs per scenario and one row per job whose fate
changed against the baseline. A pin an edit leaves impossible (a pinned visit its worker
can no longer reach in time, serve or fit in the shift, or whose shift's breaks no longer
fit beside it) is released, as removing its worker releases it, and the scenario
dispatched again: ``pins_released`` counts them and
:attr:`ScenarioResult.released_pins` names the jobs. Scenarios run on any
:class:`concurrent.futures.Executor` (threads, processes, a cluster's executor); without
one they run one after the other.
With ``deterministic=True`` (the default) each solve is bounded by work, not time, so the
results do not depend on the executor or the machine's load: the same seeds give the same
tables serially and in parallel.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from matchmaker.model import Dataset, DomainError, Policy
from matchmaker.plan import DispatchResult, dispatch
from matchmaker.solve import pins_without_break_room
from matchmaker.whatif._scenario import Scenario

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

__all__ = ["BASELINE", "Comparison", "ScenarioResult", "compare", "served_value"]

BASELINE = "baseline"
"""The name of the unedited dataset's row."""

KPI_COLUMNS = (
    "scenario",
    "description",
    "jobs_total",
    "jobs_served",
    "served_change",
    "fill_rate",
    "priority_served",
    "served_value",
    "travel_minutes_total",
    "mean_match_score",
    "workers_used",
    "objective",
    "pins_released",
    "verified",
)
JOB_COLUMNS = (
    "scenario",
    "job_id",
    "service_type",
    "priority",
    "change",
    "baseline_workers",
    "scenario_workers",
    "reason",
)


@dataclass(frozen=True, kw_only=True)
class ScenarioResult:
    """One scenario's edited dataset and policy, and its dispatch."""

    scenario: Scenario
    dataset: Dataset
    policy: Policy
    result: DispatchResult
    released_pins: tuple[str, ...] = ()
    """Jobs whose pins the edits left impossible, released before the dispatch that
    ``result`` holds (``dataset`` is the edited round with them released)."""


def served_value(dataset: Dataset, served: Iterable[str], policy: Policy) -> int:
    """Weighted points of the served jobs: ``priority_weights[priority] * workers_needed``."""
    weights = policy.priority_weights
    return sum(
        weights[dataset.job(j).priority] * dataset.job(j).workers_needed
        for j in served
        if dataset.has_job(j)
    )


def _run(
    dataset: Dataset,
    scenario: Scenario,
    policy: Policy | None,
    solver: str,
    time_limit: float,
    seed: int,
    deterministic: bool,
) -> ScenarioResult:
    """Apply and dispatch one scenario (a module-level function, so a process pool can
    pickle it)."""
    edited, chosen = scenario.apply(dataset, policy)
    released: list[str] = []
    while True:
        result = dispatch(
            edited,
            solver=solver,
            policy=chosen,
            time_limit=time_limit,
            seed=seed,
            deterministic=deterministic,
        )
        # Every solver keeps a pin as it is, so the verifier names the pins that cannot
        # be kept; each turn releases at least one, so the loop ends.
        broken = sorted(
            {v.job_id for v in result.violations if v.job_id and _pinned(edited, v.job_id)}
            | _pins_without_break_room(result)
        )
        if not broken:
            break
        released += broken
        edited = _released(edited, set(broken))
    return ScenarioResult(
        scenario=scenario,
        dataset=edited,
        policy=chosen,
        result=result,
        released_pins=tuple(released),
    )


def _pins_without_break_room(result: DispatchResult) -> set[str]:
    """The pinned jobs of each shift whose breaks no longer fit beside its pins alone (a
    shift moved by an edit, say): the verifier names the worker, not the jobs."""
    if not any(v.rule == "breaks" and v.job_id is None for v in result.violations):
        return set()
    problem = result.problem
    crowded = pins_without_break_room(problem, result.solution.routes)
    return {problem.job_ids[j] for _, jobs in crowded for j in jobs}


def _pinned(dataset: Dataset, job_id: str) -> bool:
    return dataset.has_job(job_id) and dataset.job(job_id).is_pinned


def _released(dataset: Dataset, job_ids: set[str]) -> Dataset:
    jobs = tuple(j.unpinned() if j.job_id in job_ids else j for j in dataset.jobs)
    return replace(dataset, jobs=jobs)


def _workers_by_job(result: DispatchResult) -> dict[str, tuple[str, ...]]:
    by_job: dict[str, list[str]] = {}
    for a in result.plan.assignments:
        by_job.setdefault(a.job_id, []).append(a.worker_id)
    return {job: tuple(sorted(workers)) for job, workers in by_job.items()}


@dataclass(frozen=True, kw_only=True)
class Comparison:
    """The outcome of :func:`compare`.

    ``kpis``: one row per scenario (the baseline first): jobs served and the change
    against the baseline, fill rate, share of priority served, ``served_value`` (weighted
    points, with the baseline's priority weights so rows compare), travel, mean match
    score, workers used, objective and whether the plan passed verify.
    ``jobs``: one row per scenario and job whose fate differs from the baseline's:
    ``change`` is ``now served``, ``no longer served``, ``other workers``, ``added,
    served``, ``added, unserved`` or ``removed``; ``reason`` is the scenario's reason when
    the job is unserved there.
    ``results``: each scenario's :class:`ScenarioResult` by name.
    """

    kpis: pd.DataFrame
    jobs: pd.DataFrame
    results: Mapping[str, ScenarioResult]

    def plot(self, ax: Axes | None = None) -> Axes:
        """Jobs served per scenario, with the change against the baseline
        (needs ``pip install 'matchmaker[plot]'``)."""
        from matchmaker.whatif._plots import plot_comparison

        return plot_comparison(self, ax=ax)

    def plot_changes(self, ax: Axes | None = None) -> Axes:
        """Per scenario, how many jobs changed and how (``[plot]`` extra)."""
        from matchmaker.whatif._plots import plot_job_changes

        return plot_job_changes(self, ax=ax)


def compare(
    dataset: Dataset,
    scenarios: Sequence[Scenario],
    *,
    time_limit: float = 10.0,
    seed: int = 0,
    solver: str = "routing",
    policy: Policy | None = None,
    deterministic: bool = True,
    executor: Executor | None = None,
) -> Comparison:
    """Dispatch the baseline and every scenario and compare them (module docstring).

    ``policy`` defaults to the dataset's; each scenario may change it. ``executor`` runs
    the solves in parallel (``ThreadPoolExecutor``, ``ProcessPoolExecutor``, ...); the
    default runs them serially. Scenario names must be unique and not ``baseline``.
    """
    names = [s.name for s in scenarios]
    if len(set(names)) != len(names) or BASELINE in names:
        raise DomainError(f"scenario names must be unique and not {BASELINE!r}: {names}")
    runs = [Scenario(name=BASELINE), *scenarios]
    args = (policy, solver, time_limit, seed, deterministic)
    if executor is None:
        done = [_run(dataset, s, *args) for s in runs]
    else:
        futures = [executor.submit(_run, dataset, s, *args) for s in runs]
        done = [f.result() for f in futures]
    results = {r.scenario.name: r for r in done}
    return Comparison(kpis=_kpi_frame(done), jobs=_job_frame(done), results=results)


def _kpi_frame(done: Sequence[ScenarioResult]) -> pd.DataFrame:
    import pandas as pd

    base = done[0]
    weights = base.policy
    base_served = int(base.result.plan.kpis.get("jobs_served", 0))
    rows: list[dict[str, Any]] = []
    for run in done:
        plan = run.result.plan
        served = {a.job_id for a in plan.assignments} - {u.job_id for u in plan.unassigned}
        k = plan.kpis
        rows.append(
            {
                "scenario": run.scenario.name,
                "description": run.scenario.describe(),
                "jobs_total": int(k.get("jobs_total", 0)),
                "jobs_served": int(k.get("jobs_served", 0)),
                "served_change": int(k.get("jobs_served", 0)) - base_served,
                "fill_rate": float(k.get("fill_rate", 0.0)),
                "priority_served": float(k.get("priority_served", 0.0)),
                "served_value": served_value(run.dataset, served, weights),
                "travel_minutes_total": int(k.get("travel_minutes_total", 0)),
                "mean_match_score": k.get("mean_match_score"),
                "workers_used": len({a.worker_id for a in plan.assignments}),
                "objective": k.get("objective"),
                "pins_released": len(run.released_pins),
                "verified": run.result.ok,
            }
        )
    return pd.DataFrame(rows, columns=list(KPI_COLUMNS)).set_index("scenario", drop=False)


def _job_frame(done: Sequence[ScenarioResult]) -> pd.DataFrame:
    import pandas as pd

    base = done[0]
    base_workers = _workers_by_job(base.result)
    base_jobs = {j.job_id for j in base.dataset.jobs}
    rows: list[dict[str, Any]] = []
    for run in done[1:]:
        workers = _workers_by_job(run.result)
        reasons = {u.job_id: u.reason for u in run.result.plan.unassigned}
        jobs = {j.job_id for j in run.dataset.jobs}
        for job_id in sorted(base_jobs | jobs):
            before, after = base_workers.get(job_id, ()), workers.get(job_id, ())
            if job_id not in jobs:
                change = "removed"
            elif job_id not in base_jobs:
                change = "added, served" if after else "added, unserved"
            elif before == after:
                continue
            elif not before:
                change = "now served"
            elif not after:
                change = "no longer served"
            else:
                change = "other workers"
            job = run.dataset.job(job_id) if job_id in jobs else base.dataset.job(job_id)
            rows.append(
                {
                    "scenario": run.scenario.name,
                    "job_id": job_id,
                    "service_type": job.service_type,
                    "priority": job.priority,
                    "change": change,
                    "baseline_workers": ";".join(before),
                    "scenario_workers": ";".join(after),
                    "reason": reasons.get(job_id, ""),
                }
            )
    return pd.DataFrame(rows, columns=list(JOB_COLUMNS))
