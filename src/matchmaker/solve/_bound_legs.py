"""The true legs of the column bound's walks (:mod:`matchmaker.solve._bound_columns`): the
shortest paths over the round's travel minutes, computed per group of jobs that shifts
could share.

A shift's route holds only jobs that shift may take (eligible or pinned to it), so a
shortest path between two of them only needs to pass such jobs. Jobs are grouped when
some shift could take both, however indirectly; on a round over several days, a group
is about one day's jobs, and the shortest paths cost the days' sizes cubed instead of the
round's: on a generated 120 x 900 round over 5 days, five groups of 155-186 jobs, 0.15 s
against 2.9 s for the whole round's at once.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

__all__ = ["JobGroups", "shortest_legs"]

IntArray = npt.NDArray[np.int64]
AnyInts = npt.NDArray[np.integer[Any]]


class JobGroups(NamedTuple):
    """Jobs grouped when some shift could take both, however indirectly."""

    job: IntArray
    """(J,): each job's group: the least job in it."""
    vehicle: IntArray
    """(V,): the group of the jobs each shift could take; -1 for a shift that could take
    none."""

    @classmethod
    def of(cls, reach: npt.NDArray[np.bool_]) -> JobGroups:
        """The groups of ``reach`` (V, J): which jobs each shift could take. Each step
        gives a shift the least group among its jobs and a job the least among its
        shifts', until nothing changes (as many steps as the longest chain of shifts
        sharing jobs, a few on generated rounds)."""
        n_jobs = reach.shape[1]
        job = np.arange(n_jobs, dtype=np.int64)
        while True:
            vehicle = np.where(reach, job[None, :], n_jobs).min(axis=1, initial=n_jobs)
            joined = np.where(reach, vehicle[:, None], n_jobs).min(axis=0, initial=n_jobs)
            joined = np.minimum(job, joined)
            if np.array_equal(joined, job):
                break
            job = joined
        return cls(job=job, vehicle=np.where(vehicle < n_jobs, vehicle, -1))

    def members(self) -> list[IntArray]:
        """The jobs of each group that some shift could take, a group per array."""
        taken = np.unique(self.vehicle[self.vehicle >= 0])
        return [np.flatnonzero(self.job == group) for group in taken.tolist()]

    def path_cells(self, n_modes: int) -> int:
        """Cells of the min-plus steps :func:`shortest_legs` takes: per group of ``n`` jobs,
        ``n_modes * n**3`` between jobs and ``n**2`` from the home of each of its shifts."""
        sizes = np.bincount(self.job, minlength=self.job.size)
        taken = self.vehicle[self.vehicle >= 0]
        groups = np.unique(taken)
        return int(n_modes * (sizes[groups] ** 3).sum() + (sizes[taken] ** 2).sum())


def shortest_legs(
    home: AnyInts, travel: AnyInts, mode: AnyInts, groups: JobGroups
) -> tuple[IntArray, IntArray]:
    """True legs from ``home`` (V, J) and ``travel`` (M, J, J) minutes, shifts going by
    ``mode`` (V,): the shortest path between two jobs of a group, and from a shift's home
    to each job of its group. A route may pass visits its walk leaves out (pinned ones, or
    ones not worth their price) between two walked ones, but only ones of its own shift's
    group, and travel minutes need not be shortest paths themselves; the shortest path is
    never longer than what the route drives between the two. Legs across groups stay as
    they are: no shift walks them."""
    # numba loads on first use, so that choosing a backend stays quick.
    from matchmaker.solve._bound_paths import paths_from, shortest_paths

    paths = travel.astype(np.int64)
    diagonal = np.arange(paths.shape[1])
    paths[:, diagonal, diagonal] = 0
    direct = home.astype(np.int64)
    shortest = direct.copy()
    for members in groups.members():
        block = np.ix_(members, members)
        # A group's label is its least job, its first member.
        shifts = np.flatnonzero(groups.vehicle == members[0])
        for m, minutes in enumerate(paths):
            # Only the group's shifts of this mode read its legs here.
            riders = shifts[mode[shifts] == m]
            if riders.size == 0:
                continue
            inside = np.ascontiguousarray(minutes[block])
            shortest_paths(inside)
            minutes[block] = inside
            reached = np.empty((riders.size, members.size), dtype=np.int64)
            paths_from(np.ascontiguousarray(direct[np.ix_(riders, members)]), inside, reached)
            shortest[np.ix_(riders, members)] = reached
    return shortest, paths
