"""Solver backends; each module exposes ``solve`` with the :class:`~matchmaker.solve.Solver`
signature.

``greedy``: cheapest insertion, the baseline and warm start. ``routing``: OR-Tools routing
with guided local search, the default. ``cpsat``: an exact CP-SAT model that proves a lower
bound on small rounds.
"""

from __future__ import annotations

import importlib
from typing import cast

from matchmaker.model import UnknownSolverError
from matchmaker.solve._rounds import round_rules
from matchmaker.solve._solution import Solver

__all__ = ["SOLVERS", "get_solver"]

SOLVERS: tuple[str, ...] = ("routing", "greedy", "cpsat")


def get_solver(name: str) -> Solver:
    """The ``solve`` function of backend ``name`` (one of :data:`SOLVERS`), keeping the
    rules across the round (:func:`matchmaker.solve._rounds.round_rules`)."""
    if name not in SOLVERS:
        raise UnknownSolverError(f"unknown solver {name!r}; choose one of {', '.join(SOLVERS)}")
    module = importlib.import_module(f"matchmaker.solve._{name}")
    return round_rules(name, cast(Solver, module.solve))
