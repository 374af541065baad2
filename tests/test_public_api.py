"""The public surface of the top-level package."""

from __future__ import annotations

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
