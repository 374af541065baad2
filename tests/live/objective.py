"""The documented objective of a plan, recomputed from its rows, so that a test can check
the objective change a live command reports against the plan it makes."""

from __future__ import annotations

from matchmaker.live import build_index
from matchmaker.live._index import routes_of
from matchmaker.model import Dataset
from matchmaker.plan import Plan
from matchmaker.solve import ObjectiveTerms, objective_terms


def plan_terms(dataset: Dataset, plan: Plan) -> ObjectiveTerms:
    """The objective's terms of ``plan``'s assignments on ``dataset`` under its policy."""
    policy = dataset.settings.policy
    index = build_index(dataset, plan, policy=policy)
    return objective_terms(index.problem, routes_of(index.schedule()), policy)


def plan_objective(dataset: Dataset, plan: Plan) -> int:
    """The objective of ``plan``'s assignments on ``dataset`` under its policy."""
    return plan_terms(dataset, plan).total
