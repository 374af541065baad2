"""The rules across the round around every backend: a capped round planned inside care
teams and without them."""

from __future__ import annotations

from matchmaker.compile import compile_problem
from matchmaker.plan import build_plan, verify
from matchmaker.solve import get_solver
from matchmaker.solve._solution import Progress
from tests.rules.world import one_worker_for_both_visits


def test_a_capped_round_reports_both_runs_on_one_clock() -> None:
    """The progress of a round whose cap could break names the run inside care teams, then
    the one without, with seconds counted from the solve's start; the plan keeps the cap,
    and its bound (from the run over the whole round) is at most its objective."""
    capped = one_worker_for_both_visits()
    problem = compile_problem(capped)
    reports: list[Progress] = []
    solution = get_solver("routing")(
        problem, policy=capped.settings.policy, time_limit=2.0, seed=0, progress=reports.append
    )
    phases = [r.message.split(":")[0] for r in reports]
    assert phases[0] == "inside care teams"
    assert phases[-1] == "without care teams"
    assert phases == sorted(phases, key=["inside care teams", "without care teams"].index)
    seconds = [r.elapsed_seconds for r in reports]
    assert seconds == sorted(seconds)
    assert solution.lower_bound is not None
    assert solution.lower_bound <= solution.objective
    plan = build_plan(capped, problem, solution, capped.settings.policy)
    assert verify(capped, plan) == []
    assert {a.worker_id for a in plan.assignments} == {"W3"}
