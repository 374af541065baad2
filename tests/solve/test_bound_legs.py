"""The true legs of the column bound's walks (``solve._bound_legs``): jobs are grouped when
shifts could share them, and each leg a shift can walk is the shortest path through the
jobs of its own group."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from matchmaker.solve._bound_legs import JobGroups, shortest_legs


def test_jobs_that_shifts_could_share_are_grouped() -> None:
    """Shift 0 takes jobs 0 and 1, shift 1 jobs 1 and 2, shift 2 job 3, shift 3 nothing
    and no shift takes job 4: jobs 0-2 form one group through job 1, job 3 another; the
    shortest paths cost a cube per group and mode and a square per shift."""
    reach = np.zeros((4, 5), dtype=bool)
    reach[0, [0, 1]] = reach[1, [1, 2]] = reach[2, 3] = True
    groups = JobGroups.of(reach)
    assert groups.job.tolist() == [0, 0, 0, 3, 4]
    assert groups.vehicle.tolist() == [0, 0, 3, -1]
    assert [m.tolist() for m in groups.members()] == [[0, 1, 2], [3]]
    assert groups.path_cells(2) == 2 * (3**3 + 1) + 3**2 + 3**2 + 1


def _shortest_through(minutes: np.ndarray, members: list[int]) -> np.ndarray:
    """Shortest paths between ``members`` passing only ``members``, by relaxing every leg
    until none shortens (the test's own way to the same result)."""
    best = minutes[np.ix_(members, members)].copy()
    np.fill_diagonal(best, 0)
    changed = True
    while changed:
        changed = False
        for i in range(len(members)):
            for j in range(len(members)):
                through = min(best[i, k] + best[k, j] for k in range(len(members)))
                if through < best[i, j]:
                    best[i, j], changed = through, True
    return best


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_each_walkable_leg_is_the_shortest_path_inside_its_group(data: st.DataObject) -> None:
    """For random reach, travel (two modes) and home minutes: between two jobs of a shift's
    group the leg in the shift's mode is the shortest path through that group's jobs, and
    from the shift's home the least of the direct leg to any job of the group and the path
    on from there; legs no shift walks (a mode no shift of the group goes by) stay as they
    were."""
    n_vehicles, n_jobs = data.draw(st.integers(0, 4)), data.draw(st.integers(0, 6))
    reach = data.draw(arrays(bool, (n_vehicles, n_jobs)))
    travel = data.draw(arrays(np.int32, (2, n_jobs, n_jobs), elements=st.integers(0, 60)))
    home = data.draw(arrays(np.int32, (n_vehicles, n_jobs), elements=st.integers(0, 60)))
    mode = data.draw(arrays(np.int32, n_vehicles, elements=st.integers(0, 1)))
    groups = JobGroups.of(reach)
    legs_home, legs_travel = shortest_legs(home, travel, mode, groups)
    walked = np.zeros((2, n_jobs, n_jobs), dtype=bool)
    for v in range(n_vehicles):
        members = np.flatnonzero(groups.job == groups.vehicle[v]).tolist()
        assert set(np.flatnonzero(reach[v]).tolist()) <= set(members)
        if not members:
            assert legs_home[v].tolist() == home[v].tolist()
            continue
        block = np.ix_(members, members)
        own = int(mode[v])
        paths = _shortest_through(travel[own], members)
        assert (legs_travel[own][block] == paths).all()
        walked[own][block] = True
        from_home = (home[v, members][:, None] + paths).min(axis=0)
        assert legs_home[v, members].tolist() == from_home.tolist()
        others = np.setdiff1d(np.arange(n_jobs), members)
        assert legs_home[v, others].tolist() == home[v, others].tolist()
    off_diagonal = ~walked & ~np.eye(n_jobs, dtype=bool)[None]
    assert (legs_travel[off_diagonal] == travel[off_diagonal]).all()
