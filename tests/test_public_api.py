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
