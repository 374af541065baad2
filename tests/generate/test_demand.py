"""Tests of servability and the jobs nobody can take (matchmaker.generate._demand)."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.generate.reading import (
    servable_jobs,
    servable_share,
    single_fixes,
)


@pytest.mark.parametrize("name", ["day", "week"])
def test_most_jobs_are_servable_but_not_all(name: str, request: pytest.FixtureRequest) -> None:
    """About nine in ten jobs have enough workers who could serve them, one at a time."""
    share = servable_share(request.getfixturevalue(name))
    assert 0.85 <= share <= 0.95


def test_every_service_has_qualified_staff(
    day: dict[str, pd.DataFrame], week: dict[str, pd.DataFrame]
) -> None:
    """The lines of work follow the services: most jobs of every service are servable alone."""
    for frames in (day, week):
        jobs = frames["jobs"]
        servable = servable_jobs(frames).reindex(jobs.job_id).to_numpy()
        per_service = pd.Series(servable).groupby(jobs.service_type.to_numpy()).mean()
        assert (per_service >= 0.7).all(), per_service.to_dict()


@pytest.mark.parametrize("name", ["day", "week"])
def test_unservable_jobs_fail_for_varied_reasons(name: str, request: pytest.FixtureRequest) -> None:
    """Most unservable jobs have one requirement that alone blocks them, of several kinds."""
    frames: dict[str, pd.DataFrame] = request.getfixturevalue(name)
    servable = servable_jobs(frames)
    blocked = servable.index[~servable].tolist()
    fixes = single_fixes(frames, blocked)
    assert sum(bool(f) for f in fixes.values()) >= 0.8 * len(blocked)
    kinds = set().union(*fixes.values())
    assert len(kinds) >= 5, kinds
