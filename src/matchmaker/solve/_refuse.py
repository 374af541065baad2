"""A backend that cannot honour a rule in the data refuses the round instead of ignoring it."""

from __future__ import annotations

from matchmaker.compile import Problem
from matchmaker.model import Policy, RequestError

__all__ = ["RULES_SOLVERS", "refuse_rules"]

RULES_SOLVERS = ("routing",)
"""The backends that honour the home-care rules and the way home (the others refuse)."""


def refuse_rules(problem: Problem, backend: str, policy: Policy | None = None) -> None:
    """Raise :class:`~matchmaker.model.RequestError` naming the rules ``backend`` lacks.

    The greedy and CP-SAT backends do not model soft windows, linked visits, breaks or the
    way home; only ``routing`` (:data:`RULES_SOLVERS`) does, also solving a round in
    pieces.
    """
    if policy is not None and policy.travel_home:
        raise RequestError(
            f"solver {backend} cannot honour the way home (policy travel_home); "
            "use --solver routing (the default)"
        )
    rules = problem.rules
    if rules is None:
        return
    named = rules.names()
    if named:
        raise RequestError(
            f"solver {backend} cannot honour {' and '.join(named)} in this round; "
            "use --solver routing (the default)"
        )
