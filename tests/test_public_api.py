"""The public surface of the top-level package."""

from __future__ import annotations

import pytest

import matchmaker


def test_all_is_sorted_and_complete() -> None:
    """__all__ has no duplicates and names every public name the package re-exports.

    Its order is kept by ruff's RUF022 (constants, then classes, then functions).
    """
    assert len(set(matchmaker.__all__)) == len(matchmaker.__all__)
    public = {
        name
        for name, value in vars(matchmaker).items()
        if not name.startswith("_") and getattr(value, "__module__", "").startswith("matchmaker")
    }
    assert public - {"annotations"} <= set(matchmaker.__all__)
    for name in matchmaker.__all__:
        assert hasattr(matchmaker, name), name


def test_time_base_names_stay_importable_from_their_old_homes() -> None:
    """The time base lives in matchmaker.model; compile and plan keep the 0.1 names:
    ``job_day`` in compile is the latest start's day, in plan the planned start's day."""
    from matchmaker import compile as compile_package
    from matchmaker import model
    from matchmaker import plan as plan_package

    assert compile_package.horizon_start is model.horizon_start
    assert compile_package.minutes_from is model.minutes_from
    assert compile_package.local_zone is model.local_zone
    assert compile_package.job_day is model.latest_start_day
    assert plan_package.job_day is model.planned_day


@pytest.mark.parametrize("package_name", ["matchmaker", "matchmaker.lifecycle"])
def test_lazy_surface_lists_what_type_checkers_see(package_name: str) -> None:
    """The names a package loads on first use (``_SURFACE``) are exactly those imported
    there for type checkers, from the same modules, and each is that module's own object
    (a module imported whole, such as ``lifecycle.analytics``, loads as itself)."""
    import ast
    import importlib
    from pathlib import Path

    package = importlib.import_module(package_name)
    assert package.__file__ is not None
    tree = ast.parse(Path(package.__file__).read_text(encoding="utf-8"))
    typed: dict[str, set[str]] = {}
    modules: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for statement in node.body:
                assert isinstance(statement, ast.ImportFrom) and statement.module
                if statement.module == package_name:  # a submodule imported whole
                    modules.update(
                        {a.asname or a.name: f"{package_name}.{a.name}" for a in statement.names}
                    )
                    continue
                typed.setdefault(statement.module, set()).update(a.name for a in statement.names)
    surface = package._SURFACE
    assert typed == {module: set(names) for module, names in surface.items()}
    assert sorted([*modules, *(n for names in surface.values() for n in names)]) == sorted(
        n for n in package.__all__ if n != "__version__"
    )
    for module, names in surface.items():
        for name in names:
            assert getattr(package, name) is getattr(importlib.import_module(module), name)
    for alias, module in modules.items():
        assert getattr(package, alias) is importlib.import_module(module)


def test_import_is_light_and_old_paths_warn() -> None:
    """``import matchmaker`` loads no solver or dataframe library (the command line's start
    stays quick and Ctrl-C there is not a traceback); a 0.1 module path still imports, with a
    DeprecationWarning naming the new place."""
    import subprocess
    import sys

    code = (
        "import sys, warnings; import matchmaker;"
        "heavy = [m for m in ('pandas', 'ortools', 'numpy', 'typer') if m in sys.modules];"
        "print(heavy);"
        "warnings.simplefilter('error');"
        "\ntry:\n from matchmaker.domain import Job\nexcept DeprecationWarning as w: print(w)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    lines = out.stdout.splitlines()
    assert lines[0] == "[]"
    assert (
        lines[1]
        == "matchmaker.domain is now matchmaker.model; import from there (or from matchmaker)"
    )
