"""The public surface of matchmaker.lifecycle."""

from __future__ import annotations

import importlib
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
