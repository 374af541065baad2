"""The package's layers: imports only go downwards, through each subpackage's surface, and
no module imports itself back through a cycle (docs/design.md section 7)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parents[1] / "src" / "matchmaker"
LAYERS = (
    "model", "compile", "solve", "plan", "whatif", "io", "live", "placement", "report",
    "generate", "lifecycle", "cli",
)  # fmt: skip
"""From the bottom up: a subpackage may import from its own layer and the ones before it."""


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


MODULES = _modules()


def _imports(path: Path, *, top_level_only: bool) -> Iterator[str]:
    """The matchmaker modules ``path`` imports (``from a import b`` counts ``a.b`` when
    that is a module). ``top_level_only`` leaves out imports inside functions and
    ``if TYPE_CHECKING`` blocks, which do not run when the module loads."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    for node in nodes:
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names if a.name.startswith("matchmaker"))
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] != "matchmaker":
                continue
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                yield candidate if candidate in MODULES else node.module


def _layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in LAYERS else None


def test_every_module_belongs_to_a_layer() -> None:
    """Apart from the public surface and the version, the package is its subpackages."""
    loose = {m for m in MODULES if _layer(m) is None}
    assert loose == {"matchmaker", "matchmaker._version"}


@pytest.mark.parametrize("module", sorted(m for m in MODULES if _layer(m)))
def test_imports_go_downwards_through_the_surface(module: str) -> None:
    """cli > lifecycle > generate > report > placement > live > io > whatif > plan > solve >
    compile > model; across subpackages only what a subpackage's ``__init__`` offers, never
    its private modules."""
    own = _layer(module)
    assert own is not None
    for imported in _imports(MODULES[module], top_level_only=False):
        other = _layer(imported)
        if other is None or other == own:
            continue
        assert LAYERS.index(other) < LAYERS.index(own), f"{module} imports up: {imported}"
        assert imported == f"matchmaker.{other}", f"{module} reaches into {imported}"


def test_no_import_cycle() -> None:
    """The modules' load-time imports form no cycle."""
    graph = {
        module: {i for i in _imports(path, top_level_only=True) if i in MODULES and i != module}
        for module, path in MODULES.items()
    }
    done: set[str] = set()

    def visit(module: str, path: tuple[str, ...]) -> None:
        if module in path:
            pytest.fail(" -> ".join((*path[path.index(module) :], module)))
        if module in done:
            return
        for imported in graph[module]:
            visit(imported, (*path, module))
        done.add(module)

    for module in graph:
        visit(module, ())
