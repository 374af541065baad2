"""Plans with break rows, made fast for property tests: the greedy plan of the round
without its break rules, less the jobs a shift's breaks leave no room for
(:func:`matchmaker.solve.fit_breaks`), rebuilt on the round with them. Greedy refuses
break rules and routing takes its whole time limit; this takes milliseconds."""

from __future__ import annotations

from dataclasses import replace

from matchmaker.compile import compile_problem
from matchmaker.model import Dataset
from matchmaker.plan import Plan
from matchmaker.solve import fit_breaks, get_solver
from tests.rules.world import verified_plan


def plan_with_breaks(dataset: Dataset) -> Plan:
    """A verified plan of ``dataset`` (with or without break rules), break rows included."""
    policy = dataset.settings.policy
    bare = replace(
        dataset,
        workers=tuple(replace(w, breaks=None) for w in dataset.workers),
        settings=dataset.settings.model_copy(update={"breaks": ()}),
    )
    solved = get_solver("greedy")(
        compile_problem(bare, policy=policy), policy=policy, time_limit=10.0, seed=0
    )
    problem = compile_problem(dataset, policy=policy)
    routes = fit_breaks(problem, solved.routes)
    return verified_plan(dataset, problem, routes, policy, backend="greedy+breaks")
