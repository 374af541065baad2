"""The public surface of matchmaker.lifecycle."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import matchmaker.lifecycle as lifecycle


def test_all_is_sorted_and_resolves() -> None:
    """__all__ is sorted (constants first, as isort orders them) and every name exists."""
    names = list(lifecycle.__all__)
    assert names == sorted(names, key=lambda n: (not n.isupper(), n))
    assert all(hasattr(lifecycle, name) for name in names)


def test_every_module_lists_its_public_names() -> None:
    """Each module of the package declares __all__, and each of those names exists."""
    for info in pkgutil.iter_modules(lifecycle.__path__):
        module = importlib.import_module(f"matchmaker.lifecycle.{info.name}")
        assert hasattr(module, "__all__"), info.name
        assert all(hasattr(module, name) for name in module.__all__), info.name


def test_no_module_is_over_500_lines() -> None:
    """Every module of the package stays small enough to read in one go (<= 500 lines):
    entities and their event models are one module per entity, analytics is split into
    row tables and the report."""
    for info in pkgutil.iter_modules(lifecycle.__path__):
        module = importlib.import_module(f"matchmaker.lifecycle.{info.name}")
        lines = len(inspect.getsource(module).splitlines())
        assert lines <= 500, (info.name, lines)
