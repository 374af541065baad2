"""What the plan layer's modules may import: building a plan does not lean on the checker,
and a plan's tables do not come from the io layer above it."""

from __future__ import annotations

import ast
from pathlib import Path

import matchmaker.plan

PLAN = Path(matchmaker.plan.__file__).parent


def _imports(module: str) -> dict[str, set[str]]:
    """Each module ``module`` imports (anywhere in it, also inside functions), with the
    names taken from it."""
    tree = ast.parse((PLAN / f"{module}.py").read_text(encoding="utf-8"))
    found: dict[str, set[str]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module is not None:
            names = {alias.name for alias in node.names}
            found.setdefault(node.module, set()).update(names)
            for name in names:  # ``from matchmaker.plan import _reasons``
                if name.startswith("_"):
                    found.setdefault(f"{node.module}.{name}", set())
        elif isinstance(node, ast.Import):
            for alias in node.names:
                found.setdefault(alias.name, set())
    return found


def _plan_modules_reached(start: str) -> set[str]:
    """The private plan modules ``start`` imports, directly or through each other."""
    reached, todo = set(), [start]
    while todo:
        module = todo.pop()
        for imported in _imports(module):
            name = imported.removeprefix("matchmaker.plan.")
            if imported.startswith("matchmaker.plan._") and name not in reached:
                reached.add(name)
                todo.append(name)
    return reached


def test_building_a_plan_does_not_import_the_verifier() -> None:
    """build_plan and the capacity diagnosis reach no verifier module, directly or not."""
    assert {"_capacity", "_plan", "_reasons"} <= _plan_modules_reached("_build")
    for start in ("_build", "_capacity"):
        reached = _plan_modules_reached(start)
        assert not any(name.startswith("_verify") for name in reached), (start, reached)


def test_the_narrative_uses_only_check_pair_of_the_verifier() -> None:
    """explain_job asks the verifier about one imagined pair and nothing else."""
    verifier = {
        module: names
        for module, names in _imports("_explain").items()
        if module.startswith("matchmaker.plan._verify")
    }
    assert verifier == {"matchmaker.plan._verify": {"check_pair"}}


def test_a_plans_tables_come_from_the_plan_layer() -> None:
    """Plan.to_frames imports nothing of matchmaker.io, the layer above the plan."""
    for module in ("_plan", "_frames"):
        assert not any(m.startswith("matchmaker.io") for m in _imports(module)), module
